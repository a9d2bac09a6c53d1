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
			// keepalived reports a scope it cannot resolve and keeps the
			// address without it.
			s, ok := l.lookupName(RouteScopes, val.Text, 255)
			if !ok {
				l.warnf(val.Pos, "invalid scope %q, ignoring it", val.Text)
				continue
			}
			v.Scope = Scope(s)
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
	if v.Scope != 0 {
		l.warnf(addr.Pos, "cannot specify scope for IPv6 addresses (%s), ignoring the scope", addr.Text)
		l.hintf("the kernel derives an IPv6 address's scope from the address itself")
		v.Scope = 0
	}
	if v.Label != "" {
		l.warnf(addr.Pos, "cannot specify label for IPv6 addresses (%s), ignoring the label", addr.Text)
		v.Label = ""
	}
}

// Option is a name and value kept as written.
type Option struct {
	Name  string
	Value string
}
