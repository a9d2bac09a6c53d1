package route

import (
	"errors"
	"io"
	"log/slog"
	"reflect"
	"slices"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/system"
)

// Routing is what a Table needs from the kernel's routing tables.
type Routing interface {
	system.Router
	system.Ruler
}

// Config configures a Table.
type Config struct {
	Log *slog.Logger
	// Addrs adds and removes static addresses.
	Addrs system.Addresser
	// Lookup finds an interface by name (static addresses without an
	// index, the watch's dev matching); nil means none exists.
	Lookup func(name string) (system.Link, error)
	// Routing is the netlink handle; nil opens one on first use.
	Routing Routing
}

// Table holds the static entries and the netlink handle, and puts the
// virtual entries of instances on and off.
type Table struct {
	log     *slog.Logger
	addrs   system.Addresser
	lookup  func(string) (system.Link, error)
	r       Routing
	statics []*entry
	watch   watchState
}

// New returns a Table with no entries.
func New(cfg Config) *Table {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	return &Table{log: cfg.Log, addrs: cfg.Addrs, lookup: cfg.Lookup, r: cfg.Routing}
}

// Virtual is one instance's virtual_routes and virtual_rules.
type Virtual struct {
	log     *slog.Logger
	routes  []*entry
	rules   []*entry
	pending bool // some entry failed to go on while master
}

// NewVirtual resolves an instance's virtual routes and rules; log is the
// instance's. The config package has already parsed and checked every
// option (and dropped what keepalived drops), so this cannot fail.
func NewVirtual(log *slog.Logger, routes []config.Route, rules []config.Rule) *Virtual {
	v := &Virtual{log: log}
	v.routes, v.rules = buildEntries(routes, rules)
	return v
}

// entry is one route, rule or static address and whether it is on.
type entry struct {
	route  *system.Route
	rule   *system.Rule
	addr   *system.VIP
	on     bool
	static staticTrack // static entries: track_group, no_track, interface; virtual ones: no_track
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
func (t *Table) routing() (Routing, error) {
	if t.r == nil {
		rt, err := system.NewRouting(t.log)
		if err != nil {
			return nil, err
		}
		t.r = rt
	}
	return t.r, nil
}

// put adds (on) or removes (!on) e and records whether it is on.
func (t *Table) put(e *entry, on bool) error {
	var err error
	if e.addr != nil {
		if t.addrs == nil {
			err = errors.New("no address handle")
		} else if on {
			err = t.addrs.Add(*e.addr)
		} else {
			err = t.addrs.Del(*e.addr)
		}
	} else {
		var rt Routing
		if rt, err = t.routing(); err == nil {
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

// buildEntries turns config routes and rules into entries.
func buildEntries(routes []config.Route, rules []config.Rule) (rs, us []*entry) {
	for _, c := range routes {
		r := SystemRoute(c)
		rs = append(rs, &entry{route: &r, static: staticTrack{noTrack: c.NoTrack}})
	}
	for _, c := range rules {
		r := SystemRule(c)
		us = append(us, &entry{rule: &r, static: staticTrack{noTrack: c.NoTrack}})
	}
	return rs, us
}

// Add puts v's routes, then its rules, on (after the instance's VIPs,
// keepalived's order); a failure is logged and retried by Retry.
func (t *Table) Add(v *Virtual) {
	v.pending = false
	for _, e := range slices.Concat(v.routes, v.rules) {
		if err := t.put(e, true); err != nil {
			v.log.Error("add virtual "+e.String()+", will retry", "err", err)
			v.pending = true
		}
	}
}

// Del takes v's rules, then its routes off (before the instance's VIPs,
// keepalived's order).
func (t *Table) Del(v *Virtual) {
	v.pending = false
	for _, e := range slices.Concat(v.rules, v.routes) {
		if err := t.put(e, false); err != nil {
			v.log.Error("remove virtual "+e.String(), "err", err)
		}
	}
}

// Retry re-adds the entries of v that failed to go on while its instance
// is master.
func (t *Table) Retry(v *Virtual, master bool) {
	if !v.pending || !master {
		return
	}
	v.pending = false
	for _, e := range slices.Concat(v.routes, v.rules) {
		if e.on {
			continue
		}
		if err := t.put(e, true); err != nil {
			v.pending = true
			continue
		}
		v.log.Info("virtual " + e.String() + " added on retry")
	}
}

// Swap moves an instance from old to its new routes and rules (a reload
// changed them in place) and returns the new Virtual: while master, the
// entries gone come off and the new ones go on; unchanged ones are left
// alone.
func (t *Table) Swap(old *Virtual, routes []config.Route, rules []config.Rule, master bool) *Virtual {
	v := NewVirtual(old.log, routes, rules)
	all := slices.Concat(v.rules, v.routes)
	for _, e := range slices.Concat(old.rules, old.routes) {
		if j := indexEntry(all, e); j >= 0 {
			all[j].on = e.on
			continue
		}
		if e.on {
			if err := t.put(e, false); err != nil {
				v.log.Error("remove virtual "+e.String(), "err", err)
			}
		}
	}
	if master {
		v.pending = true
		t.Retry(v, true)
	}
	return v
}

// staticEntries resolves static_ipaddress, static_routes and static_rules
// of c, in the order they go on.
func (t *Table) staticEntries(c *config.Config) []*entry {
	var out []*entry
	for _, v := range c.StaticAddresses {
		sv, err := t.staticVIP(c, v)
		if err != nil {
			t.log.Error("static address skipped", "pos", v.Pos.String(), "addr", v.Prefix, "err", err)
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
func (t *Table) staticVIP(c *config.Config, v config.VIP) (system.VIP, error) {
	dev := v.Dev
	if dev == "" {
		dev = c.Global.DefaultInterface
	}
	if dev == "" {
		return system.VIP{}, errors.New("no dev and no default_interface")
	}
	if t.lookup == nil {
		return system.VIP{}, system.ErrNoInterface
	}
	l, err := t.lookup(dev)
	if err != nil {
		return system.VIP{}, err
	}
	return SystemVIP(v, l.Index), nil
}

// Start puts the static addresses, routes and rules of c on, before any
// instance starts; failures are logged and retried by RetryStatics.
func (t *Table) Start(c *config.Config) {
	t.statics = t.staticEntries(c)
	for _, e := range t.statics {
		if err := t.put(e, true); err != nil {
			t.log.Error("add static "+e.String()+", will retry", "err", err)
		}
	}
}

// RetryStatics re-adds static entries that are not on yet, and reports
// whether one that a track group tracks went on (its instances may leave
// FAULT).
func (t *Table) RetryStatics() (back bool) {
	for _, e := range t.statics {
		if e.on {
			continue
		}
		if err := t.put(e, true); err == nil {
			t.log.Info("static " + e.String() + " added on retry")
			back = back || e.static.group != "" && !e.static.noTrack
		}
	}
	return back
}

// Stop takes the static entries off in reverse order (rules, routes,
// addresses) and closes the netlink handle. Call it after every instance
// has stopped.
func (t *Table) Stop() {
	for i := len(t.statics) - 1; i >= 0; i-- {
		e := t.statics[i]
		if err := t.put(e, false); err != nil {
			t.log.Error("remove static "+e.String(), "err", err)
		}
	}
	t.statics = nil
	if c, ok := t.r.(io.Closer); ok {
		c.Close()
	}
	t.r = nil
}

// Reload moves the static entries to those of c: entries no longer
// configured come off, new ones go on, unchanged ones are left alone. It
// reports what RetryStatics does, and subscribes to route and rule
// deletions when c is the first to need it.
func (t *Table) Reload(c *config.Config) (back bool) {
	next := t.staticEntries(c)
	for i := len(t.statics) - 1; i >= 0; i-- {
		old := t.statics[i]
		if j := indexEntry(next, old); j >= 0 {
			next[j].on = old.on
			continue
		}
		if err := t.put(old, false); err != nil {
			t.log.Error("remove static "+old.String(), "err", err)
		}
	}
	t.statics = next
	back = t.RetryStatics()
	t.subscribe(c)
	return back
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
