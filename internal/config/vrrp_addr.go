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

// parseVIP parses one address line. It reports problems and returns false
// when the address must be skipped, as keepalived skips it.
func (l *loader) parseVIP(n *Node) (VIP, bool) {
	words := append([]Token{n.Keyword}, n.Args...)
	v := VIP{Pos: n.Keyword.Pos}
	p, ok := parsePrefix(words[0].Text)
	if !ok {
		l.errorf(words[0].Pos, "invalid IP address %q, skipping it", words[0].Text)
		return v, false
	}
	v.Prefix = p
	var scopePos Pos
	for i := 1; i < len(words); i++ {
		w := words[i]
		if set, ok := vipFlags[w.Text]; ok {
			set(&v)
			continue
		}
		if i+1 >= len(words) {
			l.errorf(w.Pos, "unknown or incomplete address option %q", w.Text)
			return v, false
		}
		val := words[i+1]
		i++
		switch w.Text {
		case "brd", "broadcast":
			a, err := netip.ParseAddr(val.Text)
			if err != nil || !a.Is4() || !p.Addr().Is4() {
				l.errorf(val.Pos, "invalid broadcast address %q", val.Text)
				return v, false
			}
			v.Brd = a
		case "dev":
			v.Dev = val.Text
		case "scope":
			// keepalived reports a scope it cannot resolve and keeps the
			// address without it.
			s, ok := l.lookupName(RouteScopes, val.Text, 255)
			if !ok {
				l.warnf(val.Pos, "invalid scope %q, ignoring it", val.Text)
				continue
			}
			v.Scope, scopePos = Scope(s), val.Pos
		case "label":
			v.Label = val.Text
		case "peer":
			pp, ok := parsePrefix(val.Text)
			if !ok || pp.Addr().Is4() != p.Addr().Is4() {
				l.errorf(val.Pos, "invalid peer address %q", val.Text)
				return v, false
			}
			v.Peer = pp
		case "preferred_lft":
			lft := -1
			if val.Text != "forever" {
				x, err := strconv.ParseUint(val.Text, 10, 32)
				if err != nil {
					l.errorf(val.Pos, "invalid preferred_lft %q", val.Text)
					return v, false
				}
				lft = int(x)
			}
			v.PreferredLft = &lft
		case "track_group":
			l.setTrackGroup(&v.TrackGroup, &v.TrackGroupPos, val)
		default:
			l.errorf(w.Pos, "unknown address option %q", w.Text)
			return v, false
		}
	}
	if v.Scope != 0 && p.Addr().Is6() {
		l.warnf(scopePos, "cannot specify scope for IPv6 addresses, ignoring it")
		v.Scope = 0
	}
	return v, true
}

// Option is a name and value kept as written.
type Option struct {
	Name  string
	Value string
}
