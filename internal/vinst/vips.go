package vinst

import (
	"log/slog"
	"net/netip"
	"slices"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/instance"
	"github.com/gokeepalived/gokeepalived/internal/system"
	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

// AddVIPs adds every address of vi; a failure is logged and retried on
// the next advert round (RetryVIPs).
func (vi *Instance) AddVIPs(addrs system.Addresser) {
	vi.LogVIPs(true)
	for i, v := range vi.VIPs {
		if err := addrs.Add(v); err != nil {
			vi.Log.Error("add virtual address, will retry", "addr", v.Prefix, "dev", vi.VIPIf[i], "err", err)
			vi.Present[i] = false
			vi.VIPRetry = true
			continue
		}
		vi.Present[i] = true
	}
}

// RetryVIPs re-adds addresses that failed to go on while master.
func (vi *Instance) RetryVIPs(addrs system.Addresser) {
	if !vi.VIPRetry || vi.M.State() != instance.Master {
		return
	}
	vi.VIPRetry = false
	for i, ok := range vi.Present {
		if ok {
			continue
		}
		if err := addrs.Add(vi.VIPs[i]); err != nil {
			vi.VIPRetry = true
			continue
		}
		vi.Present[i] = true
		vi.Log.Info("virtual address added on retry", "addr", vi.VIPs[i].Prefix)
	}
}

// DelVIPs removes every address of vi.
func (vi *Instance) DelVIPs(addrs system.Addresser) {
	vi.LogVIPs(false)
	for i, v := range vi.VIPs {
		if err := addrs.Del(v); err != nil {
			vi.Log.Error("remove virtual address", "addr", v.Prefix, "dev", vi.VIPIf[i], "err", err)
			continue
		}
		vi.Present[i] = false
	}
}

// SwapVIPs replaces vi's address list. While master it removes the
// addresses that went away and adds (and announces) only the new ones;
// addresses in both lists are not touched. While master, beforeAdd runs
// with the new list in place before any new address goes on.
func (vi *Instance) SwapVIPs(addrs system.Addresser, ann system.Announcer, vips []system.VIP, ifs []string, beforeAdd func()) {
	master := vi.M.State() == instance.Master
	present := make([]bool, len(vips))
	for j, ov := range vi.VIPs {
		if i := indexVIP(vips, ov); i >= 0 {
			present[i] = vi.Present[j]
			continue
		}
		if !vi.Present[j] {
			continue
		}
		if err := addrs.Del(ov); err != nil {
			vi.Log.Error("remove virtual address", "addr", ov.Prefix, "dev", vi.VIPIf[j], "err", err)
			continue
		}
		vi.Log.Info("virtual address removed by reload", "addr", ov.Prefix, "dev", vi.VIPIf[j])
	}
	if master {
		// no_accept: the drop set follows the new list before any new
		// address goes on, as on becoming master.
		old := vi.VIPs
		vi.VIPs = vips
		beforeAdd()
		vi.VIPs = old
	}
	var added []Target
	for i, nv := range vips {
		if !master || indexVIP(vi.VIPs, nv) >= 0 {
			continue
		}
		if err := addrs.Add(nv); err != nil {
			vi.Log.Error("add virtual address, will retry", "addr", nv.Prefix, "dev", ifs[i], "err", err)
			continue
		}
		present[i] = true
		added = append(added, Target{Ifindex: nv.Ifindex, Addr: nv.Prefix.Addr()})
		vi.Log.Info("virtual address added by reload", "addr", nv.Prefix, "dev", ifs[i])
	}
	vi.VIPs, vi.VIPIf, vi.Present = vips, ifs, present
	g := vi.M.Config().GARP
	vi.Announce(ann, added, g.MasterRepeat, g.Interval)
}

// Announce sends repeat rounds of GARP/NA for targets, interval apart (in
// the background when interval > 0, so the loop never sleeps), and counts
// them.
func (vi *Instance) Announce(ann system.Announcer, targets []Target, repeat int, interval time.Duration) {
	if repeat <= 0 || len(targets) == 0 {
		return
	}
	n := uint64(repeat * len(targets))
	if vi.Fam == vrrp.IPv6 {
		vi.Stats.UnsolicitedNASent += n
	} else {
		vi.Stats.GratuitousARPSent += n
	}
	send := func() {
		for r := range repeat {
			for i, t := range targets {
				if interval > 0 && (r > 0 || i > 0) {
					time.Sleep(interval)
				}
				if err := ann.Gratuitous(t.Ifindex, t.Addr); err != nil {
					vi.Log.Debug("gratuitous", "addr", t.Addr, "err", err)
				}
			}
		}
	}
	if interval > 0 {
		go send()
		return
	}
	send()
}

// indexVIP returns the index of the address in vips equal to v in every
// option, or -1.
func indexVIP(vips []system.VIP, v system.VIP) int {
	return slices.IndexFunc(vips, v.Equal)
}

// RemoveStale removes the VIPs of vis left on the interfaces by a process
// of ours that was killed (acassen/keepalived#672), before any instance
// starts.
func RemoveStale(log *slog.Logger, addrs interface {
	system.Addresser
	system.AddrLister
}, vis []*Instance) {
	var all []system.VIP
	for _, vi := range vis {
		all = append(all, vi.VIPs...)
	}
	removed, err := system.RemoveStale(addrs, addrs, all)
	if err != nil {
		log.Warn("remove stale virtual addresses", "err", err)
	}
	for _, v := range removed {
		log.Info("removed a stale virtual address left by an earlier run", "addr", v.Prefix, "ifindex", v.Ifindex)
	}
}

// Held returns the VIPs insts hold on their interfaces now (the LVS
// half's ha_suspend follows them).
func Held(insts []*Instance) map[netip.Addr]bool {
	held := map[netip.Addr]bool{}
	for _, vi := range insts {
		for i, v := range vi.VIPs {
			if vi.Present[i] {
				held[v.Prefix.Addr()] = true
			}
		}
	}
	return held
}
