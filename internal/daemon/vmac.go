package daemon

import (
	"net/netip"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/system"
	"github.com/gokeepalived/gokeepalived/internal/vmac"
	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

// vmacs returns the VMAC manager (package vmac), made on first use.
func (d *Daemon) vmacs() *vmac.Manager {
	if d.vm == nil {
		d.vm = vmac.New(vmac.Config{Log: d.log, Conf: func() *config.Config { return d.conf },
			LinkLocal: d.parentLinkLocal})
	}
	return d.vm
}

// setupVMAC makes vi's VMACs before its socket opens (use_vmac, and the
// addresses' own), moving its addresses onto them; with use_vmac the
// instance then lives on its VMAC unless vmac_xmit_base. It does nothing
// twice, or while the configured interface is missing
// (dynamic_interfaces).
func (d *Daemon) setupVMAC(vi *vinst) error {
	if vi.vmac != nil || vi.dyn.missing {
		return nil
	}
	vm, err := d.vmacs().Setup(vmac.Instance{Conf: vi.conf, Log: vi.log, Base: vi.link,
		IPv6: vi.fam == vrrp.IPv6, Src: vi.src, VIPs: vi.vips, Ifs: vi.vipIf})
	if vm != nil {
		vi.vmac = vm
	}
	if err != nil || !vm.HasMain() {
		return err
	}
	if !vi.conf.VMACXmitBase {
		vi.link = vm.Main()
	}
	vi.log = vi.log.With("vmac", vm.Main().Name)
	return nil
}

// removeVMAC deletes vi's VMACs after its instance stopped (those for
// addresses only when no other instance holds them). With -V
// (dont-release-vrrp) at shutdown they stay, with the addresses on them,
// as keepalived leaves them.
func (d *Daemon) removeVMAC(vi *vinst) {
	vm := vi.vmac
	if vm == nil || d.keepOnExit() {
		return
	}
	d.vmacs().Remove(vm)
	if vm.HasMain() {
		vi.link = vm.Base()
	}
	vi.vmac = nil
}

// closeVMACs removes VMACs still there (an instance that failed to start)
// and restores the sysctls, at shutdown.
func (d *Daemon) closeVMACs() {
	if d.vm != nil && !d.keepOnExit() {
		d.vm.Close()
	}
}

// keepOnExit reports whether the daemon is stopping under -V.
func (d *Daemon) keepOnExit() bool { return d.stopping && d.cfg.DontReleaseVRRP }

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

// srcLink is the interface whose address is the advert source: the
// configured interface, also when the instance lives on a VMAC (which has
// no address of its own on the subnet).
func (vi *vinst) srcLink() system.Link {
	if vi.vmac.HasMain() {
		return vi.vmac.Base()
	}
	return vi.link
}
