package bgp

import (
	"net/netip"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/instance"

	"github.com/google/go-cmp/cmp"
)

// prefixEq compares prefixes, whose fields cmp cannot see.
var prefixEq = cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })

// loadConf loads a configuration for the tests; it must be clean.
func loadConf(t *testing.T, src string) *config.Config {
	t.Helper()
	cfg, diags := config.LoadBytes("t.conf", []byte(src), config.Options{ConfigID: "x"})
	if config.HasErrors(diags) {
		t.Fatalf("config: %v", diags)
	}
	return cfg
}

const desiredConf = `
global_defs {
    bgp_speaker {
        local_as 65001
        neighbor 192.168.1.1 {
            remote_as 65000
        }
        neighbor 2001:db8::1 {
            remote_as 65000
        }
    }
}
vrrp_script chk_web {
    script /nonexistent/chk
}
vrrp_track_process nginx {
    process nginx
}
anycast_group WEB {
    virtual_ipaddress {
        10.99.0.1/32
        2001:db8:99::1/128
    }
    track_script {
        chk_web
    }
    track_interface {
        eth0
    }
    track_process {
        nginx
    }
    communities 65000:100
    med 10
}
anycast_group DNS {
    virtual_ipaddress {
        10.53.0.0/24
    }
    allow_non_host
}
vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 1
    virtual_ipaddress {
        192.168.1.100/24
    }
    bgp_announce
}
vrrp_instance VI_MED {
    interface eth0
    virtual_router_id 2
    virtual_ipaddress {
        192.168.1.101/24
    }
    bgp_announce med_from_priority
}
vrrp_instance VI_PRE {
    interface eth0
    virtual_router_id 3
    virtual_ipaddress {
        192.168.1.102/24
    }
    bgp_announce prepend_from_priority
}
`

func TestDesired(t *testing.T) {
	cfg := loadConf(t, desiredConf)
	healthy := Health{
		Scripts:    map[string]bool{"chk_web": true},
		Interfaces: map[string]bool{"eth0": true},
		Processes:  map[string]bool{"nginx": true},
	}
	web := config.BGPAttrs{Communities: []config.Community{65000<<16 | 100}, MED: 10, HasMED: true}
	pfx := netip.MustParsePrefix
	dns := Route{Prefix: pfx("10.53.0.0/24"), Group: "DNS"}
	web4 := Route{Prefix: pfx("10.99.0.1/32"), Attrs: web, Group: "WEB"}
	web6 := Route{Prefix: pfx("2001:db8:99::1/128"), Attrs: web, Group: "WEB"}
	masters := map[string]VRRP{"VI_1": {instance.Master, 100}, "VI_MED": {instance.Master, 200}, "VI_PRE": {instance.Master, 200}}
	backups := map[string]VRRP{"VI_1": {instance.Backup, 100}, "VI_MED": {instance.Backup, 254}, "VI_PRE": {instance.Backup, 100}}
	tests := []struct {
		name string
		h    Health
		vrrp map[string]VRRP
		want []Route
	}{
		{"nothing known: only the untracked group", Health{}, nil, []Route{dns}},
		{"all healthy, no VRRP state", healthy, nil, []Route{dns, web4, web6}},
		{"one tracker down withdraws the group", Health{Scripts: healthy.Scripts, Interfaces: map[string]bool{"eth0": false}, Processes: healthy.Processes}, nil, []Route{dns}},
		{"process quorum lost", Health{Scripts: healthy.Scripts, Interfaces: healthy.Interfaces}, nil, []Route{dns}},
		{"masters announce host routes, MED from priority", Health{}, masters, []Route{
			dns,
			{Prefix: pfx("192.168.1.100/32"), Instance: "VI_1"},
			{Prefix: pfx("192.168.1.101/32"), Attrs: config.BGPAttrs{MED: 55, HasMED: true}, Instance: "VI_MED"},
			{Prefix: pfx("192.168.1.102/32"), Instance: "VI_PRE"},
		}},
		{"backups pre-announce with a worse path, plain bgp_announce does not", Health{}, backups, []Route{
			dns,
			{Prefix: pfx("192.168.1.101/32"), Attrs: config.BGPAttrs{MED: 257, HasMED: true}, Instance: "VI_MED"},
			{Prefix: pfx("192.168.1.102/32"), Attrs: config.BGPAttrs{ASPathPrepend: 3}, Instance: "VI_PRE"},
		}},
		{"fault and init announce nothing", Health{}, map[string]VRRP{"VI_1": {instance.Fault, 100}, "VI_MED": {instance.Init, 100}, "VI_PRE": {instance.Fault, 0}}, []Route{dns}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, Desired(cfg, tt.h, tt.vrrp), prefixEq); diff != "" {
				t.Errorf("Desired (-want +got):\n%s", diff)
			}
		})
	}
}

// TestInstanceAttrsBackupAlwaysWorse checks, over every pair of
// priorities, that a BACKUP's pre-announced path loses to any MASTER's.
func TestInstanceAttrsBackupAlwaysWorse(t *testing.T) {
	for mp := 1; mp <= 255; mp++ {
		m, _ := instanceAttrs(config.BackupMED, VRRP{instance.Master, mp})
		mpre, _ := instanceAttrs(config.BackupPrepend, VRRP{instance.Master, mp})
		for bp := 1; bp <= 254; bp++ {
			b, ok := instanceAttrs(config.BackupMED, VRRP{instance.Backup, bp})
			if !ok || b.MED <= m.MED {
				t.Fatalf("master %d MED %d, backup %d MED %d (ok %v)", mp, m.MED, bp, b.MED, ok)
			}
			bpre, ok := instanceAttrs(config.BackupPrepend, VRRP{instance.Backup, bp})
			if !ok || bpre.ASPathPrepend <= mpre.ASPathPrepend || bpre.ASPathPrepend > 4 {
				t.Fatalf("master %d prepend %d, backup %d prepend %d", mp, mpre.ASPathPrepend, bp, bpre.ASPathPrepend)
			}
		}
	}
}

func TestHoldDown(t *testing.T) {
	t0 := time.Unix(1000, 0)
	g := Route{Prefix: netip.MustParsePrefix("10.99.0.1/32"), Group: "WEB"}
	v := Route{Prefix: netip.MustParsePrefix("192.168.1.100/32"), Instance: "VI_1"}
	type step struct {
		at       time.Duration
		desired  []Route
		want     []Route
		wantNext time.Duration // 0: none
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"first announcement is not delayed", []step{{0, []Route{g}, []Route{g}, 0}}},
		{"withdraw at once, re-announce after hold-down", []step{
			{0, []Route{g}, []Route{g}, 0},
			{1 * time.Second, nil, nil, 0},
			{2 * time.Second, []Route{g}, nil, 6 * time.Second},
			{5 * time.Second, []Route{g}, nil, 6 * time.Second},
			{6 * time.Second, []Route{g}, []Route{g}, 0},
		}},
		{"a flap during hold-down restarts it", []step{
			{0, []Route{g}, []Route{g}, 0},
			{1 * time.Second, nil, nil, 0},
			{2 * time.Second, []Route{g}, nil, 6 * time.Second},
			{3 * time.Second, nil, nil, 0},
			{4 * time.Second, []Route{g}, nil, 8 * time.Second},
			{8 * time.Second, []Route{g}, []Route{g}, 0},
		}},
		{"instance routes are never damped", []step{
			{0, []Route{v}, []Route{v}, 0},
			{1 * time.Second, nil, nil, 0},
			{2 * time.Second, []Route{v}, []Route{v}, 0},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := NewHoldDown(5 * time.Second)
			for i, s := range tt.steps {
				got, next := h.Apply(t0.Add(s.at), s.desired)
				if diff := cmp.Diff(s.want, got, prefixEq); diff != "" {
					t.Errorf("step %d at %v (-want +got):\n%s", i, s.at, diff)
				}
				var wantNext time.Time
				if s.wantNext != 0 {
					wantNext = t0.Add(s.wantNext)
				}
				if !next.Equal(wantNext) {
					t.Errorf("step %d at %v: next = %v, want %v", i, s.at, next, wantNext)
				}
			}
		})
	}
}
