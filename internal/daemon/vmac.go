package daemon

import (
	"fmt"
	"log/slog"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/system"
	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

// vmacs is the daemon's use_vmac state: the handle that creates and
// removes VMAC interfaces, opened when the first instance needs one, and
// the VMACs for addresses that instances share (vmac_vip.go).
type vmacs struct {
	sys   *system.VMACs
	extra map[extraKey]*extraVMAC
	ops   vmacOps // tests: replaces sys for the VMACs for addresses
}

// vmacLink is one instance's VMAC state: its own VMAC (keepalived's
// use_vmac) and the VMACs for addresses it holds (vmac_vip.go). Every
// started instance has one; link is the zero Link without use_vmac.
type vmacLink struct {
	link   system.Link // the macvlan carrying 00:00:5e:00:0{1,2}:VRID
	base   system.Link // the instance's configured interface
	extras map[extraKey]bool
	d      *Daemon // makes VMACs for addresses a reload adds
	log    *slog.Logger
}

// hasMain reports whether vm is an instance's own VMAC (use_vmac).
func (vm *vmacLink) hasMain() bool { return vm != nil && vm.link.Index != 0 }

// vmacName is the VMAC interface name of an instance: use_vmac NAME, or
// vmac_prefix "." VRID ("vrrp.87").
func (d *Daemon) vmacName(vi *vinst) string {
	return mainVMACName(d.conf.Global, vi.conf)
}

// mainVMACName is vmacName for the instance ci under the globals g.
func mainVMACName(g config.GlobalDefs, ci *config.Instance) string {
	if ci.VMACName != "" {
		return ci.VMACName
	}
	return system.VMACName(g.VMACPrefix, ci.VRID)
}

// vmacSys returns the VMAC handle, opening it on first use.
func (d *Daemon) vmacSys() (*system.VMACs, error) {
	if d.vm.sys == nil {
		v, err := system.NewVMACs(d.log)
		if err != nil {
			return nil, err
		}
		d.vm.sys = v
	}
	return d.vm.sys, nil
}

// setupVMAC creates vi's VMAC when the instance has use_vmac, as
// keepalived does before the instance starts: a private-mode macvlan on the
// configured interface, up, in BACKUP as in MASTER. Then the instance lives
// on it: its addresses of the instance's family on the configured
// interface go on the VMAC (so GARPs and ARP replies carry the virtual
// MAC), those of the other family stay on the interface, and adverts are sent and received on it, unless
// vmac_xmit_base keeps the VRRP socket on the configured interface. The
// advert source stays the configured interface's address (srcLink). The
// addresses that want a VMAC of their own (per-address use_vmac,
// use_vmac_addr) get it too (vmac_vip.go). It does nothing twice, or
// while the configured interface is missing (dynamic_interfaces).
func (d *Daemon) setupVMAC(vi *vinst) error {
	if vi.vmac != nil || vi.dyn.missing {
		return nil
	}
	base := vi.link
	vm := &vmacLink{base: base, d: d, log: vi.log}
	places := vipPlaces(vi.conf, base.Name, vi.conf.UseVMAC, len(vi.vips))
	if vi.conf.UseVMAC {
		sys, err := d.vmacSys()
		if err != nil {
			return fmt.Errorf("vrrp_instance %s: use_vmac: %w", vi.conf.Name, err)
		}
		cfg := system.VMACConfig{
			Name:   d.vmacName(vi),
			Parent: base.Index,
			VRID:   uint8(vi.conf.VRID),
			Family: system.IPv4,
		}
		if vi.fam == vrrp.IPv6 {
			cfg.Family, cfg.LinkLocal = system.IPv6, vi.src
		}
		// keepalived leaves IPv6 on when the instance has IPv6
		// addresses on the interface, wherever they go.
		for i, p := range places {
			if (p == placeMain || p == placeBase) && vi.vips[i].Prefix.Addr().Is6() {
				cfg.KeepIPv6 = true
			}
		}
		link, err := sys.Create(cfg)
		if err != nil {
			return fmt.Errorf("vrrp_instance %s: use_vmac on %s: %w", vi.conf.Name, base.Name, err)
		}
		vm.link = link
	}
	vi.vmac = vm
	if err := vm.place(vi.conf, vi.vips, vi.vipIf); err != nil {
		return fmt.Errorf("vrrp_instance %s: %w", vi.conf.Name, err)
	}
	if !vm.hasMain() {
		return nil
	}
	if !vi.conf.VMACXmitBase {
		vi.link = vm.link
	}
	vi.log = vi.log.With("vmac", vm.link.Name)
	vi.log.Info("instance uses a virtual MAC", "mac", vm.link.MAC.String(), "base", base.Name,
		"xmit_base", vi.conf.VMACXmitBase)
	return nil
}

// placeOnVMAC moves the addresses of ci onto vm's VMACs (vipPlaces): those
// of the instance's family on its interface onto the instance's VMAC
// (keepalived puts them on the instance's interface, which is the VMAC),
// those that want a VMAC of their own onto it, made if the reload added
// it. vips and ifs are resolveVIPs' lists for
// ci: virtual_ipaddress then virtual_ipaddress_excluded. A nil vm changes
// nothing. reload uses it for an instance kept in place; a VMAC that
// cannot be made leaves its address on the bare interface, logged.
func placeOnVMAC(vm *vmacLink, ci *config.Instance, vips []system.VIP, ifs []string) {
	if vm == nil {
		return
	}
	if err := vm.place(ci, vips, ifs); err != nil && vm.log != nil {
		vm.log.Warn("reload: an address stays off its VMAC", "err", err)
	}
}

// srcLink is the interface whose address is the advert source: the
// configured interface, also when the instance lives on a VMAC (which has
// no address of its own on the subnet).
func (vi *vinst) srcLink() system.Link {
	if vi.vmac.hasMain() {
		return vi.vmac.base
	}
	return vi.link
}

// removeVMAC deletes vi's VMAC after its instance stopped, and the VMACs
// for addresses no other instance holds. With -V (dont-release-vrrp) at
// shutdown they stay, with the addresses on them, as keepalived leaves
// them.
func (d *Daemon) removeVMAC(vi *vinst) {
	vm := vi.vmac
	if vm == nil || d.stopping && d.cfg.DontReleaseVRRP {
		return
	}
	d.releaseExtras(vm)
	if vm.hasMain() && d.vm.sys != nil {
		if err := d.vm.sys.Remove(vm.link.Index); err != nil {
			vi.log.Warn("remove vmac interface", "err", err)
		}
		vi.link = vm.base
	}
	vi.vmac = nil
}

// closeVMACs removes VMACs still there (an instance that failed to start)
// and restores the sysctls, at shutdown.
func (d *Daemon) closeVMACs() {
	if d.vm.sys == nil || (d.stopping && d.cfg.DontReleaseVRRP) {
		return
	}
	if err := d.vm.sys.Close(); err != nil {
		d.log.Warn("remove vmac interfaces", "err", err)
	}
	d.vm.sys, d.vm.extra = nil, nil
}

// vmacIfname is the VMAC's name for status, empty without use_vmac.
func (vi *vinst) vmacIfname() string {
	if !vi.vmac.hasMain() {
		return ""
	}
	return vi.vmac.link.Name
}
