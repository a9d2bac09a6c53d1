package vinst

import (
	"fmt"

	"github.com/gokeepalived/gokeepalived/internal/effect"
	"github.com/gokeepalived/gokeepalived/internal/system"
)

// CheckUnicastSrc decides, as vi's socket is opened, whether its
// configured unicast source is an address of the node, as keepalived's
// bind of its unicast socket to it does: any interface's address, but an
// IPv6 link-local one only on the instance's interface. An instance whose
// source is not is in FAULT (effect.SrcNotLocal) until the socket is opened
// again: at a reload, a restart, or when its interface
// is created anew. The address being added later does not lift it, as in
// keepalived 2.2.7; a reload checks again, as keepalived opens every socket
// again. When the addresses cannot be read, the source is taken
// as configured.
func (vi *Instance) CheckUnicastSrc(addrs system.AddrLister) {
	vi.Dyn.SrcNotLocal = false
	src, ok := effect.UnicastSrc(vi.Conf)
	if !ok {
		return
	}
	ifindex := 0 // every interface
	if src.Is6() && src.IsLinkLocalUnicast() {
		ifindex = vi.Link.Index
	}
	ps, err := addrs.List(ifindex, vi.Fam)
	if err != nil {
		vi.Log.Warn("cannot read the node's addresses to check unicast_src_ip", "err", err)
		return
	}
	for _, p := range ps {
		if p.Addr() == src {
			return
		}
	}
	vi.Dyn.SrcNotLocal = true
	vi.Log.Warn(fmt.Sprintf("(%s): entering FAULT state (src address not configured)", vi.Conf.Name), "addr", src,
		"hint", "unicast_src_ip is no address of this node; adding it later does not lift the FAULT, a reload does")
}
