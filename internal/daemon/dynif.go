package daemon

import (
	"net/netip"

	"github.com/gokeepalived/gokeepalived/internal/system"
	"github.com/gokeepalived/gokeepalived/internal/updown"
	"github.com/gokeepalived/gokeepalived/internal/vinst"
	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

// Interfaces that come and go: dynamic_interfaces (an instance whose
// interface is missing waits in FAULT for it), interface_up_down_delays
// (link flaps are debounced before instances see them), and the advert
// source re-read when the interface's addresses change (no usable address
// means FAULT, as keepalived's "no IPv4 address for interface").

// bindInstance registers vi for received adverts and opens (or shares) its
// socket; an instance whose interface is missing is bound when it appears.
func (d *Daemon) bindInstance(vi *vinst.Instance) error {
	if vi.Dyn.Missing {
		vi.Log.Warn("interface does not exist yet: the instance stays in FAULT until it appears (dynamic_interfaces)")
		return nil
	}
	if err := d.rx.Bind(vi); err != nil {
		return err
	}
	vi.CheckUnicastSrc(d.sys.addrs)
	return nil
}

// dynLinkChanged applies a link event before the instances' effects are
// refreshed: an awaited interface appearing, an instance's interface being
// deleted, and the debounced up/down state.
func (d *Daemon) dynLinkChanged(ev system.LinkEvent) {
	d.routes().LinkChanged(ev) // static entries on the interface
	for _, vi := range d.insts {
		switch {
		case vi.Dyn.Missing && !ev.Deleted && ev.Name == vi.Link.Name:
			d.linkAppeared(vi, ev.Link)
		case !vi.Dyn.Missing && ev.Deleted && ev.Index == vi.Link.Index:
			d.linkDeleted(vi)
		case !vi.Dyn.Missing && ev.Index != vi.Link.Index:
			vi.VIPLinkChanged(ev)
		}
	}
	d.debounce(ev.Name, ev.Up && !ev.Deleted, ev.Deleted)
}

// debounce records an interface's raw state; the instances see it after
// interface_up_down_delays (deletion is never delayed).
func (d *Daemon) debounce(name string, up, now bool) {
	d.fx.links.Event(name, up, now, updown.Delay(d.conf.InterfaceUpDownDelays, name, up), func() (bool, bool) {
		seen, ok := false, false
		for _, vi := range d.insts {
			if vi.Link.Name == name && !vi.Dyn.Missing {
				seen, ok = vi.Link.Up, true
			}
		}
		return seen, ok
	})
}

// setLinkUp sets the up state instances on name see.
func (d *Daemon) setLinkUp(name string, up bool) {
	for _, vi := range d.insts {
		if vi.Link.Name == name && !vi.Dyn.Missing {
			vi.Link.Up = up
		}
	}
}

// linkUp returns the debounced state of a tracked interface (track_interface):
// false when it does not exist.
func (d *Daemon) linkUp(name string) bool {
	l, err := d.sys.links.Lookup(name)
	if err != nil {
		return false
	}
	if up, ok := d.fx.links.Up(name); ok {
		return up
	}
	return l.Up
}

// post runs fn on the loop (from a timer or watcher goroutine); it gives
// up when the daemon stops.
func (d *Daemon) post(fn func()) {
	select {
	case d.loop.reqCh <- fn:
	case <-d.loop.ctx.Done():
	}
}

// linkAppeared starts an instance whose interface was missing: VIPs and the
// source address are resolved and the socket opened. Its effects are
// refreshed by the caller, which lifts the FAULT.
func (d *Daemon) linkAppeared(vi *vinst.Instance, l system.Link) {
	vi.Log.Info("interface appeared", "ifindex", l.Index)
	up := l.Up
	if eff, ok := d.fx.links.Up(l.Name); ok {
		up = eff
	}
	vi.Link, vi.Link.Up = l, up
	vi.Dyn.Missing = false
	vi.VIPs, vi.VIPIf = nil, nil
	if err := vi.ResolveVIPs(d.sys.links); err != nil {
		vi.Log.Error("interface appeared, but a virtual address cannot be placed", "err", err)
	}
	vi.RereadSource(d.sys.links)
	if err := d.bindInstance(vi); err != nil {
		vi.Log.Error("interface appeared, but the instance cannot use it", "err", err)
	}
}

// linkDeleted puts an instance whose interface went away in FAULT and
// closes its socket; it waits for the interface to come back.
func (d *Daemon) linkDeleted(vi *vinst.Instance) {
	vi.Log.Warn("interface deleted: the instance is in FAULT until it comes back")
	vi.Dyn.Missing = true
	vi.Link.Up = false
	d.refreshEffects(vi) // leave MASTER (priority 0) while the socket is open
	d.rx.Unbind(vi)
	vi.Link.Index = 0
}

// addrChanged re-reads the advert source of the instances on the event's
// interface.
func (d *Daemon) addrChanged(ev system.AddrEvent) {
	// static addresses removed from outside (package route)
	if d.routes().AddrChanged(ev) {
		d.refreshAll()
	}
	d.trackSrcAddr(ev) // track_src.go: track_src_ip
	if d.isOurVIP(ev.Ifindex, ev.Prefix.Addr()) {
		// Our own VIPs never become an advert source (resolveSource
		// excludes them): re-reading every instance's source for each VIP
		// added or removed cost 255 × 255 netlink dumps at start-up with
		// 255 instances and delayed adverts by ~100 ms for a minute.
		if !ev.New {
			d.vipRemoved(ev) // track_vip.go
		}
		return
	}
	for _, vi := range d.insts {
		if vi.Dyn.Missing || vi.SrcLink().Index != ev.Ifindex {
			continue
		}
		if (vi.Fam == vrrp.IPv6) != ev.Prefix.Addr().Is6() {
			continue
		}
		if vi.RereadSource(d.sys.links) {
			d.refreshEffects(vi)
		}
	}
}

// isOurVIP reports whether addr on ifindex is a virtual address of one of
// our instances.
func (d *Daemon) isOurVIP(ifindex int, addr netip.Addr) bool {
	for _, vi := range d.insts {
		for _, v := range vi.VIPs {
			if v.Ifindex == ifindex && v.Prefix.Addr() == addr {
				return true
			}
		}
	}
	return false
}

// startAddrWatch forwards address changes to the loop.
func (d *Daemon) startAddrWatch() {
	d.watchRoutes() // routes.go: and route and rule deletions
	ch, err := d.sys.WatchAddrs(d.loop.ctx, d.log)
	if err != nil {
		d.log.Error("watch addresses: advert sources are fixed at start-up", "err", err)
		return
	}
	go func() {
		for ev := range ch {
			d.post(func() { d.addrChanged(ev) })
		}
	}()
}
