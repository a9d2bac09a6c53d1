package config

import (
	"net/netip"

	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

// The route words that need more than a value parser.

// destination reads a destination, optionally after `to` or a route type;
// a later destination replaces an earlier one, as in keepalived.
func (p *routeParser) destination(t Token) bool {
	d := t
	switch typ, isType := parseRouteType(t.Text); {
	case t.Text == "to":
		v, ok := p.value(t)
		if !ok {
			return false
		}
		d = v
	case isType:
		v, ok := p.value(t)
		if !ok {
			return false
		}
		p.r.Type, d = typ, v
	}
	p.dst = d
	if d.Text == "default" {
		p.r.Dst = netip.Prefix{}
		return true
	}
	pfx, ok := parsePrefix(d.Text)
	if !ok {
		p.l.errorf(d.Pos, "unknown route option or invalid destination %q, skipping route", d.Text)
		return false
	}
	p.r.Dst = pfx
	return p.family(famOf(pfx.Addr()), d)
}

// inet reads inet or inet6. keepalived 2.2 (and 2.4) also skips the word
// after it, so a destination written there is lost; we do the same, and say so.
func (p *routeParser) inet(fam vrrp.Family, t Token) bool {
	if !p.family(fam, t) {
		return false
	}
	p.i = p.l.skipAfterInet(p.w, p.i)
	return true
}

// skipAfterInet skips, as keepalived does, the word after the inet or
// inet6 at w[i], saying so, and returns the index of the last word used.
func (l *loader) skipAfterInet(w []Token, i int) int {
	if i+1 >= len(w) {
		return i
	}
	l.advisef(w[i+1].Pos, "write inet/inet6 last, or leave it out", "keepalived ignores the word after %s (%q)", w[i].Text, w[i+1].Text)
	return i + 1
}

// via reads `via [inet|inet6] ADDR` (or the deprecated `gw`).
func (p *routeParser) via(t Token) bool {
	if t.Text == "gw" {
		p.l.warnf(t.Pos, `"gw" for routes is deprecated, use "via"`)
	}
	if p.i+1 < len(p.w) {
		if w := p.w[p.i+1]; w.Text == "inet" || w.Text == "inet6" {
			p.i++
			if !p.family(map[string]vrrp.Family{"inet": vrrp.IPv4, "inet6": vrrp.IPv6}[w.Text], w) {
				return false
			}
		}
	}
	a, ok := p.addr(t)
	p.r.Via = a
	return ok
}

// from reads the source prefix of an IPv6 source route.
func (p *routeParser) from(t Token) bool {
	v, ok := p.value(t)
	if !ok {
		return false
	}
	pfx, ok := parsePrefix(v.Text)
	if !ok {
		return p.bad(t, v)
	}
	if pfx.Addr().Is4() {
		p.l.errorf(v.Pos, "route from is only supported with IPv6, skipping route")
		return false
	}
	if !p.family(6, v) {
		return false
	}
	// The netlink library cannot send RTA_SRC, and the route without it
	// would take all the traffic to Dst: refuse it.
	return p.unsupported(t)
}

// as reads `as [to] ADDR`, which is for MPLS only and ignored.
func (p *routeParser) as(t Token) bool {
	v, ok := p.value(t)
	if !ok {
		return false
	}
	if v.Text == "to" {
		p.i++
	}
	p.l.warnf(t.Pos, `"as [to]" is for MPLS only, ignoring it`)
	return true
}

// or reads the deprecated `or ADDR`: the route's gateway and ADDR become
// two nexthops. keepalived takes only the first `or`.
func (p *routeParser) or(t Token) bool {
	p.l.warnf(t.Pos, `"or" for routes is deprecated, use "nexthop"`)
	if p.orUsed {
		p.l.warnf(t.Pos, `only one "or" is taken, ignoring this one`)
		p.i++
		return true
	}
	a, ok := p.addr(t)
	if !ok {
		return false
	}
	p.orUsed = true
	p.r.Nexthops = append(p.r.Nexthops, Nexthop{Via: p.r.Via}, Nexthop{Via: a})
	p.r.Via = netip.Addr{}
	return true
}

// expires reads the lifetime of an IPv6 route.
func (p *routeParser) expires(t Token) bool {
	if p.fam == 4 {
		p.l.errorf(t.Pos, "expires is only valid for IPv6 routes, skipping route")
		return false
	}
	p.fam = 6
	p.notApplied(t)
	return decimal(1<<32-1, func(r *Route, n uint64) { r.Expires = uint32(n) })(p, t)
}

// pref reads the IPv6 router preference: low, medium, high or a number.
func (p *routeParser) pref(t Token) bool {
	v, ok := p.value(t)
	if !ok {
		return false
	}
	if p.fam == 4 {
		p.l.errorf(t.Pos, "pref is only valid for IPv6 routes, skipping route")
		return false
	}
	p.fam = 6
	n, ok := map[string]uint64{"low": 3, "medium": 0, "high": 1}[v.Text]
	if !ok {
		if n, ok = parseDecimal(v.Text, 255); !ok {
			return p.bad(t, v)
		}
	}
	pref := uint8(n)
	p.r.Pref = &pref
	p.notApplied(t)
	return true
}

// realms reads `realms [FROM/]TO`, IPv4 only.
func (p *routeParser) realms(t Token) bool {
	v, ok := p.value(t)
	if !ok {
		return false
	}
	n, ok := p.l.parseRealms(v.Text)
	if !ok {
		return p.bad(t, v)
	}
	if p.fam == vrrp.IPv6 {
		p.l.errorf(t.Pos, "realms are only valid for IPv4 routes, skipping route")
		return false
	}
	p.fam, p.r.Realms = vrrp.IPv4, n
	return true
}

// parseRealms parses "[FROM/]TO", each a number or an rt_realms name.
func (l *loader) parseRealms(s string) (uint32, bool) {
	var from, to uint32
	a, b, two := cut(s, '/')
	to, ok := l.lookupName(RouteRealms, a, 255)
	if ok && two {
		from = to
		to, ok = l.lookupName(RouteRealms, b, 255)
		return from<<16 | to, ok
	}
	return to, ok
}

// cut splits s at the first sep.
func cut(s string, sep byte) (string, string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == sep {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

// features reads `features ecn`; keepalived reports other features and
// keeps the route.
func (p *routeParser) features(t Token) bool {
	v, ok := p.value(t)
	if !ok {
		return false
	}
	if v.Text != "ecn" {
		p.l.warnf(v.Pos, "route feature %q is not supported, ignoring it", v.Text)
		return true
	}
	p.r.Metrics.ECN = true
	return true
}

// ttlPropagate reads `ttl-propagate enabled|disabled`.
func (p *routeParser) ttlPropagate(t Token) bool {
	v, ok := p.value(t)
	if !ok {
		return false
	}
	on, known := map[string]bool{"enabled": true, "disabled": false}[v.Text]
	if !known {
		p.l.warnf(v.Pos, "ttl-propagate %q is not enabled or disabled, ignoring it", v.Text)
		return true
	}
	p.r.TTLPropagate = &on
	p.notApplied(t)
	return true
}

// notApplied says that an accepted option is not sent to the kernel yet
// (the netlink library has no field for it). keepalived applies it, so it
// does not change the config test's verdict.
func (p *routeParser) notApplied(t Token) {
	p.l.advisef(t.Pos, "", "gokeepalived does not apply route option %q yet; the route is added without it", t.Text)
}

// unsupported drops a route using an option gokeepalived cannot apply.
func (p *routeParser) unsupported(t Token) bool {
	p.l.errorf(t.Pos, "route option %q is not supported by gokeepalived, skipping route", t.Text)
	return false
}

// nexthops reads `nexthop ...` groups up to the end of the line. As in
// keepalived, a bad nexthop is reported and ends the list, but the route
// is kept with the nexthops read before it.
func (p *routeParser) nexthops() bool {
	if p.orUsed {
		p.l.errorf(p.w[p.i].Pos, `cannot combine "nexthop" with "or", skipping route`)
		return false
	}
	for p.i < len(p.w) && p.w[p.i].Text == "nexthop" {
		p.i++
		nh, ok := p.nexthop()
		if !ok {
			return true
		}
		p.r.Nexthops = append(p.r.Nexthops, nh)
	}
	if p.i < len(p.w) {
		p.l.warnf(p.w[p.i].Pos, "unknown nexthop option %q, ignoring the rest of the route", p.w[p.i].Text)
	}
	return true
}

// nexthop reads one nexthop's options, up to a word it does not know.
func (p *routeParser) nexthop() (Nexthop, bool) {
	var nh Nexthop
	for ; p.i < len(p.w); p.i++ {
		t := p.w[p.i]
		var v Token
		if t.Text != "onlink" {
			if !map[string]bool{"via": true, "dev": true, "weight": true, "realms": true}[t.Text] {
				return nh, true
			}
			if p.i+1 >= len(p.w) {
				p.l.warnf(tokenEnd(t), "nexthop option %q needs a value, ignoring the nexthop", t.Text)
				return nh, false
			}
			p.i++
			v = p.w[p.i]
		}
		if !p.nexthopOpt(&nh, t, v) {
			return nh, false
		}
	}
	return nh, true
}

// nexthopOpt applies one nexthop option t with value v.
func (p *routeParser) nexthopOpt(nh *Nexthop, t, v Token) bool {
	bad := func(what string) bool {
		p.l.warnf(v.Pos, "%s %q, ignoring the nexthop", what, v.Text)
		return false
	}
	switch t.Text {
	case "onlink":
		nh.OnLink = true
	case "dev":
		nh.Dev = v.Text
	case "via":
		a, err := netip.ParseAddr(v.Text)
		if err != nil || a.Zone() != "" {
			return bad("invalid nexthop address")
		}
		if p.fam != 0 && famOf(a) != p.fam {
			return bad("nexthop address of the other family")
		}
		p.fam, nh.Via = famOf(a), a
	case "weight":
		w, ok := parseDecimal(v.Text, 256)
		if !ok || w == 0 {
			return bad("invalid nexthop weight (1-256)")
		}
		nh.Weight = int(w)
	case "realms":
		n, ok := p.l.parseRealms(v.Text)
		if !ok {
			return bad("invalid nexthop realms")
		}
		if p.fam == vrrp.IPv6 {
			return bad("nexthop realms on an IPv6 route")
		}
		p.fam, nh.Realms = vrrp.IPv4, n
		p.notApplied(t)
	}
	return true
}
