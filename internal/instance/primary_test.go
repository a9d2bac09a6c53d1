package instance_test

import (
	"net/netip"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/instance"
	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

// TestSetPrimaryAddr: after the address changes, the equal-priority
// tie-break uses the new address, and a master reports it as the master's.
func TestSetPrimaryAddr(t *testing.T) {
	cfg := instance.DefaultConfig()
	cfg.VRID = 1
	cfg.PrimaryAddr = netip.MustParseAddr("10.0.0.5")
	cfg.VIPs = []netip.Prefix{netip.MustParsePrefix("10.0.0.100/32")}
	m := instance.New(cfg)
	t0 := time.Unix(1000, 0)
	m.Step(t0, instance.Startup{})
	m.Step(m.Deadline(), instance.Timeout{})
	if m.State() != instance.Master {
		t.Fatalf("state %s, want MASTER", m.State())
	}
	peer := netip.MustParseAddr("10.0.0.7")
	m.SetPrimaryAddr(netip.MustParseAddr("10.0.0.9"))
	if got := m.MasterAddr(); got != netip.MustParseAddr("10.0.0.9") {
		t.Errorf("MasterAddr = %s, want the new address 10.0.0.9", got)
	}
	if got := m.Config().PrimaryAddr; got != netip.MustParseAddr("10.0.0.9") {
		t.Errorf("Config().PrimaryAddr = %s, want 10.0.0.9", got)
	}
	// Equal priority from 10.0.0.7: with the old address (.5) we would
	// yield; with the new one (.9) we stay master.
	adv := vrrp.Advertisement{Version: vrrp.V2, VRID: 1, Priority: 100, Interval: time.Second,
		Addrs: []netip.Addr{netip.MustParseAddr("10.0.0.100")}}
	m.Step(t0.Add(5*time.Second), instance.AdvertReceived{From: peer, Advert: adv})
	if m.State() != instance.Master {
		t.Errorf("after an equal-priority advert from a lower address: state %s, want MASTER", m.State())
	}
}
