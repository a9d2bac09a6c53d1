package dynif

import (
	"net/netip"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/effect"
	"github.com/gokeepalived/gokeepalived/internal/instance"
	"github.com/gokeepalived/gokeepalived/internal/system"
	"github.com/gokeepalived/gokeepalived/internal/vinst"
)

// As keepalived does, an instance tracks the interfaces its virtual
// addresses (and excluded ones) are on: a VIP on "dev eth2" while the
// instance runs on eth1 puts the instance in FAULT while eth2 is down or
// missing, since the address cannot be held there. no_track on the address
// opts out. The instance's own interface is tracked already (unless
// dont_track_primary).

// vipRemoved handles our virtual address disappearing from its interface
// while we are master and believe it present: someone else removed it.
// keepalived drops to BACKUP to win it back; we put it back at the next
// advert round instead, without a transition. no_track addresses are left
// alone until the next time the instance becomes master, as keepalived
// leaves them.
func vipRemoved(insts []*vinst.Instance, ev system.AddrEvent) {
	for _, vi := range insts {
		if vi.M.State() != instance.Master {
			continue
		}
		for i, v := range vi.VIPs {
			if v.Ifindex != ev.Ifindex || v.Prefix.Addr() != ev.Prefix.Addr() || !vi.Present[i] {
				continue
			}
			// keepalived's netlink line (it writes it with -D).
			vi.Log.Info("Netlink reflector reports IP "+v.Prefix.Addr().String()+" removed from "+vi.VIPIf[i],
				"addr", v.Prefix, "dev", vi.VIPIf[i])
			if c := vipConf(vi.Conf, v.Prefix); c != nil && c.NoTrack {
				vi.Log.Warn("virtual address removed from outside; no_track: not putting it back", "addr", v.Prefix)
				continue
			}
			vi.Log.Warn("virtual address removed from outside; putting it back", "addr", v.Prefix, "dev", vi.VIPIf[i])
			vi.Present[i] = false
			vi.VIPRetry = true
		}
	}
}

// vipConf finds the configured address of prefix p, or nil.
func vipConf(ci *config.Instance, p netip.Prefix) *config.VIP {
	for _, list := range [][]config.VIP{ci.VIPs, ci.ExcludedVIPs} {
		for i := range list {
			if list[i].Prefix == p {
				return &list[i]
			}
		}
	}
	return nil
}

// track_src_ip: an instance whose advert source is configured
// (unicast_src_ip or mcast_src_ip) is in FAULT while that address is not on
// its interface, from start-up on, and leaves FAULT when the address comes
// back. Without track_src_ip the configured source stays in use whether or
// not the interface has it (RereadSource leaves it alone), as keepalived
// does; track_src_ip without a configured source does nothing, as in
// keepalived (the interface's own address is followed anyway).

// trackSrcAddr re-reads the tracked source of the instances an address
// event concerns and refreshes their effects when it changed.
func (w *Watcher) trackSrcAddr(ev system.AddrEvent) {
	for _, vi := range w.deps.Insts() {
		src, ok := effect.TrackedSrc(vi.Conf)
		if !ok || vi.Dyn.Missing || ev.Prefix.Addr() != src || vi.SrcLink().Index != ev.Ifindex {
			continue
		}
		was := vi.SrcTrk
		vi.ReadTrackedSrc(w.deps.Addrs, src)
		if vi.SrcTrk != was {
			w.deps.Refresh(vi)
		}
	}
}
