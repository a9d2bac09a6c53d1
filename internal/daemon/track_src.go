package daemon

import (
	"net/netip"

	"github.com/gokeepalived/gokeepalived/internal/effect"
	"github.com/gokeepalived/gokeepalived/internal/system"
)

// track_src_ip: an instance whose advert source is configured
// (unicast_src_ip or mcast_src_ip) is in FAULT while that address is not on
// its interface, from start-up on, and leaves FAULT when the address comes
// back. Without track_src_ip the configured source stays in use whether or
// not the interface has it (rereadSource leaves it alone), as keepalived
// does; track_src_ip without a configured source does nothing, as in
// keepalived (the interface's own address is followed anyway, dynif.go).

// srcTrack is what the daemon last read about an instance's tracked source
// address: whether addr was on the interface with index ifindex. It is
// read again when either no longer matches the instance.
type srcTrack struct {
	ifindex int
	addr    netip.Addr
	gone    bool
}

// observeSrc brings what the loop knows of vi's tracked source address up
// to date before its effects are computed. A missing interface is a fault
// of its own already.
func (d *Daemon) observeSrc(vi *vinst) {
	src, ok := effect.TrackedSrc(vi.conf)
	if !ok || vi.dyn.missing {
		vi.srcTrk = srcTrack{} // events are not followed meanwhile: read afresh
		return
	}
	if link := vi.srcLink(); vi.srcTrk.ifindex != link.Index || vi.srcTrk.addr != src {
		d.readTrackedSrc(vi, src)
	}
}

// readTrackedSrc reads whether src is on vi's interface. When the
// addresses cannot be read the last answer stays and the next refresh
// tries again.
func (d *Daemon) readTrackedSrc(vi *vinst, src netip.Addr) {
	link := vi.srcLink()
	ps, err := d.sys.addrs.List(link.Index, vi.fam)
	if err != nil {
		vi.log.Warn("track_src_ip: cannot read the interface's addresses", "err", err)
		return
	}
	gone := true
	for _, p := range ps {
		if p.Addr() == src {
			gone = false
			break
		}
	}
	if gone != vi.srcTrk.gone || vi.srcTrk.ifindex == 0 {
		if gone {
			vi.log.Warn("track_src_ip: the configured source address is not on the interface: FAULT until it is", "addr", src)
		} else if vi.srcTrk.ifindex != 0 {
			vi.log.Info("track_src_ip: the configured source address is back on the interface", "addr", src)
		}
	}
	vi.srcTrk = srcTrack{ifindex: link.Index, addr: src, gone: gone}
}

// trackSrcAddr re-reads the tracked source of the instances an address
// event concerns and refreshes their effects when it changed.
func (d *Daemon) trackSrcAddr(ev system.AddrEvent) {
	for _, vi := range d.insts {
		src, ok := effect.TrackedSrc(vi.conf)
		if !ok || vi.dyn.missing || ev.Prefix.Addr() != src || vi.srcLink().Index != ev.Ifindex {
			continue
		}
		was := vi.srcTrk
		d.readTrackedSrc(vi, src)
		if vi.srcTrk != was {
			d.refreshEffects(vi)
		}
	}
}
