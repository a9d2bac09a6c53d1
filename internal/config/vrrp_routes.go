package config

import (
	"net/netip"
	"strconv"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

// RouteType is a route's type, numbered as rtnetlink numbers them
// (RTN_*). The zero RouteType is unicast, the default.
type RouteType uint8

// routeTypes are the route type words keepalived knows (it also takes a
// number up to 255).
var routeTypes = map[string]RouteType{
	"unicast": 0, "local": 2, "broadcast": 3, "brd": 3, "anycast": 4, "multicast": 5,
	"blackhole": 6, "unreachable": 7, "prohibit": 8, "throw": 9, "nat": 10, "xresolve": 11,
}

// String returns the type's name, or its number.
func (t RouteType) String() string {
	if t == 0 {
		return "unicast"
	}
	for name, v := range routeTypes {
		if v == t && name != "brd" {
			return name
		}
	}
	return strconv.Itoa(int(t))
}

// MarshalText writes the type's name.
func (t RouteType) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// parseRouteType parses a route type word: a name or a number up to 255
// (RTN_UNICAST, 1, is folded into the zero value).
func parseRouteType(s string) (RouteType, bool) {
	if t, ok := routeTypes[s]; ok {
		return t, true
	}
	n, ok := parseCUint(s, 255)
	if !ok || n == 1 {
		return 0, ok
	}
	return RouteType(n), true
}

// Scope is an address or route scope, numbered as rtnetlink numbers them
// (RT_SCOPE_*): 0 global, 200 site, 253 link, 254 host, 255 nowhere.
type Scope uint8

// String returns the scope's name, or its number.
func (s Scope) String() string {
	for name, v := range builtinNames[RouteScopes] {
		if Scope(v) == s {
			return name
		}
	}
	return strconv.Itoa(int(s))
}

// MarshalText writes the scope's name.
func (s Scope) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Route is one virtual_routes or static_routes line, in `ip route`
// syntax, with every option resolved to the value the kernel is given.
type Route struct {
	Pos Pos `json:",omitzero"`
	// Type is unicast (the zero value), blackhole, unreachable, ...
	Type RouteType `json:",omitzero"`
	// Dst is the destination (0.0.0.0/0 or ::/0 for default).
	Dst netip.Prefix
	// Src is the preferred source address (`src`).
	Src netip.Addr `json:",omitzero"`
	// From is the source prefix of an IPv6 source route (`from`).
	From netip.Prefix `json:",omitzero"`
	Via  netip.Addr   `json:",omitzero"`
	Dev  string       `json:",omitempty"`
	// Scope is nil when none is written.
	Scope *Scope `json:",omitempty"`
	// Table is the routing table; 0 means main.
	Table  uint32 `json:",omitempty"`
	Metric uint32 `json:",omitempty"`
	// Protocol is the route protocol; 0 means keepalived's own (18).
	Protocol uint8 `json:",omitempty"`
	OnLink   bool  `json:",omitempty"`
	// Append is `append`: after existing routes to Dst, not before.
	Append bool `json:",omitempty"`
	// Tos is the TOS (DS field) selector.
	Tos uint8 `json:",omitempty"`
	// Realms is FROM<<16 | TO (`realms [FROM/]TO`), IPv4 only.
	Realms uint32 `json:",omitempty"`
	// Expires is the lifetime in seconds, IPv6 only; 0 means none.
	Expires uint32 `json:",omitempty"`
	// Pref is the IPv6 router preference (0 medium, 1 high, 3 low); nil
	// when none is written.
	Pref *uint8 `json:",omitempty"`
	// TTLPropagate is `ttl-propagate enabled|disabled`; nil when unset.
	TTLPropagate *bool        `json:",omitempty"`
	Metrics      RouteMetrics `json:",omitzero"`
	NoTrack      bool         `json:",omitempty"`
	TrackGroup   string       `json:",omitempty"`
	// TrackGroupPos is where the track_group name is written.
	TrackGroupPos Pos       `json:"-"`
	Nexthops      []Nexthop `json:",omitempty"`
}

// RouteMetrics are a route's per-path metrics (RTAX_*); zero values are
// not set.
type RouteMetrics struct {
	MTU        uint32 `json:",omitempty"`
	AdvMSS     uint32 `json:",omitempty"`
	Window     uint32 `json:",omitempty"`
	Cwnd       uint32 `json:",omitempty"`
	InitCwnd   uint32 `json:",omitempty"`
	InitRwnd   uint32 `json:",omitempty"`
	Ssthresh   uint32 `json:",omitempty"`
	Reordering uint32 `json:",omitempty"`
	Hoplimit   uint8  `json:",omitempty"`
	// RTT, RTTVar and RTOMin are kept between 200ms and 120s, as keepalived
	// keeps them.
	RTT              time.Duration `json:",omitempty"`
	RTTVar           time.Duration `json:",omitempty"`
	RTOMin           time.Duration `json:",omitempty"`
	ECN              bool          `json:",omitempty"` // features ecn
	QuickACK         bool          `json:",omitempty"`
	FastOpenNoCookie bool          `json:",omitempty"`
	Congctl          string        `json:",omitempty"`
	// Locked names the metrics written with `lock` (mtu, rtt, ...).
	Locked []string `json:",omitempty"`
}

// Nexthop is one path of a multipath route (nexthop ..., or the
// deprecated "or ADDR").
type Nexthop struct {
	Via netip.Addr `json:",omitzero"`
	Dev string     `json:",omitempty"`
	// Weight is 1-256; 0 means not written (1).
	Weight int  `json:",omitempty"`
	OnLink bool `json:",omitempty"`
	// Realms is FROM<<16 | TO, IPv4 only.
	Realms uint32 `json:",omitempty"`
}

// routeParser walks one route line as keepalived's route parser does:
// word by word, the address family fixed by the first word that implies
// one.
type routeParser struct {
	l       *loader
	w       []Token
	i       int
	r       Route
	fam     vrrp.Family // 0 until known, then 4 or 6
	dst     Token
	orUsed  bool
	protPos Pos
}

// routeOpt handles the option at p.w[p.i]; false drops the route (the
// handler has reported why).
type routeOpt func(p *routeParser, t Token) bool

// parseRoute parses one route line. It reports problems and returns false
// when the route must be skipped, as keepalived skips it. virtual says
// whether it is a virtual route (see finish).
func (l *loader) parseRoute(n *Node, virtual bool) (Route, bool) {
	p := &routeParser{l: l, w: append([]Token{n.Keyword}, n.Args...), r: Route{Pos: n.Keyword.Pos}}
	for ; p.i < len(p.w); p.i++ {
		t := p.w[p.i]
		if t.Text == "nexthop" {
			if !p.nexthops() {
				return p.r, false
			}
			break
		}
		opt := routeOpts[t.Text]
		if opt == nil {
			opt = (*routeParser).destination
		}
		if !opt(p, t) {
			return p.r, false
		}
	}
	return p.r, p.finish(n, virtual)
}

// finish checks the whole route once its words are read. keepalived 2.2
// reports every tracked route without dev as one it will not track; a
// virtual route is then left untracked, while a static one is still put
// back when deleted (as keepalived 2.4 does for both).
func (p *routeParser) finish(n *Node, virtual bool) bool {
	l, r := p.l, &p.r
	if p.dst.Text == "" {
		l.errorf(n.Keyword.Pos, "route has no destination, skipping route")
		return false
	}
	if p.dst.Text == "default" {
		r.Dst = netip.PrefixFrom(netip.IPv4Unspecified(), 0)
		if p.fam == vrrp.IPv6 {
			r.Dst = netip.PrefixFrom(netip.IPv6Unspecified(), 0)
		}
	}
	if !r.NoTrack {
		if r.Protocol != 0 && r.Protocol != protoKeepalived {
			l.warnf(p.protPos, "a tracked route must have protocol keepalived (%d), using it", protoKeepalived)
			l.hintf("add `no_track` to keep protocol %d", r.Protocol)
			r.Protocol = 0
		}
		switch {
		case r.Dev == "" && virtual:
			l.warnf(n.Keyword.Pos, "cannot track route %s with no interface specified, not tracking", p.dst.Text)
			l.hintf("add `dev IF` to track it, or `no_track` to say it is not tracked")
			r.NoTrack = true
		case r.Dev == "":
			l.warnf(n.Keyword.Pos, "keepalived 2.2 does not track static route %s with no interface specified", p.dst.Text)
			l.hintf("gokeepalived puts it back if it is deleted; add `dev IF`, or `no_track` if it should not be")
		}
	}
	if r.TrackGroup != "" && r.Dev == "" && l.cfg.TrackGroup(r.TrackGroup) != nil {
		l.errorf(r.TrackGroupPos, "a route without dev cannot have a track_group, ignoring it")
		r.TrackGroup = ""
	}
	return true
}

// protoKeepalived is RTPROT_KEEPALIVED, the protocol of tracked routes and rules.
const protoKeepalived = 18

// value moves to the word after the current one, which t needs.
func (p *routeParser) value(t Token) (Token, bool) {
	if p.i+1 >= len(p.w) {
		p.l.errorf(tokenEnd(t), "route option %q needs a value, skipping route", t.Text)
		return Token{}, false
	}
	p.i++
	return p.w[p.i], true
}

// tokenEnd is the position just after t.
func tokenEnd(t Token) Pos {
	p := t.Pos
	p.Col += len(t.Text)
	return p
}

// family fixes the route's address family, reporting a clash at t.
func (p *routeParser) family(f vrrp.Family, t Token) bool {
	if p.fam == 0 || p.fam == f {
		p.fam = f
		return true
	}
	p.l.errorf(t.Pos, "route mixes IPv4 and IPv6 (%s), skipping route", t.Text)
	return false
}

func famOf(a netip.Addr) vrrp.Family {
	if a.Is4() {
		return vrrp.IPv4
	}
	return vrrp.IPv6
}

// addr parses the value of t as an address of the route's family.
func (p *routeParser) addr(t Token) (netip.Addr, bool) {
	v, ok := p.value(t)
	if !ok {
		return netip.Addr{}, false
	}
	a, err := netip.ParseAddr(v.Text)
	if err != nil || a.Zone() != "" {
		p.l.errorf(v.Pos, "invalid route %s address %q, skipping route", t.Text, v.Text)
		return a, false
	}
	return a, p.family(famOf(a), v)
}

// bad reports an invalid value and drops the route.
func (p *routeParser) bad(t, v Token) bool {
	p.l.errorf(v.Pos, "invalid route %s %q, skipping route", t.Text, v.Text)
	return false
}

// named returns a routeOpt resolving its value in a name table.
func named(table NameTable, max uint64, set func(r *Route, n uint32)) routeOpt {
	return func(p *routeParser, t Token) bool {
		v, ok := p.value(t)
		if !ok {
			return false
		}
		n, ok := p.l.lookupName(table, v.Text, max)
		if !ok {
			return p.bad(t, v)
		}
		set(&p.r, n)
		return true
	}
}

// decimal returns a routeOpt taking a decimal number up to max.
func decimal(max uint64, set func(r *Route, n uint64)) routeOpt {
	return func(p *routeParser, t Token) bool {
		v, ok := p.value(t)
		if !ok {
			return false
		}
		n, ok := parseDecimal(v.Text, max)
		if !ok {
			return p.bad(t, v)
		}
		set(&p.r, n)
		return true
	}
}

// metric returns a routeOpt for a metric that may be locked (`mtu lock N`).
func metric(lockable bool, max uint64, f func(m *RouteMetrics) *uint32) routeOpt {
	return func(p *routeParser, t Token) bool {
		v, ok := p.lockable(t, lockable)
		if !ok {
			return false
		}
		n, ok := parseDecimal(v.Text, max)
		if !ok {
			return p.bad(t, v)
		}
		*f(&p.r.Metrics) = uint32(n)
		return true
	}
}

// lockable reads the value of t, after an optional `lock`.
func (p *routeParser) lockable(t Token, lockable bool) (Token, bool) {
	v, ok := p.value(t)
	if ok && lockable && v.Text == "lock" {
		p.r.Metrics.Locked = append(p.r.Metrics.Locked, t.Text)
		if t.Text != "mtu" && t.Text != "rto_min" {
			p.notApplied(v)
		}
		v, ok = p.value(t)
	}
	return v, ok
}

// rtt returns a routeOpt for rtt, rttvar and rto_min, whose plain numbers
// are in 1/unitsPerMs ms.
func rtt(unitsPerMs uint64, f func(m *RouteMetrics) *time.Duration) routeOpt {
	return func(p *routeParser, t Token) bool {
		v, ok := p.lockable(t, true)
		if !ok {
			return false
		}
		d, clamped, ok := parseRTT(v.Text, unitsPerMs)
		if !ok {
			return p.bad(t, v)
		}
		if clamped {
			p.l.advisef(v.Pos, "write a time between 200ms and 120s", "route %s %s is outside [200ms, 120s], using %s", t.Text, v.Text, d)
		}
		*f(&p.r.Metrics) = d
		return true
	}
}

// flag returns a routeOpt for a word without a value.
func flag(set func(r *Route)) routeOpt {
	return func(p *routeParser, _ Token) bool { set(&p.r); return true }
}

// routeOpts are the route words other than destinations and nexthops.
var routeOpts map[string]routeOpt

func init() {
	u32 := uint64(1<<32 - 1)
	m := func(f func(m *RouteMetrics) *uint32) func(bool) routeOpt {
		return func(lock bool) routeOpt { return metric(lock, u32, f) }
	}
	routeOpts = map[string]routeOpt{
		"inet":  func(p *routeParser, t Token) bool { return p.inet(4, t) },
		"inet6": func(p *routeParser, t Token) bool { return p.inet(6, t) },
		"src": func(p *routeParser, t Token) bool {
			a, ok := p.addr(t)
			p.r.Src = a
			return ok
		},
		"via":   (*routeParser).via,
		"gw":    (*routeParser).via,
		"from":  (*routeParser).from,
		"as":    (*routeParser).as,
		"or":    (*routeParser).or,
		"tos":   named(DSFields, 255, func(r *Route, n uint32) { r.Tos = uint8(n) }),
		"table": named(RouteTables, u32, func(r *Route, n uint32) { r.Table = n }),
		"scope": named(RouteScopes, 255, func(r *Route, n uint32) { s := Scope(n); r.Scope = &s }),
		"protocol": func(p *routeParser, t Token) bool {
			p.protPos = p.w[min(p.i+1, len(p.w)-1)].Pos
			return named(RouteProtos, 255, func(r *Route, n uint32) { r.Protocol = uint8(n) })(p, t)
		},
		"metric":             decimal(u32, func(r *Route, n uint64) { r.Metric = uint32(n) }),
		"dev":                func(p *routeParser, t Token) bool { v, ok := p.value(t); p.r.Dev = v.Text; return ok },
		"onlink":             flag(func(r *Route) { r.OnLink = true }),
		"no_track":           flag(func(r *Route) { r.NoTrack = true }),
		"expires":            (*routeParser).expires,
		"mtu":                m(func(m *RouteMetrics) *uint32 { return &m.MTU })(true),
		"advmss":             m(func(m *RouteMetrics) *uint32 { return &m.AdvMSS })(true),
		"reordering":         m(func(m *RouteMetrics) *uint32 { return &m.Reordering })(true),
		"cwnd":               m(func(m *RouteMetrics) *uint32 { return &m.Cwnd })(true),
		"ssthresh":           m(func(m *RouteMetrics) *uint32 { return &m.Ssthresh })(true),
		"window":             m(func(m *RouteMetrics) *uint32 { return &m.Window })(false),
		"initcwnd":           m(func(m *RouteMetrics) *uint32 { return &m.InitCwnd })(false),
		"initrwnd":           m(func(m *RouteMetrics) *uint32 { return &m.InitRwnd })(false),
		"hoplimit":           decimal(255, func(r *Route, n uint64) { r.Metrics.Hoplimit = uint8(n) }),
		"quickack":           decimal(1, func(r *Route, n uint64) { r.Metrics.QuickACK = n == 1 }),
		"fastopen_no_cookie": decimal(1, func(r *Route, n uint64) { r.Metrics.FastOpenNoCookie = n == 1 }),
		"rtt":                rtt(8, func(m *RouteMetrics) *time.Duration { return &m.RTT }),
		"rttvar":             rtt(4, func(m *RouteMetrics) *time.Duration { return &m.RTTVar }),
		"rto_min":            rtt(1, func(m *RouteMetrics) *time.Duration { return &m.RTOMin }),
		"realms":             (*routeParser).realms,
		"features":           (*routeParser).features,
		"congctl": func(p *routeParser, t Token) bool {
			v, ok := p.lockable(t, true)
			p.r.Metrics.Congctl = v.Text
			return ok
		},
		"pref":          (*routeParser).pref,
		"ttl-propagate": (*routeParser).ttlPropagate,
		"add":           flag(func(*Route) {}),
		"prepend":       flag(func(*Route) {}),
		"append":        flag(func(r *Route) { r.Append = true }),
		"encap":         (*routeParser).unsupported,
		"vrf":           (*routeParser).unsupported,
		"track_group": func(p *routeParser, t Token) bool {
			v, ok := p.value(t)
			if ok {
				p.l.setTrackGroup(&p.r.TrackGroup, &p.r.TrackGroupPos, v)
			}
			return ok
		},
	}
	for alias, name := range map[string]string{"dsfield": "tos", "oif": "dev", "priority": "metric", "preference": "metric"} {
		routeOpts[alias] = routeOpts[name]
	}
}
