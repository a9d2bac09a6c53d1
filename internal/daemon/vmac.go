package daemon

import (
	"net/netip"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/system"
	"github.com/gokeepalived/gokeepalived/internal/vinst"
	"github.com/gokeepalived/gokeepalived/internal/vmac"
	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

// vmacs returns the VMAC manager (package vmac), made on first use.
func (d *Daemon) vmacs() *vmac.Manager {
	if d.fx.vm == nil {
		d.fx.vm = vmac.New(vmac.Config{Log: d.log, Conf: func() *config.Config { return d.conf },
			LinkLocal: d.parentLinkLocal})
	}
	return d.fx.vm
}

// setupVMAC makes vi's VMACs before its socket opens (use_vmac, and the
// addresses' own), moving its addresses onto them; with use_vmac the
// instance then lives on its VMAC unless vmac_xmit_base. It does nothing
// twice, or while the configured interface is missing
// (dynamic_interfaces).
func (d *Daemon) setupVMAC(vi *vinst.Instance) error {
	if vi.VMAC != nil || vi.Dyn.Missing {
		return nil
	}
	vm, err := d.vmacs().Setup(vmac.Instance{Conf: vi.Conf, Log: vi.Log, Base: vi.Link,
		IPv6: vi.Fam == vrrp.IPv6, Src: vi.Src, VIPs: vi.VIPs, Ifs: vi.VIPIf})
	if vm != nil {
		vi.VMAC = vm
	}
	if err != nil || !vm.HasMain() {
		return err
	}
	if !vi.Conf.VMACXmitBase {
		vi.Link = vm.Main()
	}
	vi.Log = vi.Log.With("vmac", vm.Main().Name)
	return nil
}

// removeVMAC deletes vi's VMACs after its instance stopped (those for
// addresses only when no other instance holds them). With -V
// (dont-release-vrrp) at shutdown they stay, with the addresses on them,
// as keepalived leaves them.
func (d *Daemon) removeVMAC(vi *vinst.Instance) {
	vm := vi.VMAC
	if vm == nil || d.keepOnExit() {
		return
	}
	d.vmacs().Remove(vm)
	if vm.HasMain() {
		vi.Link = vm.Base()
	}
	vi.VMAC = nil
}

// closeVMACs removes VMACs still there (an instance that failed to start)
// and restores the sysctls, at shutdown.
func (d *Daemon) closeVMACs() {
	if d.fx.vm != nil && !d.keepOnExit() {
		d.fx.vm.Close()
	}
}

// keepOnExit reports whether the daemon is stopping under -V.
func (d *Daemon) keepOnExit() bool { return d.loop.stopping && d.cfg.DontReleaseVRRP }

// parentLinkLocal is the link-local address an IPv6 VMAC for addresses
// gets, as keepalived gives it: the parent's own, or else the one its MAC
// would give (EUI-64).
func (d *Daemon) parentLinkLocal(parent int) netip.Addr {
	if d.sys.links == nil {
		return netip.Addr{}
	}
	if ll, err := d.sys.links.LinkLocalIPv6(parent); err == nil {
		return ll
	}
	if l, err := d.sys.links.ByIndex(parent); err == nil {
		return system.EUI64LinkLocal(l.MAC)
	}
	return netip.Addr{}
}
