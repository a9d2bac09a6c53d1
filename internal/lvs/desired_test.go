package lvs

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

var addrEq = cmp.Comparer(func(a, b netip.Addr) bool { return a == b })

func load(t *testing.T, body string) *config.Config {
	t.Helper()
	src := "global_defs {\n enable_script_security\n}\n" + body
	cfg, diags := config.LoadBytes("t.conf", []byte(src), config.Options{ConfigID: "x"})
	if config.HasErrors(diags) {
		t.Fatalf("config: %v", diags)
	}
	return cfg
}

const vs3 = `virtual_server 10.0.0.100 80 {
  protocol TCP
  lb_algo wrr
  lb_kind NAT
  %s
  real_server 10.0.0.1 8080 {
    weight 3
  }
  real_server 10.0.0.2 8080 {
    weight 2
    %s
  }
  real_server 10.0.0.3 8080 {
    weight 1
  }
}
`

// vsConf fills vs3's two blanks: virtual server options and options of
// the second real server.
func vsConf(vsOpts, rs2Opts string) string {
	return strings.Replace(strings.Replace(vs3, "%s", vsOpts, 1), "%s", rs2Opts, 1)
}

const vsName = "[10.0.0.100]:tcp:80"

func rk(addr string) RSKey { return RSKey{vsName, netip.MustParseAddrPort(addr)} }

func d(addr string, w int) Dest {
	ap := netip.MustParseAddrPort(addr)
	return Dest{Addr: ap.Addr(), Port: ap.Port(), Kind: config.KindNAT, Weight: w}
}

func sorry(addr string, w int) Dest {
	x := d(addr, w)
	x.Sorry = true
	return x
}

func TestDesired(t *testing.T) {
	down := Health{Alive: false}
	tests := []struct {
		name       string
		conf       string
		health     map[RSKey]Health
		prev       map[string]bool
		hasAddr    func(netip.Addr) bool
		wantDests  []Dest
		noService  bool
		wantQuorum bool
		wantEvents []QuorumEvent
	}{
		{name: "all alive, configured weights",
			conf:      vsConf("", ""),
			wantDests: []Dest{d("10.0.0.1:8080", 3), d("10.0.0.2:8080", 2), d("10.0.0.3:8080", 1)}, wantQuorum: true},
		{name: "a failed server leaves the pool",
			conf:      vsConf("", ""),
			health:    map[RSKey]Health{rk("10.0.0.2:8080"): down},
			wantDests: []Dest{d("10.0.0.1:8080", 3), d("10.0.0.3:8080", 1)}, wantQuorum: true},
		{name: "inhibit_on_failure keeps it at weight 0",
			conf:      vsConf("", "inhibit_on_failure"),
			health:    map[RSKey]Health{rk("10.0.0.2:8080"): down},
			wantDests: []Dest{d("10.0.0.1:8080", 3), d("10.0.0.2:8080", 0), d("10.0.0.3:8080", 1)}, wantQuorum: true},
		{name: "checker weight (misc_dynamic) replaces the configured one",
			conf:      vsConf("", ""),
			health:    map[RSKey]Health{rk("10.0.0.2:8080"): {Alive: true, Weight: 7}},
			wantDests: []Dest{d("10.0.0.1:8080", 3), d("10.0.0.2:8080", 7), d("10.0.0.3:8080", 1)}, wantQuorum: true},
		{name: "alpha: unchecked servers start failed",
			conf:       vsConf("alpha", ""),
			health:     map[RSKey]Health{rk("10.0.0.3:8080"): {Alive: true, Weight: 1}},
			wantDests:  []Dest{d("10.0.0.3:8080", 1)},
			wantQuorum: true},
		{name: "all down: sorry server replaces the pool, starting down",
			conf:       vsConf("sorry_server 10.0.0.9 80\n quorum_down /bin/true", ""),
			health:     map[RSKey]Health{rk("10.0.0.1:8080"): down, rk("10.0.0.2:8080"): down, rk("10.0.0.3:8080"): down},
			wantDests:  []Dest{sorry("10.0.0.9:80", 1)},
			wantEvents: []QuorumEvent{{VS: vsName, Init: true, Threshold: 1, Script: &config.Script{Cmd: []string{"/bin/true"}}}}},
		{name: "quorum lost: alive servers leave for the sorry server, inhibited ones stay at 0",
			conf:       vsConf("quorum 5\n sorry_server 10.0.0.9 80", "inhibit_on_failure"),
			health:     map[RSKey]Health{rk("10.0.0.1:8080"): down},
			prev:       map[string]bool{vsName: true},
			wantDests:  []Dest{d("10.0.0.2:8080", 0), sorry("10.0.0.9:80", 1)},
			wantEvents: []QuorumEvent{{VS: vsName, WeightSum: 3, Threshold: 5}}},
		{name: "quorum lost without sorry server: the pool stays",
			conf:       vsConf("quorum 5", ""),
			health:     map[RSKey]Health{rk("10.0.0.1:8080"): down},
			prev:       map[string]bool{vsName: true},
			wantDests:  []Dest{d("10.0.0.2:8080", 2), d("10.0.0.3:8080", 1)},
			wantEvents: []QuorumEvent{{VS: vsName, WeightSum: 3, Threshold: 5}}},
		{name: "hysteresis holds the quorum up above quorum - hysteresis",
			conf:       vsConf("quorum 5\n hysteresis 2\n sorry_server 10.0.0.9 80", ""),
			health:     map[RSKey]Health{rk("10.0.0.1:8080"): down},
			prev:       map[string]bool{vsName: true},
			wantDests:  []Dest{d("10.0.0.2:8080", 2), d("10.0.0.3:8080", 1)},
			wantQuorum: true},
		{name: "hysteresis holds the quorum down below quorum + hysteresis",
			conf:      vsConf("quorum 5\n hysteresis 2\n sorry_server 10.0.0.9 80", ""),
			health:    map[RSKey]Health{rk("10.0.0.3:8080"): down},
			prev:      map[string]bool{vsName: false},
			wantDests: []Dest{sorry("10.0.0.9:80", 1)}},
		{name: "quorum regained at quorum + hysteresis: quorum_up, sorry server leaves",
			conf:       vsConf("quorum 5\n hysteresis 1\n sorry_server 10.0.0.9 80\n quorum_up /bin/true", ""),
			prev:       map[string]bool{vsName: false},
			wantDests:  []Dest{d("10.0.0.1:8080", 3), d("10.0.0.2:8080", 2), d("10.0.0.3:8080", 1)},
			wantQuorum: true,
			wantEvents: []QuorumEvent{{VS: vsName, Up: true, WeightSum: 6, Threshold: 6, Script: &config.Script{Cmd: []string{"/bin/true"}}}}},
		{name: "sorry_server_inhibit keeps an idle sorry server at weight 0",
			conf:       vsConf("sorry_server 10.0.0.9 80\n sorry_server_inhibit", ""),
			wantDests:  []Dest{d("10.0.0.1:8080", 3), d("10.0.0.2:8080", 2), d("10.0.0.3:8080", 1), sorry("10.0.0.9:80", 0)},
			wantQuorum: true},
		{name: "ha_suspend: not installed while the VIP is elsewhere",
			conf:       vsConf("ha_suspend", ""),
			hasAddr:    func(a netip.Addr) bool { return a != netip.MustParseAddr("10.0.0.100") },
			noService:  true,
			wantQuorum: true},
		{name: "ha_suspend: installed while the VIP is here",
			conf:       vsConf("ha_suspend", ""),
			hasAddr:    func(netip.Addr) bool { return true },
			wantDests:  []Dest{d("10.0.0.1:8080", 3), d("10.0.0.2:8080", 2), d("10.0.0.3:8080", 1)},
			wantQuorum: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := load(t, tt.conf)
			out := Desired(Input{Config: cfg, Health: tt.health, Quorum: tt.prev, HasAddr: tt.hasAddr})
			var want []Service
			if !tt.noService {
				want = []Service{{Key: ServiceKey{Addr: netip.MustParseAddr("10.0.0.100"), Protocol: TCP, Port: 80},
					VS: vsName, Sched: config.SchedWRR, Dests: tt.wantDests}}
			}
			if diff := cmp.Diff(want, out.State.Services, cmpopts.EquateEmpty(), addrEq); diff != "" {
				t.Errorf("services (-want +got):\n%s", diff)
			}
			if out.Quorum[vsName] != tt.wantQuorum {
				t.Errorf("quorum up = %v, want %v", out.Quorum[vsName], tt.wantQuorum)
			}
			for i, e := range out.Events {
				if e.Script != nil {
					out.Events[i].Script = &config.Script{Cmd: e.Script.Cmd}
				}
			}
			if diff := cmp.Diff(tt.wantEvents, out.Events, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDesiredGroupsAndFwmarks(t *testing.T) {
	cfg := load(t, `
virtual_server_group web {
  10.0.0.10-12 80
  fwmark 7
}
virtual_server group web {
  protocol TCP
  lb_algo sh
  sh-port
  lb_kind DR
  persistence_timeout 60
  persistence_granularity 255.255.255.0
  real_server 10.0.1.1 80 {
  }
}
virtual_server fwmark 9 {
  lb_algo rr
  lb_kind NAT
  real_server 2001:db8::1 0 {
  }
}
`)
	out := Desired(Input{Config: cfg})
	var got []string
	for _, s := range out.State.Services {
		got = append(got, s.Key.String()+" "+s.VS+" "+string(s.Sched)+" "+s.Persistence.String()+" "+s.Dests[0].Addr.String()+" "+string(s.Dests[0].Kind))
	}
	want := []string{
		"[10.0.0.10]:tcp:80 group web sh 1m0s 10.0.1.1 DR",
		"[10.0.0.11]:tcp:80 group web sh 1m0s 10.0.1.1 DR",
		"[10.0.0.12]:tcp:80 group web sh 1m0s 10.0.1.1 DR",
		"FWM 7 group web sh 1m0s 10.0.1.1 DR",
		"FWM 9 FWM 9 rr 0s 2001:db8::1 NAT",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("services (-want +got):\n%s", diff)
	}
	s := out.State.Services[0]
	if s.Granularity != 24 || s.Flags != config.SchedPort || s.Persistence != time.Minute {
		t.Errorf("persistence/flags: %+v", s)
	}
	if !out.State.Services[4].Key.IPv6 {
		t.Error("fwmark service with IPv6 real servers is not IPv6")
	}
}

// TestDesiredIsPure checks that Desired does not change its input and
// gives the same answer twice.
func TestDesiredIsPure(t *testing.T) {
	cfg := load(t, vsConf("quorum 2\n sorry_server 10.0.0.9 80", "inhibit_on_failure"))
	in := Input{Config: cfg, Health: map[RSKey]Health{rk("10.0.0.1:8080"): {Alive: false}}, Quorum: map[string]bool{vsName: true}}
	a, b := Desired(in), Desired(in)
	if diff := cmp.Diff(a, b, addrEq); diff != "" {
		t.Errorf("two calls differ:\n%s", diff)
	}
	if !in.Quorum[vsName] || len(in.Health) != 1 {
		t.Error("Desired changed its input")
	}
}
