package route

import (
	"context"
	"log/slog"
	"slices"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/system"
)

// Routes and rules deleted from outside (an operator's `ip route del`,
// another daemon), as keepalived has them:
//
//   - A static route or rule is put back at once; the instances do not
//     change state. One that cannot be put back is off: it is retried at
//     every advert round and holds its track_group in FAULT meanwhile
//     (static.go).
//   - A virtual route or rule of a MASTER instance: keepalived drops the
//     instance to BACKUP, with a short master-down timer, to win the
//     entry back. As for virtual addresses (package daemon), gokeepalived
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

// watchState is the Table's side of the route and rule subscriptions.
type watchState struct {
	ctx           context.Context // set by Watch: subscribe when something needs it
	post          func(func())
	masters       func() []*Virtual
	refresh       func()
	conf          *config.Config // the configuration last subscribed for
	routes, rules bool           // subscribed
}

// Watch enables the route and rule watches, and subscribes to those c
// needs. post runs a function on the loop; masters returns the Virtuals of
// the instances that are master (their entries are put back); refresh is
// called when a static entry could not be put back (track_group faults).
// The watches end with ctx.
func (t *Table) Watch(ctx context.Context, c *config.Config, post func(func()), masters func() []*Virtual, refresh func()) {
	t.watch = watchState{ctx: ctx, post: post, masters: masters, refresh: refresh}
	t.subscribe(c)
}

// subscribe subscribes to route and rule changes once the configuration
// has a static or virtual route or rule, when Watch has enabled it.
func (t *Table) subscribe(c *config.Config) {
	w := &t.watch
	if w.ctx == nil {
		return
	}
	w.conf = c
	needRoutes, needRules := len(c.StaticRoutes) > 0, len(c.StaticRules) > 0
	for _, ci := range c.Instances {
		needRoutes = needRoutes || len(ci.VirtualRoutes) > 0
		needRules = needRules || len(ci.VirtualRules) > 0
	}
	if needRoutes && !w.routes {
		ch, err := system.WatchRoutes(w.ctx, t.log)
		if err != nil {
			t.log.Error("watch routes: routes deleted from outside are not noticed", "err", err)
		} else {
			w.routes = true
			go forward(t, ch, "route", func(ev system.RouteEvent) bool {
				return !ev.New && ev.Protocol == system.ProtoKeepalived
			}, t.routeDeleted, func() { w.routes = false })
		}
	}
	if needRules && !w.rules {
		ch, err := system.WatchRules(w.ctx, t.log)
		if err != nil {
			t.log.Error("watch rules: rules deleted from outside are not noticed", "err", err)
		} else {
			w.rules = true
			go forward(t, ch, "rule", func(ev system.RuleEvent) bool {
				p := ev.Rule.Protocol
				return !ev.New && (p == system.ProtoKeepalived || p == 0)
			}, t.ruleDeleted, func() { w.rules = false })
		}
	}
}

// forward runs in its own goroutine: it posts the events keep accepts to
// the loop, which runs handle. When the watch ends before the daemon
// stops (a socket overflow), it subscribes again a second later, on the
// loop; the deletions in between are missed.
func forward[E any](t *Table, ch <-chan E, what string, keep func(E) bool, handle func(E), ended func()) {
	w := &t.watch
	for ev := range ch {
		if keep(ev) {
			w.post(func() { handle(ev) })
		}
	}
	if w.ctx.Err() != nil {
		return
	}
	t.log.Warn(what + " watch ended: subscribing again")
	select {
	case <-time.After(time.Second):
	case <-w.ctx.Done():
		return
	}
	w.post(func() {
		ended()
		t.subscribe(w.conf)
	})
}

// devIndex resolves an interface name for RouteEvent.Matches; -1 when it
// is missing.
func (t *Table) devIndex(name string) int {
	if t.lookup == nil {
		return -1
	}
	l, err := t.lookup(name)
	if err != nil {
		return -1
	}
	return l.Index
}

// routeDeleted puts back our routes that ev says were removed.
func (t *Table) routeDeleted(ev system.RouteEvent) {
	t.entriesGone(func(e *entry) bool { return e.route != nil && ev.Matches(*e.route, t.devIndex) })
}

// ruleDeleted puts back our rules that ev says were removed.
func (t *Table) ruleDeleted(ev system.RuleEvent) {
	t.entriesGone(func(e *entry) bool { return e.rule != nil && ev.Matches(*e.rule) })
}

// entriesGone puts back the static entries, and the virtual entries of
// master instances, that are on and that gone picks.
func (t *Table) entriesGone(gone func(*entry) bool) {
	failed := false
	for _, e := range t.statics {
		failed = !t.putBack(e, gone, "static ", t.log) || failed
	}
	if failed && t.watch.refresh != nil {
		t.watch.refresh() // track_group faults
	}
	if t.watch.masters == nil {
		return
	}
	for _, v := range t.watch.masters() {
		for _, e := range slices.Concat(v.routes, v.rules) {
			if !t.putBack(e, gone, "virtual ", v.log) {
				v.pending = true // Retry, at the next advert
			}
		}
	}
}

// putBack puts e back when it is on, gone picks it and it is tracked. It
// reports false when e could not be put back.
func (t *Table) putBack(e *entry, gone func(*entry) bool, kind string, log *slog.Logger) bool {
	if !e.on || !gone(e) {
		return true
	}
	if e.static.noTrack {
		log.Warn(kind + e.String() + " removed from outside; no_track: not putting it back")
		return true
	}
	e.on = false
	if err := t.put(e, true); err != nil {
		log.Warn(kind+e.String()+" removed from outside and cannot be put back, will retry", "err", err)
		return false
	}
	if kind == "static " {
		log.Info(kind + e.String() + " removed from outside: put back")
	} else {
		log.Warn(kind + e.String() + " removed from outside: put back")
	}
	return true
}
