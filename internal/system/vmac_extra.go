package system

import (
	"fmt"
	"net"
	"net/netip"

	"github.com/vishvananda/netlink"
)

// What the daemon needs to place a VMAC of its own next to the ones that
// already exist (per-address use_vmac and use_vmac_addr): the interfaces
// of the namespace, to pick a free name or take over a stale VMAC, and the
// link-local address an IPv6 VMAC gets when its parent has none.

// IfaceInfo is one interface of the namespace, as Interfaces lists it.
type IfaceInfo struct {
	Index  int
	Name   string
	MAC    net.HardwareAddr
	Parent int  // IFLA_LINK: a macvlan's parent (a veth's peer), 0 if none
	VMAC   bool // a macvlan in private mode, the kind Create makes
}

// Interfaces lists every interface in the namespace VMACs works in.
func (v *VMACs) Interfaces() ([]IfaceInfo, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	unpin, err := v.sameNetns()
	if err != nil {
		return nil, err
	}
	defer unpin()
	links, err := v.h.LinkList()
	if err != nil {
		return nil, fmt.Errorf("list interfaces: %w", err)
	}
	out := make([]IfaceInfo, 0, len(links))
	for _, l := range links {
		a := l.Attrs()
		mv, ok := l.(*netlink.Macvlan)
		out = append(out, IfaceInfo{Index: a.Index, Name: a.Name, MAC: a.HardwareAddr, Parent: a.ParentIndex,
			VMAC: ok && mv.Mode == netlink.MACVLAN_MODE_PRIVATE})
	}
	return out, nil
}

// EUI64LinkLocal returns the fe80::/64 address the kernel would derive
// from a 6-byte MAC (RFC 4291 appendix A); keepalived puts it on an IPv6
// VMAC whose parent has no link-local address of its own. Other lengths
// give the zero Addr.
func EUI64LinkLocal(mac net.HardwareAddr) netip.Addr {
	if len(mac) != 6 {
		return netip.Addr{}
	}
	var b [16]byte
	b[0], b[1] = 0xfe, 0x80
	b[8], b[9], b[10] = mac[0]^0x02, mac[1], mac[2]
	b[11], b[12] = 0xff, 0xfe
	b[13], b[14], b[15] = mac[3], mac[4], mac[5]
	return netip.AddrFrom16(b)
}
