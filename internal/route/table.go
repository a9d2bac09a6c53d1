package daemon

import (
	"errors"
	"io"
	"reflect"
	"slices"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/instance"
	"github.com/gokeepalived/gokeepalived/internal/system"
)

// routing is what the daemon needs from the kernel's routing tables.
type routing interface {
	system.Router
	system.Ruler
}

// routeState is the daemon's side of routes and rules: the netlink handle
// (opened on first use) and the static_* entries.
type routeState struct {
	r       routing
	statics []*entry
	watch   routeWatch // deletions from outside (route_watch.go)
}

// vroutes are one instance's virtual_routes and virtual_rules, resolved
// once from its configuration.
type vroutes struct {
	built   bool
	routes  []*entry
	rules   []*entry
	pending bool // some entry failed to go on while master
}

// entry is one route, rule or static address and whether it is on.
type entry struct {
	route  *system.Route
	rule   *system.Rule
	addr   *system.VIP
	on     bool
	static staticTrack // static entries: track_group, no_track, interface (track_group.go); virtual ones: no_track
}

func (e *entry) String() string {
	switch {
	case e.route != nil:
		return "route " + e.route.String()
	case e.rule != nil:
		return "rule " + e.rule.String()
	}
	return "address " + e.addr.String()
}

// routing returns the netlink handle, opening it on first use.
func (d *Daemon) routing() (routing, error) {
	if d.rtes.r == nil {
		rt, err := system.NewRouting(d.log)
		if err != nil {
			return nil, err
		}
		d.rtes.r = rt
	}
	return d.rtes.r, nil
}

// put adds (on) or removes (!on) e and records whether it is on.
func (d *Daemon) put(e *entry, on bool) error {
	var err error
	if e.addr != nil {
		if on {
			err = d.sys.addrs.Add(*e.addr)
		} else {
			err = d.sys.addrs.Del(*e.addr)
		}
	} else {
		var rt routing
		if rt, err = d.routing(); err == nil {
			switch {
			case e.route != nil && on:
				err = rt.AddRoute(*e.route)
			case e.route != nil:
				err = rt.DelRoute(*e.route)
			case on:
				err = rt.AddRule(*e.rule)
			default:
				err = rt.DelRule(*e.rule)
			}
		}
	}
	if err == nil {
		e.on = on
	}
	return err
}

// instRoutes builds vi's virtual_routes and virtual_rules entries on first
// use. The config package has already parsed and checked every option (and
// dropped what keepalived drops), so this cannot fail.
func (d *Daemon) instRoutes(vi *vinst) *vroutes {
	if vi.routes.built {
		return &vi.routes
	}
	vi.routes = vroutes{built: true}
	vi.routes.routes, vi.routes.rules = buildEntries(vi.conf.VirtualRoutes, vi.conf.VirtualRules)
	return &vi.routes
}

// buildEntries turns config routes and rules into entries.
func buildEntries(routes []config.Route, rules []config.Rule) (rs, us []*entry) {
	for _, c := range routes {
		r := sysRoute(c)
		rs = append(rs, &entry{route: &r, static: staticTrack{noTrack: c.NoTrack}})
	}
	for _, c := range rules {
		r := sysRule(c)
		us = append(us, &entry{rule: &r, static: staticTrack{noTrack: c.NoTrack}})
	}
	return rs, us
}

// addRoutes puts vi's virtual routes, then its rules, on (after its VIPs,
// keepalived's order); a failure is logged and retried at the next advert.
func (d *Daemon) addRoutes(vi *vinst) {
	vr := d.instRoutes(vi)
	vr.pending = false
	for _, e := range slices.Concat(vr.routes, vr.rules) {
		if err := d.put(e, true); err != nil {
			vi.log.Error("add virtual "+e.String()+", will retry", "err", err)
			vr.pending = true
		}
	}
}

// delRoutes takes vi's virtual rules, then its routes off (before its
// VIPs, keepalived's order).
func (d *Daemon) delRoutes(vi *vinst) {
	vr := d.instRoutes(vi)
	vr.pending = false
	for _, e := range slices.Concat(vr.rules, vr.routes) {
		if err := d.put(e, false); err != nil {
			vi.log.Error("remove virtual "+e.String(), "err", err)
		}
	}
}

// retryRoutes re-adds virtual routes and rules that failed to go on while
// vi is master, and static entries that failed at start.
func (d *Daemon) retryRoutes(vi *vinst) {
	d.retryStatics()
	vr := d.instRoutes(vi)
	if !vr.pending || vi.m.State() != instance.Master {
		return
	}
	vr.pending = false
	for _, e := range slices.Concat(vr.routes, vr.rules) {
		if e.on {
			continue
		}
		if err := d.put(e, true); err != nil {
			vr.pending = true
			continue
		}
		vi.log.Info("virtual " + e.String() + " added on retry")
	}
}

// staticEntries resolves static_ipaddress, static_routes and static_rules
// of c, in the order they go on.
func (d *Daemon) staticEntries(c *config.Config) []*entry {
	var out []*entry
	for _, v := range c.StaticAddresses {
		sv, err := d.staticVIP(c, v)
		if err != nil {
			d.log.Error("static address skipped", "pos", v.Pos.String(), "addr", v.Prefix, "err", err)
			continue
		}
		out = append(out, &entry{addr: &sv, static: addrTrack(c, v)})
	}
	for _, r := range c.StaticRoutes {
		rs, _ := buildEntries([]config.Route{r}, nil)
		out = append(out, withTrack(rs, routeTrack(r))...)
	}
	for _, r := range c.StaticRules {
		_, us := buildEntries(nil, []config.Rule{r})
		out = append(out, withTrack(us, ruleTrack(r))...)
	}
	return out
}

// staticVIP resolves a static address; without dev it goes on
// default_interface.
func (d *Daemon) staticVIP(c *config.Config, v config.VIP) (system.VIP, error) {
	dev := v.Dev
	if dev == "" {
		dev = c.Global.DefaultInterface
	}
	if dev == "" {
		return system.VIP{}, errors.New("no dev and no default_interface")
	}
	l, err := d.sys.links.Lookup(dev)
	if err != nil {
		return system.VIP{}, err
	}
	return sysVIP(v, l.Index), nil
}

// startStatics puts the static addresses, routes and rules on, before any
// instance starts; failures are logged and retried at every advert.
func (d *Daemon) startStatics() {
	d.rtes.statics = d.staticEntries(d.conf)
	for _, e := range d.rtes.statics {
		if err := d.put(e, true); err != nil {
			d.log.Error("add static "+e.String()+", will retry", "err", err)
		}
	}
}

// retryStatics re-adds static entries that are not on yet.
func (d *Daemon) retryStatics() {
	for _, e := range d.rtes.statics {
		if e.on {
			continue
		}
		if err := d.put(e, true); err == nil {
			d.log.Info("static " + e.String() + " added on retry")
			d.staticBack(e) // track_group.go
		}
	}
}

// stopRoutes takes the static entries off in reverse order (rules, routes,
// addresses) and closes the netlink handle. Call it after every instance
// has stopped.
func (d *Daemon) stopRoutes() {
	for i := len(d.rtes.statics) - 1; i >= 0; i-- {
		e := d.rtes.statics[i]
		if err := d.put(e, false); err != nil {
			d.log.Error("remove static "+e.String(), "err", err)
		}
	}
	d.rtes.statics = nil
	if c, ok := d.rtes.r.(io.Closer); ok {
		c.Close()
	}
	d.rtes.r = nil
}

// reloadStatics moves the static entries to those of newConf: entries no
// longer configured come off, new ones go on, unchanged ones are left
// alone. For reload.
func (d *Daemon) reloadStatics(newConf *config.Config) {
	next := d.staticEntries(newConf)
	for i := len(d.rtes.statics) - 1; i >= 0; i-- {
		old := d.rtes.statics[i]
		if j := indexEntry(next, old); j >= 0 {
			next[j].on = old.on
			continue
		}
		if err := d.put(old, false); err != nil {
			d.log.Error("remove static "+old.String(), "err", err)
		}
	}
	d.rtes.statics = next
	d.retryStatics()
	d.watchRoutes() // route_watch.go: a reload may bring the first route
}

// swapRoutes moves vi's virtual routes and rules to those of vi.conf
// (after a reload changed them in place): while master, the ones gone come
// off and the new ones go on; unchanged ones are left alone.
func (d *Daemon) swapRoutes(vi *vinst) {
	old := vi.routes
	vi.routes = vroutes{}
	vr := d.instRoutes(vi)
	all := slices.Concat(vr.rules, vr.routes)
	for _, e := range slices.Concat(old.rules, old.routes) {
		if j := indexEntry(all, e); j >= 0 {
			all[j].on = e.on
			continue
		}
		if e.on {
			if err := d.put(e, false); err != nil {
				vi.log.Error("remove virtual "+e.String(), "err", err)
			}
		}
	}
	if vi.m.State() == instance.Master {
		vr.pending = true
		d.retryRoutes(vi)
	}
}

// indexEntry returns the index in list of an entry equal to e, or -1.
func indexEntry(list []*entry, e *entry) int {
	for i, x := range list {
		if reflect.DeepEqual(x.route, e.route) && reflect.DeepEqual(x.rule, e.rule) && reflect.DeepEqual(x.addr, e.addr) {
			return i
		}
	}
	return -1
}
