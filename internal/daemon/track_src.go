package daemon

import (
	"net/netip"

	"github.com/gokeepalived/gokeepalived/internal/effect"
	"github.com/gokeepalived/gokeepalived/internal/system"
	"github.com/gokeepalived/gokeepalived/internal/vinst"
)

// track_src_ip: an instance whose advert source is configured
// (unicast_src_ip or mcast_src_ip) is in FAULT while that address is not on
// its interface, from start-up on, and leaves FAULT when the address comes
// back. Without track_src_ip the configured source stays in use whether or
// not the interface has it (rereadSource leaves it alone), as keepalived
// does; track_src_ip without a configured source does nothing, as in
// keepalived (the interface's own address is followed anyway, dynif.go).

// observeSrc brings what the loop knows of vi's tracked source address up
// to date before its effects are computed. A missing interface is a fault
// of its own already.
func (d *Daemon) observeSrc(vi *vinst.Instance) {
	src, ok := effect.TrackedSrc(vi.Conf)
	if !ok || vi.Dyn.Missing {
		vi.SrcTrk = vinst.SrcTrack{} // events are not followed meanwhile: read afresh
		return
	}
	if link := vi.SrcLink(); vi.SrcTrk.Ifindex != link.Index || vi.SrcTrk.Addr != src {
		d.readTrackedSrc(vi, src)
	}
}

// readTrackedSrc reads whether src is on vi's interface. When the
// addresses cannot be read the last answer stays and the next refresh
// tries again.
func (d *Daemon) readTrackedSrc(vi *vinst.Instance, src netip.Addr) {
	link := vi.SrcLink()
	ps, err := d.sys.addrs.List(link.Index, vi.Fam)
	if err != nil {
		vi.Log.Warn("track_src_ip: cannot read the interface's addresses", "err", err)
		return
	}
	gone := true
	for _, p := range ps {
		if p.Addr() == src {
			gone = false
			break
		}
	}
	if gone != vi.SrcTrk.Gone || vi.SrcTrk.Ifindex == 0 {
		if gone {
			vi.Log.Warn("track_src_ip: the configured source address is not on the interface: FAULT until it is", "addr", src)
		} else if vi.SrcTrk.Ifindex != 0 {
			vi.Log.Info("track_src_ip: the configured source address is back on the interface", "addr", src)
		}
	}
	vi.SrcTrk = vinst.SrcTrack{Ifindex: link.Index, Addr: src, Gone: gone}
}

// trackSrcAddr re-reads the tracked source of the instances an address
// event concerns and refreshes their effects when it changed.
func (d *Daemon) trackSrcAddr(ev system.AddrEvent) {
	for _, vi := range d.insts {
		src, ok := effect.TrackedSrc(vi.Conf)
		if !ok || vi.Dyn.Missing || ev.Prefix.Addr() != src || vi.SrcLink().Index != ev.Ifindex {
			continue
		}
		was := vi.SrcTrk
		d.readTrackedSrc(vi, src)
		if vi.SrcTrk != was {
			d.refreshEffects(vi)
		}
	}
}
