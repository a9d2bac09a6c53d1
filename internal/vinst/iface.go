package vinst

import (
	"net/netip"

	"github.com/gokeepalived/gokeepalived/internal/effect"
	"github.com/gokeepalived/gokeepalived/internal/system"
)

// VIPLinkChanged follows an interface that carries some of vi's addresses
// ("dev OTHER") but is not vi's own: deleting it takes the addresses with
// it, and a new interface of that name gets them back on the next advert
// round (retryVIPs) at its new index.
func (vi *Instance) VIPLinkChanged(ev system.LinkEvent) {
	for i := range vi.VIPs {
		if vi.VIPIf[i] != ev.Name {
			continue
		}
		switch {
		case ev.Deleted && vi.VIPs[i].Ifindex == ev.Index:
			vi.Present[i] = false
			vi.VIPRetry = true
		case !ev.Deleted && vi.VIPs[i].Ifindex != ev.Index:
			vi.Log.Info("interface of a virtual address re-created", "addr", vi.VIPs[i].Prefix, "dev", ev.Name, "ifindex", ev.Index)
			vi.VIPs[i].Ifindex = ev.Index
			vi.Present[i] = false
			vi.VIPRetry = true
		}
	}
}

// RereadSource reads vi's source address again and reports whether
// anything changed. unicast_src_ip and mcast_src_ip are fixed.
func (vi *Instance) RereadSource(links Links) bool {
	if vi.Conf.UnicastSrcIP.IsValid() || vi.Conf.McastSrcIP.IsValid() {
		return false
	}
	old, oldNo := vi.Src, vi.Dyn.NoAddr
	err := vi.ResolveSource(links)
	switch {
	case err != nil:
		vi.Src = old // a master's goodbye (priority 0) still goes out from it
		if !oldNo {
			vi.Dyn.NoAddr = true
			vi.Log.Warn("no usable address left on the interface: FAULT until one is added", "err", err)
		}
		return !oldNo
	default:
		if vi.Src != old {
			vi.Log.Info("advert source address changed", "from", old, "to", vi.Src)
			vi.M.SetPrimaryAddr(vi.Src)
		}
		vi.Dyn.NoAddr = false
	}
	return vi.Src != old || oldNo
}

// ObserveSrc brings what the loop knows of vi's tracked source address up
// to date before its effects are computed. A missing interface is a fault
// of its own already.
func (vi *Instance) ObserveSrc(addrs system.AddrLister) {
	src, ok := effect.TrackedSrc(vi.Conf)
	if !ok || vi.Dyn.Missing {
		vi.SrcTrk = SrcTrack{} // events are not followed meanwhile: read afresh
		return
	}
	if link := vi.SrcLink(); vi.SrcTrk.Ifindex != link.Index || vi.SrcTrk.Addr != src {
		vi.ReadTrackedSrc(addrs, src)
	}
}

// ReadTrackedSrc reads whether src is on vi's interface. When the
// addresses cannot be read the last answer stays and the next refresh
// tries again.
func (vi *Instance) ReadTrackedSrc(addrs system.AddrLister, src netip.Addr) {
	link := vi.SrcLink()
	ps, err := addrs.List(link.Index, vi.Fam)
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
	vi.SrcTrk = SrcTrack{Ifindex: link.Index, Addr: src, Gone: gone}
}
