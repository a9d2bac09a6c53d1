package instance_test

import (
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/instance"
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
	got := instance.FromConfig(cfg.Instances[0], primary)
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
		t.Errorf("FromConfig (-want +got):\n%s", diff)
	}
}
