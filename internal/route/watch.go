package daemon

import (
	"slices"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/instance"
	"github.com/gokeepalived/gokeepalived/internal/system"
)

// Routes and rules deleted from outside (an operator's `ip route del`,
// another daemon), as keepalived has them:
//
//   - A static route or rule is put back at once; the instances do not
//     change state. One that cannot be put back is off: it is retried at
//     every advert round and holds its track_group in FAULT meanwhile
//     (track_group.go).
//   - A virtual route or rule of a MASTER instance: keepalived drops the
//     instance to BACKUP, with a short master-down timer, to win the
//     entry back. As for virtual addresses (track_vip.go), gokeepalived
//     puts it back at once without a transition: the end is the same,
//     without the priority-0 advert and the flap. One that cannot be put
//     back is retried at every advert round.
//   - no_track: the deletion is ignored. A virtual entry comes back the
//     next time the instance becomes master, a static one at the next
//     reload that changes it or restart.
//   - As in keepalived, only routes and rules whose protocol is
//     keepalived (the default) are watched: a route configured with
//     `protocol static`, say, is not noticed when deleted.
//
// The watch starts when the configuration has a route or a rule, at start
// or at a reload.

// routeWatch is the daemon's side of the route and rule subscriptions.
type routeWatch struct {
	enabled       bool // the daemon runs: subscribe when something needs it
	routes, rules bool // subscribed
}

// startRouteWatch enables the route and rule watches and subscribes to
// those the configuration needs.
func (d *Daemon) startRouteWatch() {
	d.rtes.watch.enabled = true
	d.watchRoutes()
}

// watchRoutes subscribes to route and rule changes once the configuration
// has a static or virtual route or rule.
func (d *Daemon) watchRoutes() {
	w := &d.rtes.watch
	if !w.enabled {
		return
	}
	needRoutes, needRules := len(d.conf.StaticRoutes) > 0, len(d.conf.StaticRules) > 0
	for _, ci := range d.conf.Instances {
		needRoutes = needRoutes || len(ci.VirtualRoutes) > 0
		needRules = needRules || len(ci.VirtualRules) > 0
	}
	if needRoutes && !w.routes {
		ch, err := system.WatchRoutes(d.runCtx, d.log)
		if err != nil {
			d.log.Error("watch routes: routes deleted from outside are not noticed", "err", err)
		} else {
			w.routes = true
			go forward(d, ch, "route", func(ev system.RouteEvent) bool {
				return !ev.New && ev.Protocol == system.ProtoKeepalived
			}, d.routeDeleted, func() { w.routes = false })
		}
	}
	if needRules && !w.rules {
		ch, err := system.WatchRules(d.runCtx, d.log)
		if err != nil {
			d.log.Error("watch rules: rules deleted from outside are not noticed", "err", err)
		} else {
			w.rules = true
			go forward(d, ch, "rule", func(ev system.RuleEvent) bool {
				p := ev.Rule.Protocol
				return !ev.New && (p == system.ProtoKeepalived || p == 0)
			}, d.ruleDeleted, func() { w.rules = false })
		}
	}
}

// forward runs in its own goroutine: it posts the events keep accepts to
// the loop, which runs handle. When the watch ends before the daemon
// stops (a socket overflow), it subscribes again a second later, on the
// loop; the deletions in between are missed.
func forward[E any](d *Daemon, ch <-chan E, what string, keep func(E) bool, handle func(E), ended func()) {
	for ev := range ch {
		if keep(ev) {
			d.post(func() { handle(ev) })
		}
	}
	if d.runCtx.Err() != nil {
		return
	}
	d.log.Warn(what + " watch ended: subscribing again")
	select {
	case <-time.After(time.Second):
	case <-d.runCtx.Done():
		return
	}
	d.post(func() {
		ended()
		d.watchRoutes()
	})
}

// devIndex resolves an interface name for RouteEvent.Matches; -1 when it
// is missing.
func (d *Daemon) devIndex(name string) int {
	l, err := d.sys.links.Lookup(name)
	if err != nil {
		return -1
	}
	return l.Index
}

// routeDeleted puts back our routes that ev says were removed.
func (d *Daemon) routeDeleted(ev system.RouteEvent) {
	d.entriesGone(func(e *entry) bool { return e.route != nil && ev.Matches(*e.route, d.devIndex) })
}

// ruleDeleted puts back our rules that ev says were removed.
func (d *Daemon) ruleDeleted(ev system.RuleEvent) {
	d.entriesGone(func(e *entry) bool { return e.rule != nil && ev.Matches(*e.rule) })
}

// entriesGone puts back the static entries, and the virtual entries of
// master instances, that are on and that gone picks.
func (d *Daemon) entriesGone(gone func(*entry) bool) {
	failed := false
	for _, e := range d.rtes.statics {
		if !e.on || !gone(e) {
			continue
		}
		if e.static.noTrack {
			d.log.Warn("static " + e.String() + " removed from outside; no_track: not putting it back")
			continue
		}
		e.on = false
		if err := d.put(e, true); err != nil {
			d.log.Warn("static "+e.String()+" removed from outside and cannot be put back, will retry", "err", err)
			failed = true
			continue
		}
		d.log.Info("static " + e.String() + " removed from outside: put back")
	}
	if failed {
		for _, vi := range d.insts {
			d.refreshEffects(vi) // track_group faults
		}
	}
	for _, vi := range d.insts {
		if !vi.routes.built || vi.m.State() != instance.Master {
			continue
		}
		for _, e := range slices.Concat(vi.routes.routes, vi.routes.rules) {
			if !e.on || !gone(e) {
				continue
			}
			if e.static.noTrack {
				vi.log.Warn("virtual " + e.String() + " removed from outside; no_track: not putting it back")
				continue
			}
			e.on = false
			if err := d.put(e, true); err != nil {
				vi.log.Warn("virtual "+e.String()+" removed from outside and cannot be put back, will retry", "err", err)
				vi.routes.pending = true // retryRoutes, at the next advert
				continue
			}
			vi.log.Warn("virtual " + e.String() + " removed from outside: put back")
		}
	}
}
