package daemon

import (
	"log/slog"
	"net/netip"
	"testing"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/system"
	"github.com/gokeepalived/gokeepalived/internal/vinst"
	"github.com/gokeepalived/gokeepalived/internal/vmac"
)

// countVMACs stands for system.VMACs: it counts what is made and removed.
type countVMACs struct{ made, removed int }

func (f *countVMACs) Create(c system.VMACConfig) (system.Link, error) {
	f.made++
	return system.Link{Index: 100 + f.made, Name: c.Name}, nil
}
func (f *countVMACs) Remove(int) error                        { f.removed++; return nil }
func (f *countVMACs) Interfaces() ([]system.IfaceInfo, error) { return nil, nil }

// TestVMACKeptOnDontRelease: at a -V shutdown an instance's VMACs stay,
// with their addresses; otherwise they go with the instance.
func TestVMACKeptOnDontRelease(t *testing.T) {
	ops := &countVMACs{}
	ci := &config.Instance{Name: "A", Interface: "eth1", VRID: 51, Family: 4,
		VIPs: []config.VIP{{Prefix: netip.MustParsePrefix("192.168.1.50/32"), UseVMAC: true}}}
	d := &Daemon{log: slog.New(slog.DiscardHandler), conf: &config.Config{Instances: []*config.Instance{ci}}}
	d.fx.vm = vmac.New(vmac.Config{Ops: ops, Conf: func() *config.Config { return d.conf }})
	vi := &vinst.Instance{Conf: ci, Link: system.Link{Index: 2, Name: "eth1"}, Log: d.log,
		VIPs: []system.VIP{{Prefix: ci.VIPs[0].Prefix, Ifindex: 2}}, VIPIf: []string{"eth1"}}
	if err := vi.SetupVMAC(d.vmacs()); err != nil || ops.made != 1 || vi.VIPIf[0] != "vrrp.51" {
		t.Fatalf("SetupVMAC: %v, made %d, address on %s; want one VMAC, vrrp.51", err, ops.made, vi.VIPIf[0])
	}
	d.loop.stopping, d.cfg.DontReleaseVRRP = true, true
	d.removeVMAC(vi)
	d.closeVMACs()
	if ops.removed != 0 || vi.VMAC == nil {
		t.Errorf("-V shutdown removed %d VMACs (vmac %v), want none", ops.removed, vi.VMAC)
	}
	d.cfg.DontReleaseVRRP = false
	d.removeVMAC(vi)
	if ops.removed != 1 || vi.VMAC != nil {
		t.Errorf("shutdown removed %d VMACs (vmac %v), want 1", ops.removed, vi.VMAC)
	}
}
