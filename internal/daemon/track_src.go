package daemon

import (
	"github.com/gokeepalived/gokeepalived/internal/effect"
	"github.com/gokeepalived/gokeepalived/internal/system"
)

// track_src_ip: an instance whose advert source is configured
// (unicast_src_ip or mcast_src_ip) is in FAULT while that address is not on
// its interface, from start-up on, and leaves FAULT when the address comes
// back. Without track_src_ip the configured source stays in use whether or
// not the interface has it (RereadSource leaves it alone), as keepalived
// does; track_src_ip without a configured source does nothing, as in
// keepalived (the interface's own address is followed anyway).

// trackSrcAddr re-reads the tracked source of the instances an address
// event concerns and refreshes their effects when it changed.
func (d *Daemon) trackSrcAddr(ev system.AddrEvent) {
	for _, vi := range d.insts {
		src, ok := effect.TrackedSrc(vi.Conf)
		if !ok || vi.Dyn.Missing || ev.Prefix.Addr() != src || vi.SrcLink().Index != ev.Ifindex {
			continue
		}
		was := vi.SrcTrk
		vi.ReadTrackedSrc(d.sys.addrs, src)
		if vi.SrcTrk != was {
			d.refreshEffects(vi)
		}
	}
}
