package route

import (
	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/effect"
	"github.com/gokeepalived/gokeepalived/internal/system"
)

// Static entries and track_group, as keepalived has them:
//
//   - A static address removed from outside is put back at once (unless it
//     is no_track), whether or not it names a track group; the instances
//     do not change state for that.
//   - When the interface of a static entry comes up again, the static
//     addresses and routes on it are put back (the kernel flushes routes
//     with the link).
//   - The instances of a track group track the interface of each static
//     entry naming the group (the address's dev, the route's dev, the
//     rule's iif): FAULT while it is down or missing, as for
//     track_interface with weight 0.
//
// keepalived's manual also says an instance goes to FAULT when a tracked
// entry "is deleted and cannot be restored"; gokeepalived does that: a
// tracked entry that is not on (it failed to go on at start, or was
// removed and could not be put back) holds the group's instances in FAULT
// until it is on again (package effect decides that from Tracked). Routes
// and rules removed from outside are noticed and put back by the watch
// (watch.go).

// staticTrack is a static entry's tracking side.
type staticTrack struct {
	group   string // track_group; empty when untracked
	noTrack bool   // no_track: never put back, never tracked
	dev     string // the interface it lives on; empty when none is named
	sawDown bool   // its interface was seen down or deleted since it was last put on
}

// addrTrack, routeTrack and ruleTrack describe static entries of c.
func addrTrack(c *config.Config, v config.VIP) staticTrack {
	dev := v.Dev
	if dev == "" {
		dev = c.Global.DefaultInterface
	}
	return staticTrack{group: v.TrackGroup, noTrack: v.NoTrack, dev: dev}
}

func routeTrack(r config.Route) staticTrack {
	return staticTrack{group: r.TrackGroup, noTrack: r.NoTrack, dev: r.Dev}
}

func ruleTrack(r config.Rule) staticTrack {
	return staticTrack{group: r.TrackGroup, noTrack: r.NoTrack, dev: r.Iif}
}

// withTrack sets st on each of es and returns them.
func withTrack(es []*entry, st staticTrack) []*entry {
	for _, e := range es {
		e.static = st
	}
	return es
}

// Tracked returns the static entries that name a track group, for
// effect.Compute.
func (t *Table) Tracked() []effect.Static {
	var out []effect.Static
	for _, e := range t.statics {
		if e.static.group != "" {
			out = append(out, effect.Static{Group: e.static.group, NoTrack: e.static.noTrack,
				Dev: e.static.dev, Entry: e.String(), On: e.on})
		}
	}
	return out
}

// AddrChanged puts back a static address removed from outside (an
// address event); an address that appears may also let a static entry
// that failed go on (a route through it, or the address added by hand).
// It reports whether the instances' effects need a refresh: a tracked
// entry went on, or one could not be put back.
func (t *Table) AddrChanged(ev system.AddrEvent) (refresh bool) {
	if ev.New {
		return t.RetryStatics()
	}
	for _, e := range t.statics {
		if e.addr == nil || e.static.noTrack || !e.on || e.addr.Ifindex != ev.Ifindex || e.addr.Prefix.Addr() != ev.Prefix.Addr() {
			continue
		}
		e.on = false
		if err := t.put(e, true); err != nil {
			t.log.Warn("static address removed from outside and cannot be put back", "addr", e.addr.Prefix, "dev", e.static.dev, "err", err)
			refresh = true
			continue
		}
		t.log.Info("static address removed from outside: put back", "addr", e.addr.Prefix, "dev", e.static.dev)
	}
	return refresh
}

// LinkChanged follows the interfaces of static entries (a link event,
// before the instances' effects are refreshed): an address follows its
// interface to a new index when it is re-created, and the addresses and
// routes on an interface coming up are put back, as keepalived does.
// Rules stay in the kernel when their interface goes; only a rule that
// failed is tried again.
func (t *Table) LinkChanged(ev system.LinkEvent) {
	for _, e := range t.statics {
		if e.static.dev != ev.Name || e.static.noTrack {
			continue
		}
		if ev.Deleted || !ev.Up {
			e.static.sawDown = true
			if ev.Deleted && e.rule == nil {
				e.on = false // gone with the interface
			}
			continue
		}
		if e.addr != nil && e.addr.Ifindex != ev.Index {
			t.log.Info("interface of a static address re-created", "addr", e.addr.Prefix, "dev", ev.Name, "ifindex", ev.Index)
			e.addr.Ifindex, e.on = ev.Index, false
		}
		if !e.on || (e.static.sawDown && e.rule == nil) {
			if err := t.put(e, true); err != nil {
				t.log.Warn("interface up, but static "+e.String()+" cannot be put back", "err", err)
				continue
			}
			t.log.Info("interface up: static " + e.String() + " put back")
		}
		e.static.sawDown = false
	}
}
