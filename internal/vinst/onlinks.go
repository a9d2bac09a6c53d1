package vinst

import (
	"net/netip"

	"github.com/gokeepalived/gokeepalived/internal/system"
)

// AddressesOnLinks reads the addresses on every interface a VIP of insts
// goes on, so that status reports what is really there.
func AddressesOnLinks(insts []*Instance, addrs system.AddrLister) map[netip.Addr]map[int]bool {
	seen := map[int]bool{}
	out := map[netip.Addr]map[int]bool{}
	for _, vi := range insts {
		for _, v := range vi.VIPs {
			if seen[v.Ifindex] {
				continue
			}
			seen[v.Ifindex] = true
			ps, err := addrs.List(v.Ifindex, 0)
			if err != nil {
				continue
			}
			for _, p := range ps {
				if out[p.Addr()] == nil {
					out[p.Addr()] = map[int]bool{}
				}
				out[p.Addr()][v.Ifindex] = true
			}
		}
	}
	return out
}
