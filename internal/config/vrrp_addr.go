package config

import (
	"net/netip"
	"strconv"
)

// VIP lines, as in `ip addr add`:
//
//	ADDR[/LEN] [brd ADDR] [dev IF] [scope S] [label L] [peer ADDR[/LEN]]
//	[home] [-nodad] [mngtmpaddr] [noprefixroute] [autojoin] [no_track]
//	[preferred_lft N|forever] [use_vmac] [track_group G]

// vipFlags are the VIP options without a value.
var vipFlags = map[string]func(*VIP){
	"home":          func(v *VIP) { v.Home = true },
	"-nodad":        func(v *VIP) { v.NoDAD = true },
	"nodad":         func(v *VIP) { v.NoDAD = true },
	"mngtmpaddr":    func(v *VIP) { v.MngTmpAddr = true },
	"noprefixroute": func(v *VIP) { v.NoPrefixRoute = true },
	"autojoin":      func(v *VIP) { v.AutoJoin = true },
	"no_track":      func(v *VIP) { v.NoTrack = true },
	"use_vmac":      func(v *VIP) { v.UseVMAC = true },
}

// vipScopes are the scopes `ip addr` accepts by name.
var vipScopes = map[string]bool{"global": true, "site": true, "link": true, "host": true, "nowhere": true}

// vipValueOpts are the VIP options that take a value.
var vipValueOpts = map[string]bool{"brd": true, "broadcast": true, "dev": true, "scope": true, "label": true,
	"peer": true, "preferred_lft": true, "track_group": true}

// parseVIP parses one address line. It reports problems and returns false
// when the address must be skipped, as keepalived skips it; like
// keepalived it ignores (and reports) words it does not know and invalid
// scopes, peers and lifetimes, keeping the address.
func (l *loader) parseVIP(n *Node) (VIP, bool) {
	words := append([]Token{n.Keyword}, n.Args...)
	v := VIP{Pos: n.Keyword.Pos}
	p, ok := parsePrefix(words[0].Text)
	if !ok {
		l.errorf(words[0].Pos, "invalid IP address %q, skipping it", words[0].Text)
		return v, false
	}
	v.Prefix = p
	brd := ""
	for i := 1; i < len(words); i++ {
		w := words[i]
		if set, ok := vipFlags[w.Text]; ok {
			set(&v)
			continue
		}
		if !vipValueOpts[w.Text] {
			l.errorf(w.Pos, "unknown address option %q for %s, ignoring it", w.Text, words[0].Text)
			l.hintf("a comment starts with ! or #")
			continue
		}
		if i+1 >= len(words) {
			l.errorf(w.Pos, "no %s value for %s, skipping the address", w.Text, words[0].Text)
			return v, false
		}
		val := words[i+1]
		i++
		switch w.Text {
		case "brd", "broadcast":
			brd = val.Text
			if !p.Addr().Is4() {
				l.errorf(val.Pos, "a broadcast address for the IPv6 address %s, skipping it", words[0].Text)
				return v, false
			}
			if brd == "+" || brd == "-" {
				continue
			}
			a, err := netip.ParseAddr(val.Text)
			if err != nil || !a.Is4() {
				l.errorf(val.Pos, "invalid broadcast address %q, skipping %s", val.Text, words[0].Text)
				return v, false
			}
			v.Brd = a
		case "dev":
			v.Dev = val.Text
		case "scope":
			if _, err := strconv.ParseUint(val.Text, 10, 8); err != nil && !vipScopes[val.Text] {
				l.errorf(val.Pos, "invalid scope %q for %s, ignoring it", val.Text, words[0].Text)
				continue
			}
			v.Scope = val.Text
		case "label":
			v.Label = val.Text
		case "peer":
			pp, ok := parsePrefix(val.Text)
			if !ok || pp.Addr().Is4() != p.Addr().Is4() {
				l.errorf(val.Pos, "invalid peer address %q, ignoring it", val.Text)
				continue
			}
			v.Peer = pp
		case "preferred_lft":
			lft := -1
			if val.Text != "forever" {
				x, err := strconv.ParseUint(val.Text, 10, 32)
				if err != nil {
					l.errorf(val.Pos, "invalid preferred_lft %q, ignoring it", val.Text)
					continue
				}
				lft = int(x)
			}
			v.PreferredLft = &lft
		case "track_group":
			l.setTrackGroup(&v.TrackGroup, &v.TrackGroupPos, val)
		}
	}
	l.vipBroadcast(&v, brd)
	l.vipIPv6Options(&v, words[0])
	return v, true
}

// vipBroadcast applies `brd +` (all host bits set) and `brd -` (cleared),
// as `ip addr` and keepalived compute them.
func (l *loader) vipBroadcast(v *VIP, brd string) {
	if brd != "+" && brd != "-" {
		return
	}
	if v.Peer.IsValid() {
		l.errorf(v.Pos, "cannot specify broadcast and peer addresses, ignoring the broadcast address")
		return
	}
	bits := v.Prefix.Bits()
	if bits > 30 {
		l.errorf(v.Pos, "address prefix length %d too long for broadcast", bits)
		return
	}
	b := v.Prefix.Addr().As4()
	x := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	mask := uint32(0xffffffff) >> bits
	if brd == "+" {
		x |= mask
	} else {
		x &^= mask
	}
	v.Brd = netip.AddrFrom4([4]byte{byte(x >> 24), byte(x >> 16), byte(x >> 8), byte(x)})
}

// vipIPv6Options drops the options an IPv6 address cannot have, as
// keepalived does: a scope other than global, and a label.
func (l *loader) vipIPv6Options(v *VIP, addr Token) {
	if !v.Prefix.Addr().Is6() {
		return
	}
	if v.Scope != "" && v.Scope != "global" && v.Scope != "0" {
		l.warnf(addr.Pos, "cannot specify scope for IPv6 addresses (%s), ignoring the scope", addr.Text)
		l.hintf("the kernel derives an IPv6 address's scope from the address itself")
		v.Scope = ""
	}
	if v.Label != "" {
		l.warnf(addr.Pos, "cannot specify label for IPv6 addresses (%s), ignoring the label", addr.Text)
		v.Label = ""
	}
}

// Route is one virtual_routes or static_routes line, in `ip route` syntax.
type Route struct {
	Pos Pos `json:",omitzero"`
	// Type is the route type when written (blackhole, unreachable,
	// prohibit, throw, local, ...); empty for a unicast route.
	Type       string `json:",omitempty"`
	Dst        netip.Prefix
	Src        netip.Addr `json:",omitzero"`
	Via        netip.Addr `json:",omitzero"`
	Dev        string     `json:",omitempty"`
	Scope      string     `json:",omitempty"`
	Table      string     `json:",omitempty"`
	Metric     int        `json:",omitempty"`
	Protocol   string     `json:",omitempty"`
	OnLink     bool       `json:",omitempty"`
	NoTrack    bool       `json:",omitempty"`
	TrackGroup string     `json:",omitempty"`
	// TrackGroupPos is where the track_group name is written.
	TrackGroupPos Pos       `json:"-"`
	Nexthops      []Nexthop `json:",omitempty"`
	// Options are the other `ip route` options (mtu, advmss, realms, ...)
	// kept as written.
	Options []Option `json:",omitempty"`
}

// Nexthop is one path of a multipath route (nexthop ..., or the
// deprecated "or ADDR").
type Nexthop struct {
	Via    netip.Addr `json:",omitzero"`
	Dev    string     `json:",omitempty"`
	Weight int        `json:",omitempty"`
	OnLink bool       `json:",omitempty"`
}

// Option is a name and value kept as written.
type Option struct {
	Name  string
	Value string
}

// routeTypes are the `ip route` type words.
var routeTypes = map[string]bool{
	"unicast": true, "local": true, "broadcast": true, "multicast": true, "throw": true,
	"unreachable": true, "prohibit": true, "blackhole": true, "nat": true, "anycast": true,
}

// routeValueOpts are `ip route` options that take one value and that we
// keep verbatim.
var routeValueOpts = map[string]bool{
	"mtu": true, "advmss": true, "rtt": true, "rttvar": true, "reordering": true,
	"window": true, "cwnd": true, "ssthresh": true, "realms": true, "rto_min": true,
	"initcwnd": true, "initrwnd": true, "features": true, "quickack": true,
	"congctl": true, "pref": true, "fastopen_no_cookie": true, "hoplimit": true,
	"expires": true, "tos": true, "dsfield": true, "ttl-propagate": true, "lock": true,
}

// parseRoute parses one route line. tracked says whether the route is a
// virtual route, which keepalived tracks through its interface.
func (l *loader) parseRoute(n *Node, tracked bool) (Route, bool) {
	w := append([]Token{n.Keyword}, n.Args...)
	r := Route{Pos: n.Keyword.Pos}
	var dstTok Token
	addr := func(t Token) (netip.Addr, bool) {
		a, err := netip.ParseAddr(t.Text)
		if err != nil || a.Zone() != "" {
			l.errorf(t.Pos, "invalid route address %q, skipping route", t.Text)
			return a, false
		}
		return a, true
	}
	for i := 0; i < len(w); i++ {
		t := w[i]
		val := func() (Token, bool) {
			if i+1 >= len(w) {
				l.errorf(t.Pos, "route option %q needs a value", t.Text)
				return Token{}, false
			}
			i++
			return w[i], true
		}
		switch {
		case t.Text == "no_track":
			r.NoTrack = true
		case t.Text == "onlink":
			r.OnLink = true
		case routeTypes[t.Text] && dstTok.Text == "" && r.Type == "":
			r.Type = t.Text
		case t.Text == "nexthop":
			nh, j, ok := l.parseNexthop(w, i+1)
			if !ok {
				return r, false
			}
			r.Nexthops = append(r.Nexthops, nh)
			i = j - 1
		default:
			if !routeValueOpts[t.Text] && !isRouteKeyword(t.Text) {
				if dstTok.Text != "" {
					l.errorf(t.Pos, "unknown route option %q, skipping route", t.Text)
					return r, false
				}
				dstTok = t
				continue
			}
			v, ok := val()
			if !ok {
				return r, false
			}
			switch t.Text {
			case "to":
				dstTok = v
			case "src":
				if r.Src, ok = addr(v); !ok {
					return r, false
				}
			case "via", "gw":
				if t.Text == "gw" {
					l.warnf(t.Pos, `"gw" for routes is deprecated, use "via"`)
				}
				if v.Text == "inet" || v.Text == "inet6" {
					if v, ok = val(); !ok {
						return r, false
					}
				}
				if r.Via, ok = addr(v); !ok {
					return r, false
				}
			case "or":
				l.warnf(t.Pos, `"or" for routes is deprecated, use "nexthop"`)
				a, ok := addr(v)
				if !ok {
					return r, false
				}
				if len(r.Nexthops) == 0 && r.Via.IsValid() {
					r.Nexthops = append(r.Nexthops, Nexthop{Via: r.Via, Dev: r.Dev})
					r.Via = netip.Addr{}
				}
				r.Nexthops = append(r.Nexthops, Nexthop{Via: a})
			case "dev", "oif":
				r.Dev = v.Text
			case "scope":
				r.Scope = v.Text
			case "table":
				r.Table = v.Text
			case "metric", "priority", "preference":
				m, err := strconv.ParseUint(v.Text, 10, 32)
				if err != nil {
					l.errorf(v.Pos, "invalid route metric %q, skipping route", v.Text)
					return r, false
				}
				r.Metric = int(m)
			case "protocol", "proto":
				r.Protocol = v.Text
			case "track_group":
				l.setTrackGroup(&r.TrackGroup, &r.TrackGroupPos, v)
			default:
				r.Options = append(r.Options, Option{Name: t.Text, Value: v.Text})
			}
		}
	}
	if dstTok.Text == "" {
		l.errorf(n.Keyword.Pos, "route has no destination, skipping route")
		return r, false
	}
	dst, ok := parseRouteDst(dstTok.Text, r.Via)
	if !ok {
		l.errorf(dstTok.Pos, "invalid route destination %q, skipping route", dstTok.Text)
		return r, false
	}
	r.Dst = dst
	if r.Via.IsValid() && r.Via.Is4() != dst.Addr().Is4() {
		l.errorf(n.Keyword.Pos, "route %s: gateway %s is of another address family, skipping route", dst, r.Via)
		return r, false
	}
	if tracked && !r.NoTrack && r.Dev == "" && !nexthopsHaveDev(r.Nexthops) {
		l.warnf(n.Keyword.Pos, "cannot track route %s with no interface specified, not tracking", dst)
		l.hintf("add `dev IF` to track it, or `no_track` to say it is not tracked")
		r.NoTrack = true
	}
	return r, true
}

func isRouteKeyword(s string) bool {
	switch s {
	case "to", "src", "via", "gw", "or", "dev", "oif", "scope", "table", "metric",
		"priority", "preference", "protocol", "proto", "track_group":
		return true
	}
	return false
}

func nexthopsHaveDev(nhs []Nexthop) bool {
	for _, nh := range nhs {
		if nh.Dev != "" {
			return true
		}
	}
	return false
}

// parseRouteDst parses a destination: a prefix, an address or "default".
func parseRouteDst(s string, via netip.Addr) (netip.Prefix, bool) {
	if s == "default" {
		if via.Is6() {
			return netip.PrefixFrom(netip.IPv6Unspecified(), 0), true
		}
		return netip.PrefixFrom(netip.IPv4Unspecified(), 0), true
	}
	return parsePrefix(s)
}

// parseNexthop parses "via ADDR dev IF weight N onlink" from w[i:] up to the
// next "nexthop", returning the index after it.
func (l *loader) parseNexthop(w []Token, i int) (Nexthop, int, bool) {
	var nh Nexthop
	for i < len(w) && w[i].Text != "nexthop" {
		t := w[i]
		if t.Text == "onlink" {
			nh.OnLink = true
			i++
			continue
		}
		if i+1 >= len(w) {
			l.errorf(t.Pos, "nexthop option %q needs a value", t.Text)
			return nh, i, false
		}
		v := w[i+1]
		i += 2
		switch t.Text {
		case "via":
			a, err := netip.ParseAddr(v.Text)
			if err != nil {
				l.errorf(v.Pos, "invalid nexthop address %q, skipping route", v.Text)
				return nh, i, false
			}
			nh.Via = a
		case "dev":
			nh.Dev = v.Text
		case "weight":
			x, err := strconv.ParseUint(v.Text, 10, 8)
			if err != nil || x == 0 {
				l.errorf(v.Pos, "invalid nexthop weight %q, skipping route", v.Text)
				return nh, i, false
			}
			nh.Weight = int(x)
		default:
			l.errorf(t.Pos, "unknown nexthop option %q, skipping route", t.Text)
			return nh, i, false
		}
	}
	return nh, i, true
}
