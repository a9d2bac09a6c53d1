package daemon

import (
	"fmt"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/system"
	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

// vmacs is the daemon's use_vmac state: the handle that creates and
// removes VMAC interfaces, opened when the first instance needs one.
type vmacs struct {
	sys *system.VMACs
}

// vmacLink is one instance's VMAC (keepalived's use_vmac).
type vmacLink struct {
	link system.Link // the macvlan carrying 00:00:5e:00:0{1,2}:VRID
	base system.Link // the instance's configured interface
}

// vmacName is the VMAC interface name of an instance: use_vmac NAME, or
// vmac_prefix "." VRID ("vrrp.87").
func (d *Daemon) vmacName(vi *vinst) string {
	if vi.conf.VMACName != "" {
		return vi.conf.VMACName
	}
	return system.VMACName(d.conf.Global.VMACPrefix, vi.conf.VRID)
}

// setupVMAC creates vi's VMAC when the instance has use_vmac, as
// keepalived does before the instance starts: a private-mode macvlan on the
// configured interface, up, in BACKUP as in MASTER. Then the instance lives
// on it: addresses without `dev` go on the VMAC (so GARPs and ARP replies
// carry the virtual MAC), and adverts are sent and received on it, unless
// vmac_xmit_base keeps the VRRP socket on the configured interface. The
// advert source stays the configured interface's address (srcLink). It
// does nothing for other instances, twice, or while the configured
// interface is missing (dynamic_interfaces).
func (d *Daemon) setupVMAC(vi *vinst) error {
	if !vi.conf.UseVMAC || vi.vmac != nil || vi.dyn.missing {
		return nil
	}
	if d.vm.sys == nil {
		v, err := system.NewVMACs(d.log)
		if err != nil {
			return fmt.Errorf("vrrp_instance %s: use_vmac: %w", vi.conf.Name, err)
		}
		d.vm.sys = v
	}
	base := vi.link
	cfg := system.VMACConfig{
		Name:   d.vmacName(vi),
		Parent: base.Index,
		VRID:   uint8(vi.conf.VRID),
		Family: system.IPv4,
	}
	if vi.fam == vrrp.IPv6 {
		cfg.Family, cfg.LinkLocal = system.IPv6, vi.src
	}
	for i, ok := range vmacTargets(vi.conf, len(vi.vips)) {
		if ok && vi.vips[i].Prefix.Addr().Is6() {
			cfg.KeepIPv6 = true
		}
	}
	link, err := d.vm.sys.Create(cfg)
	if err != nil {
		return fmt.Errorf("vrrp_instance %s: use_vmac on %s: %w", vi.conf.Name, base.Name, err)
	}
	vi.vmac = &vmacLink{link: link, base: base}
	placeOnVMAC(vi.vmac, vi.conf, vi.vips, vi.vipIf)
	if !vi.conf.VMACXmitBase {
		vi.link = link
	}
	vi.log = vi.log.With("vmac", link.Name)
	vi.log.Info("instance uses a virtual MAC", "mac", link.MAC.String(), "base", base.Name,
		"xmit_base", vi.conf.VMACXmitBase)
	return nil
}

// placeOnVMAC moves the addresses of ci that have no `dev` onto the VMAC
// vm (keepalived puts them on the instance's interface, which is the
// VMAC). vips and ifs are resolveVIPs' lists for ci: virtual_ipaddress
// then virtual_ipaddress_excluded. A nil vm changes nothing. reload uses
// it for an instance kept in place.
func placeOnVMAC(vm *vmacLink, ci *config.Instance, vips []system.VIP, ifs []string) {
	if vm == nil {
		return
	}
	for i, ok := range vmacTargets(ci, len(vips)) {
		if ok {
			vips[i].Ifindex, ifs[i] = vm.link.Index, vm.link.Name
		}
	}
}

// vmacTargets reports, for the first n resolved addresses of ci, whether
// each goes on the VMAC: those without their own `dev`.
func vmacTargets(ci *config.Instance, n int) []bool {
	out := make([]bool, n)
	i := 0
	for _, list := range [][]config.VIP{ci.VIPs, ci.ExcludedVIPs} {
		for _, v := range list {
			if i < n {
				out[i] = v.Dev == ""
			}
			i++
		}
	}
	return out
}

// srcLink is the interface whose address is the advert source: the
// configured interface, also when the instance lives on a VMAC (which has
// no address of its own on the subnet).
func (vi *vinst) srcLink() system.Link {
	if vi.vmac != nil {
		return vi.vmac.base
	}
	return vi.link
}

// removeVMAC deletes vi's VMAC after its instance stopped. With -V
// (dont-release-vrrp) at shutdown it stays, with the addresses on it, as
// keepalived leaves it.
func (d *Daemon) removeVMAC(vi *vinst) {
	if vi.vmac == nil || d.vm.sys == nil {
		return
	}
	if d.stopping && d.cfg.DontReleaseVRRP {
		return
	}
	if err := d.vm.sys.Remove(vi.vmac.link.Index); err != nil {
		vi.log.Warn("remove vmac interface", "err", err)
	}
	vi.link, vi.vmac = vi.vmac.base, nil
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
	d.vm.sys = nil
}

// vmacIfname is the VMAC's name for status, empty without use_vmac.
func (vi *vinst) vmacIfname() string {
	if vi.vmac == nil {
		return ""
	}
	return vi.vmac.link.Name
}
