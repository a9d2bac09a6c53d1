package vmac

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/system"
)

// VMACs for addresses, as keepalived 2.2.7 makes them (its
// vrrp_complete_instance): `use_vmac` written on a virtual_ipaddress or
// virtual_ipaddress_excluded entry, or `use_vmac_addr` on the instance,
// puts an address on a VMAC of its own on the interface it goes on, with
// the MAC of its family (00:00:5e:00:01:VRID for IPv4, 00:00:5e:00:02:VRID
// for IPv6), instead of on the bare interface. Such a VMAC is made like
// the instance's own (a private-mode macvlan, the same sysctls, IPv6 off
// on an IPv4 one, the parent's link-local on an IPv6 one), shared by every
// address and instance that needs the same VRID, family and parent, named
// vmac_addr_prefix (else vmac_prefix, else "vrrp") "." VRID or, when that
// name is taken, with a number after the prefix, and deleted with the last
// instance holding it. The address's GARPs and NAs leave from it, so they
// carry the virtual MAC.

// vipPlace is where one configured address goes.
type vipPlace uint8

const (
	placeResolved vipPlace = iota // on the interface it was resolved to
	placeMain                     // on the instance's own VMAC (use_vmac)
	placeBase                     // on the instance's configured interface itself
	placeExtra                    // on a VMAC of its own family on its interface
)

// vipPlaces returns where each of the first n resolved addresses of ci
// goes (virtual_ipaddress, then virtual_ipaddress_excluded). base is the
// instance's configured interface, main whether the instance has a VMAC
// of its own (use_vmac). keepalived 2.2.7's rules, checked in a lab: an
// address on that interface (no dev, or dev naming it) of the instance's
// family goes on the instance's VMAC when there is one; otherwise an
// address asking for use_vmac, or under use_vmac_addr any address on
// another interface or of the other family, gets a VMAC of its own; an
// address of the other family on the interface stays on the interface
// itself, not on the instance's VMAC (whose MAC is of the wrong family).
func vipPlaces(ci *config.Instance, base string, main bool, n int) []vipPlace {
	out := make([]vipPlace, n)
	fam6 := ci.Family == 6
	i := 0
	for _, list := range [][]config.VIP{ci.VIPs, ci.ExcludedVIPs} {
		for _, v := range list {
			if i >= n {
				return out
			}
			same := v.Dev == "" || v.Dev == base
			famSame := v.Prefix.Addr().Is6() == fam6
			switch {
			case same && main && famSame:
				out[i] = placeMain
			case same && (v.UseVMAC || ci.UseVMACAddr && !famSame):
				out[i] = placeExtra
			case same && main:
				out[i] = placeBase
			case !same && (v.UseVMAC || ci.UseVMACAddr):
				out[i] = placeExtra
			}
			i++
		}
	}
	return out
}

// extraKey identifies one VMAC for addresses: keepalived looks one up by
// parent, VRID and family (the MAC) before making another.
type extraKey struct {
	parent int
	fam    system.Family
	vrid   uint8
}

// extraVMAC is one VMAC for addresses and how many instances hold it.
type extraVMAC struct {
	link   system.Link
	parent string
	refs   int
}

// place puts the addresses of ci on vm's VMACs: those for the instance's
// VMAC on it, those that want one of their own on theirs, made when
// missing. vips and ifs are resolveVIPs' lists for ci. An address whose
// VMAC cannot be made stays where it was resolved; the first such error
// is returned.
func (vm *Link) place(ci *config.Instance, vips []system.VIP, ifs []string) error {
	var errs []error
	for i, p := range vipPlaces(ci, vm.base.Name, vm.HasMain(), len(vips)) {
		switch p {
		case placeMain:
			if vm.HasMain() {
				vips[i].Ifindex, ifs[i] = vm.link.Index, vm.link.Name
			}
		case placeBase:
			vips[i].Ifindex, ifs[i] = vm.base.Index, vm.base.Name
		case placeExtra:
			parent := vm.base
			if v := vipConfAt(ci, i); v.Dev != "" && v.Dev != vm.base.Name {
				parent = system.Link{Index: vips[i].Ifindex, Name: ifs[i]}
			}
			fam := system.FamilyOf(vips[i].Prefix.Addr())
			if vm.m == nil {
				errs = append(errs, fmt.Errorf("%s: no VMAC handle", vips[i].Prefix))
				continue
			}
			link, err := vm.m.acquireExtra(vm, parent, fam, uint8(ci.VRID))
			if err != nil {
				errs = append(errs, fmt.Errorf("virtual address %s: use_vmac on %s: %w", vips[i].Prefix, parent.Name, err))
				continue
			}
			vips[i].Ifindex, ifs[i] = link.Index, link.Name
		}
	}
	return errors.Join(errs...)
}

// vipConfAt returns the i-th configured address of ci (VIPs, then
// excluded ones).
func vipConfAt(ci *config.Instance, i int) config.VIP {
	if i < len(ci.VIPs) {
		return ci.VIPs[i]
	}
	return ci.ExcludedVIPs[i-len(ci.VIPs)]
}

// acquireExtra returns the VMAC of family fam and VRID vrid on parent for
// vm's instance, making it if no instance holds one yet.
func (m *Manager) acquireExtra(vm *Link, parent system.Link, fam system.Family, vrid uint8) (system.Link, error) {
	key := extraKey{parent: parent.Index, fam: fam, vrid: vrid}
	if vm.extras == nil {
		vm.extras = map[extraKey]bool{}
	}
	if e := m.extra[key]; e != nil {
		if !vm.extras[key] {
			e.refs++
			vm.extras[key] = true
		}
		return e.link, nil
	}
	ops, err := m.ops()
	if err != nil {
		return system.Link{}, err
	}
	name, err := m.extraName(ops, parent.Index, fam, vrid)
	if err != nil {
		return system.Link{}, err
	}
	cfg := system.VMACConfig{Name: name, Parent: parent.Index, VRID: vrid, Family: fam}
	if fam == system.IPv6 && m.cfg.LinkLocal != nil {
		cfg.LinkLocal = m.cfg.LinkLocal(parent.Index)
	}
	link, err := ops.Create(cfg)
	if err != nil {
		return system.Link{}, err
	}
	if m.extra == nil {
		m.extra = map[extraKey]*extraVMAC{}
	}
	m.extra[key] = &extraVMAC{link: link, parent: parent.Name, refs: 1}
	vm.extras[key] = true
	vm.log.Info("virtual addresses use a VMAC of their own", "vmac", link.Name, "mac", link.MAC.String(), "parent", parent.Name)
	return link, nil
}

// releaseExtras drops vm's hold on its VMACs for addresses and deletes
// those no other instance holds.
func (m *Manager) releaseExtras(vm *Link) {
	for key := range vm.extras {
		delete(vm.extras, key)
		e := m.extra[key]
		if e == nil {
			continue
		}
		if e.refs--; e.refs > 0 {
			continue
		}
		delete(m.extra, key)
		ops, err := m.ops()
		if err == nil {
			err = ops.Remove(e.link.Index)
		}
		if err != nil {
			vm.log.Warn("remove the VMAC of virtual addresses", "vmac", e.link.Name, "parent", e.parent, "err", err)
		}
	}
}

// extraName picks the name of a new VMAC for addresses. A private
// macvlan already on parent with the VMAC's MAC that no instance holds
// (left by an earlier run, with -V) is taken over under its name, as
// keepalived reuses it; otherwise the first free name of pickVMACName,
// free meaning no interface has it and no instance's use_vmac names it.
func (m *Manager) extraName(ops Ops, parent int, fam system.Family, vrid uint8) (string, error) {
	ifs, err := ops.Interfaces()
	if err != nil {
		return "", err
	}
	held := map[string]bool{}
	for _, e := range m.extra {
		held[e.link.Name] = true
	}
	for name := range m.mains {
		held[name] = true
	}
	c := m.conf()
	for _, ci := range c.Instances {
		if ci.UseVMAC {
			held[Name(c.Global, ci)] = true
		}
	}
	mac := system.VMACAddr(fam, vrid)
	exists := map[string]bool{}
	for _, i := range ifs {
		if i.VMAC && i.Parent == parent && bytes.Equal(i.MAC, mac) && !held[i.Name] {
			return i.Name, nil
		}
		exists[i.Name] = true
	}
	prefix := c.Global.VMACAddrPrefix
	if prefix == "" {
		prefix = c.Global.VMACPrefix
	}
	name := pickVMACName(prefix, int(vrid), fam, func(n string) bool { return held[n] || exists[n] })
	if name == "" {
		return "", fmt.Errorf("no free VMAC name for VRID %d", vrid)
	}
	return name, nil
}

// pickVMACName returns keepalived's name for a VMAC it adds: prefix "."
// VRID, or when taken, prefix N "." VRID for N = 1, 2, ... (IPv6 tries
// N = 6 first and then skips it). The prefix ("vrrp" when empty) is
// shortened so the name fits in 15 bytes. Empty when every name up to a
// bound is taken.
func pickVMACName(prefix string, vrid int, fam system.Family, taken func(string) bool) string {
	if prefix == "" {
		prefix = "vrrp"
	}
	suffix := "." + strconv.Itoa(vrid)
	n := 0
	for range 10000 {
		num := ""
		if n > 0 {
			num = strconv.Itoa(n)
		}
		p := prefix
		if over := len(p) + len(num) + len(suffix) - 15; over > 0 {
			if over >= len(p) {
				return "" // the number alone no longer fits
			}
			p = p[:len(p)-over]
		}
		if name := p + num + suffix; !taken(name) {
			return name
		}
		switch {
		case fam == system.IPv6 && n == 0:
			n = 6
		case fam == system.IPv6 && n == 6:
			n = 1
		default:
			if n++; fam == system.IPv6 && n == 6 {
				n++
			}
		}
	}
	return ""
}
