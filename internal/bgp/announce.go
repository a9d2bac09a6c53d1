package bgp

import (
	"cmp"
	"net/netip"
	"slices"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/instance"
)

// Route is one prefix this node announces, with its path attributes and
// what it is announced for.
type Route struct {
	Prefix netip.Prefix
	Attrs  config.BGPAttrs
	// Group is the anycast_group, Instance the vrrp_instance, that asks
	// for the route; exactly one is set.
	Group    string `json:",omitempty"`
	Instance string `json:",omitempty"`
}

// Health is the state of every tracker by kind and name: true is healthy.
// A tracker missing from its map is not (yet) known to be healthy.
type Health struct {
	Scripts    map[string]bool
	Interfaces map[string]bool
	Files      map[string]bool
	Processes  map[string]bool
}

// VRRP is what Desired needs of one vrrp_instance: its state and its
// current (effective) priority.
type VRRP struct {
	State    instance.State
	Priority int
}

// Desired returns the routes this node should announce, sorted by prefix:
//   - each anycast_group's addresses while every tracker it names is
//     healthy (a group with no tracker is always announced);
//   - each bgp_announce instance's addresses, as host routes, while it is
//     MASTER; with med_from_priority or prepend_from_priority a BACKUP
//     announces them too, with a path worse than any MASTER's (see
//     instanceAttrs).
//
// A prefix asked for twice is announced once, with the attributes of the
// first asker in configuration order (groups before instances). Desired
// does not damp; HoldDown does.
func Desired(cfg *config.Config, h Health, vrrp map[string]VRRP) []Route {
	var out []Route
	seen := map[netip.Prefix]bool{}
	add := func(r Route) {
		if !seen[r.Prefix] {
			seen[r.Prefix] = true
			out = append(out, r)
		}
	}
	for _, g := range cfg.AnycastGroups {
		if !groupHealthy(g, h) {
			continue
		}
		for _, v := range g.VIPs {
			add(Route{Prefix: v.Prefix.Masked(), Attrs: g.BGPAttrs, Group: g.Name})
		}
	}
	for _, in := range cfg.Instances {
		if in.BGPAnnounce == nil {
			continue
		}
		attrs, ok := instanceAttrs(in.BGPAnnounce.Backup, vrrp[in.Name])
		if !ok {
			continue
		}
		for _, v := range in.VIPs {
			a := v.Prefix.Addr()
			add(Route{Prefix: netip.PrefixFrom(a, a.BitLen()), Attrs: attrs, Instance: in.Name})
		}
	}
	slices.SortFunc(out, func(a, b Route) int { return comparePrefix(a.Prefix, b.Prefix) })
	return out
}

// comparePrefix orders prefixes by address, then length.
func comparePrefix(a, b netip.Prefix) int {
	if c := a.Addr().Compare(b.Addr()); c != 0 {
		return c
	}
	return cmp.Compare(a.Bits(), b.Bits())
}

// groupHealthy says whether every tracker of g is healthy.
func groupHealthy(g *config.AnycastGroup, h Health) bool {
	for _, k := range []struct {
		refs []config.TrackRef
		m    map[string]bool
	}{{g.TrackScripts, h.Scripts}, {g.TrackInterfaces, h.Interfaces}, {g.TrackFiles, h.Files}, {g.TrackProcesses, h.Processes}} {
		for _, r := range k.refs {
			if !k.m[r.Name] {
				return false
			}
		}
	}
	return true
}

// instanceAttrs returns the attributes an instance in state s announces
// with, and false when it announces nothing. A MASTER announces plainly,
// or with MED 255-priority under med_from_priority. A BACKUP announces
// only under one of the options, with a path no MASTER's can be worse
// than: MED 511-priority (above every MASTER's 1..254, whatever the
// priorities), or its AS prepended 1 + (254-priority)/64 times (1 to 4).
// INIT and FAULT announce nothing.
func instanceAttrs(opt config.BackupAnnounce, s VRRP) (config.BGPAttrs, bool) {
	switch s.State {
	case instance.Master:
		if opt == config.BackupMED {
			return config.BGPAttrs{MED: uint32(255 - clampPrio(s.Priority)), HasMED: true}, true
		}
		return config.BGPAttrs{}, true
	case instance.Backup:
		switch opt {
		case config.BackupMED:
			return config.BGPAttrs{MED: uint32(511 - clampPrio(s.Priority)), HasMED: true}, true
		case config.BackupPrepend:
			return config.BGPAttrs{ASPathPrepend: 1 + (254-min(clampPrio(s.Priority), 254))/64}, true
		}
	}
	return config.BGPAttrs{}, false
}

// clampPrio keeps a priority in VRRP's 0..255.
func clampPrio(p int) int { return max(0, min(p, 255)) }
