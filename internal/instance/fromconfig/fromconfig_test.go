package fromconfig_test

import (
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/config/configtest"
	"github.com/gokeepalived/gokeepalived/internal/instance"
	"github.com/gokeepalived/gokeepalived/internal/instance/fromconfig"
	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

func TestFromConfig(t *testing.T) {
	src := `
global_defs {
    vrrp_garp_master_repeat 3
}
vrrp_instance VI_6 {
    state BACKUP
    interface eth1
    virtual_router_id 80
    priority 110
    advert_int 2
    preempt_delay 4
    unicast_peer {
        192.168.1.3
    }
    virtual_ipaddress {
        192.168.1.6/24 dev eth1
        192.168.1.9
    }
    virtual_ipaddress_excluded {
        192.168.1.10
    }
}
`
	cfg, diags := config.LoadBytes("t.conf", []byte(src), config.Options{ConfigID: "a"})
	if config.HasErrors(diags) {
		t.Fatalf("load: %v", diags)
	}
	primary := netip.MustParseAddr("192.168.1.2")
	got := fromconfig.Config(cfg.Instances[0], primary)
	want := instance.DefaultConfig()
	want.Name = "VI_6"
	want.VRID = 80
	want.Version = vrrp.V2
	want.Priority = 110
	want.AdvertInterval = 2 * time.Second
	want.PrimaryAddr = primary
	want.VIPs = []netip.Prefix{netip.MustParsePrefix("192.168.1.6/24"), netip.MustParsePrefix("192.168.1.9/32")}
	want.UnicastPeers = []netip.Addr{netip.MustParseAddr("192.168.1.3")}
	want.WantMaster = false
	want.PreemptDelay = 4 * time.Second
	want.GARP.MasterRepeat = 3
	want.GARP.LowerPrioRepeat = 3
	if diff := cmp.Diff(want, got, cmpopts.EquateComparable(netip.Addr{}, netip.Prefix{})); diff != "" {
		t.Errorf("Config (-want +got):\n%s", diff)
	}
}

// TestOwnerIgnoreAdvertsFromConfig: the instance keyword and the global
// default both reach Config.
func TestOwnerIgnoreAdvertsFromConfig(t *testing.T) {
	for _, tt := range []struct {
		global, inst string
		want         bool
	}{
		{"", "", false},
		{"", "owner_ignore_adverts", true},
		{"vrrp_owner_ignore_adverts", "", true},
	} {
		src := "global_defs {\n" + tt.global + "\n}\nvrrp_instance V {\n interface eth0\n virtual_router_id 7\n priority 255\n " +
			tt.inst + "\n virtual_ipaddress {\n  10.0.0.100\n }\n}\n"
		cfg, diags := config.LoadBytes("t.conf", []byte(src), config.Options{ConfigID: "a"})
		if config.HasErrors(diags) {
			t.Fatalf("load: %v", diags)
		}
		if got := fromconfig.Config(cfg.Instances[0], netip.MustParseAddr("10.0.0.1")).OwnerIgnoreAdverts; got != tt.want {
			t.Errorf("global %q, instance %q: OwnerIgnoreAdverts %v, want %v", tt.global, tt.inst, got, tt.want)
		}
		for _, n := range cfg.NoEffect {
			if n.Keyword == "owner_ignore_adverts" || n.Keyword == "vrrp_owner_ignore_adverts" {
				t.Errorf("%s still listed as having no effect", n.Keyword)
			}
		}
	}
}

// TestDefaultsAgree: instance.DefaultConfig, which the simulator and the
// machine's tests start from, holds the defaults package config applies
// (keepalived's), so that no default means one thing in one place and
// another elsewhere.
func TestDefaultsAgree(t *testing.T) {
	cfg := configtest.Load(t, "vrrp_instance X {\n interface eth0\n virtual_router_id 1\n virtual_ipaddress {\n  10.0.0.1\n }\n}\n")
	got := fromconfig.Config(cfg.Instances[0], netip.Addr{})
	want := instance.DefaultConfig()
	want.Name, want.VRID, want.VIPs = "X", 1, got.VIPs
	if diff := cmp.Diff(want, got, cmpopts.EquateComparable(netip.Addr{}, netip.Prefix{})); diff != "" {
		t.Errorf("config's defaults (+) differ from instance.DefaultConfig (-):\n%s", diff)
	}
}
