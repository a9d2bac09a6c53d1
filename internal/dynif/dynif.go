package dynif

import (
	"context"
	"log/slog"
	"net/netip"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/system"
	"github.com/gokeepalived/gokeepalived/internal/updown"
	"github.com/gokeepalived/gokeepalived/internal/vinst"
	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

// Deps is what a Watcher reads from and does to the loop. All are
// required.
type Deps struct {
	Log   *slog.Logger
	Links vinst.Links
	Addrs system.AddrLister
	// Insts returns the running instances.
	Insts func() []*vinst.Instance
	// Delays returns the configuration's interface_up_down_delays.
	Delays func() []config.UpDownDelay
	// Bind registers an instance for received adverts and opens its
	// socket; Unbind closes it.
	Bind   func(*vinst.Instance) error
	Unbind func(*vinst.Instance)
	// Refresh recomputes one instance's tracker effects, RefreshAll every
	// instance's.
	Refresh    func(*vinst.Instance)
	RefreshAll func()
	// Post runs f on the loop; it is called from other goroutines.
	Post func(f func())
}

// Watcher follows interfaces and addresses for the loop. Every method
// runs on the loop.
type Watcher struct {
	deps  Deps
	links updown.Debouncer
	names map[int]string // each ifindex's name in the last event about it
}

// New returns a Watcher that knows no interface yet.
func New(deps Deps) *Watcher {
	w := &Watcher{deps: deps}
	w.links = updown.Debouncer{Log: deps.Log, Set: w.setLinkUp, Applied: deps.RefreshAll,
		Later: func(delay time.Duration, f func()) { time.AfterFunc(delay, func() { deps.Post(f) }) }}
	return w
}

// Bind registers vi for received adverts and opens (or shares) its
// socket; an instance whose interface is missing is bound when it appears.
func (w *Watcher) Bind(vi *vinst.Instance) error {
	if vi.Dyn.Missing {
		vi.Log.Warn("interface does not exist yet: the instance stays in FAULT until it appears (dynamic_interfaces)")
		return nil
	}
	if err := w.deps.Bind(vi); err != nil {
		return err
	}
	vi.CheckUnicastSrc(w.deps.Addrs)
	return nil
}

// LinkChanged applies a link event before the instances' effects are
// refreshed (by the caller): an awaited interface appearing, an
// instance's interface being deleted, and the debounced up/down state.
func (w *Watcher) LinkChanged(ev system.LinkEvent) {
	for _, vi := range w.deps.Insts() {
		switch {
		case vi.Dyn.Missing && !ev.Deleted && ev.Name == vi.Link.Name:
			w.linkAppeared(vi, ev.Link)
		case !vi.Dyn.Missing && ev.Deleted && ev.Index == vi.Link.Index:
			w.linkDeleted(vi)
		case !vi.Dyn.Missing && ev.Index != vi.Link.Index:
			vi.VIPLinkChanged(ev)
		}
	}
	if old, ok := w.names[ev.Index]; ok && old != ev.Name {
		w.links.Forget(old) // renamed: the old name is looked up again if read
	}
	if w.names == nil {
		w.names = map[int]string{}
	}
	w.names[ev.Index] = ev.Name
	if ev.Deleted {
		delete(w.names, ev.Index)
	}
	w.debounce(ev.Name, ev.Up && !ev.Deleted, ev.Deleted)
}

// debounce records an interface's raw state; the instances see it after
// interface_up_down_delays (deletion is never delayed).
func (w *Watcher) debounce(name string, up, now bool) {
	w.links.Event(name, up, now, updown.Delay(w.deps.Delays(), name, up), func() (bool, bool) {
		seen, ok := false, false
		for _, vi := range w.deps.Insts() {
			if vi.Link.Name == name && !vi.Dyn.Missing {
				seen, ok = vi.Link.Up, true
			}
		}
		return seen, ok
	})
}

// setLinkUp sets the up state instances on name see.
func (w *Watcher) setLinkUp(name string, up bool) {
	for _, vi := range w.deps.Insts() {
		if vi.Link.Name == name && !vi.Dyn.Missing {
			vi.Link.Up = up
		}
	}
}

// LinkUp returns the debounced state of a tracked interface
// (track_interface, an anycast group's track_interface): false when it
// does not exist. The link watcher reports every interface and every
// change, so only an interface no event has named yet is looked up, once;
// what the lookup found stands until the watcher says otherwise.
func (w *Watcher) LinkUp(name string) bool {
	if up, ok := w.links.Up(name); ok {
		return up
	}
	l, err := w.deps.Links.Lookup(name)
	up := err == nil && l.Up
	w.links.Seed(name, up)
	return up
}

// linkAppeared starts an instance whose interface was missing: VIPs and the
// source address are resolved and the socket opened. Its effects are
// refreshed by the caller, which lifts the FAULT.
func (w *Watcher) linkAppeared(vi *vinst.Instance, l system.Link) {
	vi.Log.Info("interface appeared", "ifindex", l.Index)
	up := l.Up
	if eff, ok := w.links.Up(l.Name); ok {
		up = eff
	}
	vi.Link, vi.Link.Up = l, up
	vi.Dyn.Missing = false
	vi.VIPs, vi.VIPIf = nil, nil
	if err := vi.ResolveVIPs(w.deps.Links); err != nil {
		vi.Log.Error("interface appeared, but a virtual address cannot be placed", "err", err)
	}
	vi.RereadSource(w.deps.Links)
	if err := w.Bind(vi); err != nil {
		vi.Log.Error("interface appeared, but the instance cannot use it", "err", err)
	}
}

// linkDeleted puts an instance whose interface went away in FAULT and
// closes its socket; it waits for the interface to come back.
func (w *Watcher) linkDeleted(vi *vinst.Instance) {
	vi.Log.Warn("interface deleted: the instance is in FAULT until it comes back")
	vi.Dyn.Missing = true
	vi.Link.Up = false
	w.deps.Refresh(vi) // leave MASTER (priority 0) while the socket is open
	w.deps.Unbind(vi)
	vi.Link.Index = 0
}

// AddrChanged re-reads the advert source of the instances on the event's
// interface, and the tracked source (track_src_ip); a VIP of ours removed
// from outside is put back.
func (w *Watcher) AddrChanged(ev system.AddrEvent) {
	w.trackSrcAddr(ev)
	insts := w.deps.Insts()
	if isOurVIP(insts, ev.Ifindex, ev.Prefix.Addr()) {
		// Our own VIPs never become an advert source (resolveSource
		// excludes them): re-reading every instance's source for each VIP
		// added or removed cost 255 × 255 netlink dumps at start-up with
		// 255 instances and delayed adverts by ~100 ms for a minute.
		if !ev.New {
			vipRemoved(insts, ev)
		}
		return
	}
	for _, vi := range insts {
		if vi.Dyn.Missing || vi.SrcLink().Index != ev.Ifindex {
			continue
		}
		if (vi.Fam == vrrp.IPv6) != ev.Prefix.Addr().Is6() {
			continue
		}
		if vi.RereadSource(w.deps.Links) {
			w.deps.Refresh(vi)
		}
	}
}

// isOurVIP reports whether addr on ifindex is a virtual address of one of
// insts.
func isOurVIP(insts []*vinst.Instance, ifindex int, addr netip.Addr) bool {
	for _, vi := range insts {
		for _, v := range vi.VIPs {
			if v.Ifindex == ifindex && v.Prefix.Addr() == addr {
				return true
			}
		}
	}
	return false
}

// Watch forwards address changes to the loop (AddrChanged through f)
// until ctx ends.
func Watch(ctx context.Context, log *slog.Logger, watch func(context.Context, *slog.Logger) (<-chan system.AddrEvent, error),
	post func(func()), f func(system.AddrEvent)) {
	ch, err := watch(ctx, log)
	if err != nil {
		log.Error("watch addresses: advert sources are fixed at start-up", "err", err)
		return
	}
	go func() {
		for ev := range ch {
			post(func() { f(ev) })
		}
	}()
}
