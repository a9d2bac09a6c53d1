package config

import (
	"fmt"
	"strings"

	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

// ruleOpts are the rule words; an unknown word is tried as a route type
// action (typeAction).
var ruleOpts map[string]ruleOpt

func init() {
	flag := func(fn func(p *ruleParser, t Token) bool) ruleOpt {
		return ruleOpt{fn: func(p *ruleParser, t, _ Token) bool { return fn(p, t) }}
	}
	val := func(fn func(p *ruleParser, t, v Token) bool) ruleOpt { return ruleOpt{value: true, fn: fn} }
	ruleOpts = map[string]ruleOpt{
		"inet":     flag(func(p *ruleParser, t Token) bool { return p.inet(4, t) }),
		"inet6":    flag(func(p *ruleParser, t Token) bool { return p.inet(6, t) }),
		"from":     val((*ruleParser).selector),
		"to":       val((*ruleParser).selector),
		"table":    val((*ruleParser).table),
		"not":      flag(func(p *ruleParser, _ Token) bool { p.r.Not = true; return true }),
		"no_track": flag(func(p *ruleParser, _ Token) bool { p.r.NoTrack = true; return true }),
		"nop":      flag(func(p *ruleParser, t Token) bool { return p.action(RuleNop, t) }),
		"l3mdev": flag(func(p *ruleParser, t Token) bool {
			if !p.action(RuleLookup, t) {
				return false
			}
			// The netlink library cannot send FRA_L3MDEV.
			p.l.errorf(t.Pos, "rule option \"l3mdev\" is not supported by gokeepalived, skipping rule")
			return false
		}),
		"preference": val(func(p *ruleParser, t, v Token) bool {
			n, ok := parseCUint(v.Text, 1<<32-1)
			p.r.Preference, p.r.PrefSet = uint32(n), true
			return ok || p.bad(t, v)
		}),
		"goto": val(func(p *ruleParser, t, v Token) bool {
			n, ok := parseDecimal(v.Text, 1<<32-1)
			p.r.Goto = uint32(n)
			return (ok || p.bad(t, v)) && p.action(RuleGoto, t)
		}),
		"tos": val(func(p *ruleParser, t, v Token) bool {
			n, ok := p.l.lookupName(DSFields, v.Text, 255)
			p.r.Tos = uint8(n)
			return ok || p.bad(t, v)
		}),
		"fwmark": val((*ruleParser).fwmark),
		"realms": val(func(p *ruleParser, t, v Token) bool {
			n, ok := p.l.parseRealms(v.Text)
			if !ok {
				return p.bad(t, v)
			}
			p.r.Realms, p.tableOp = n, t
			return p.family(4, t)
		}),
		"suppress_prefixlength": val(func(p *ruleParser, t, v Token) bool {
			n, ok := parseDecimal(v.Text, 1<<31-1)
			x := uint32(n)
			p.r.SuppressPrefixLen, p.tableOp = &x, t
			return ok || p.bad(t, v)
		}),
		"suppress_ifgroup": val(func(p *ruleParser, t, v Token) bool {
			n, ok := p.l.lookupName(IfGroups, v.Text, 1<<31-1)
			p.r.SuppressIfgroup, p.tableOp = &n, t
			return ok || p.bad(t, v)
		}),
		"iif": val(func(p *ruleParser, _, v Token) bool { p.r.Iif = v.Text; return true }),
		"oif": val(func(p *ruleParser, _, v Token) bool { p.r.Oif = v.Text; return true }),
		"tunnel-id": val(func(p *ruleParser, t, v Token) bool {
			n, ok := parseDecimal(v.Text, 1<<64-1)
			p.r.TunnelID = n
			return ok || p.bad(t, v)
		}),
		"uidrange": val(func(p *ruleParser, t, v Token) bool {
			r, ok := parseRange(v.Text, 1<<32-1)
			p.r.UIDRange = &r
			return ok || p.bad(t, v)
		}),
		"protocol": val(func(p *ruleParser, t, v Token) bool {
			n, ok := parseDecimal(v.Text, 255)
			if !ok {
				return p.ignore(t, v)
			}
			p.r.Protocol, p.protPos = uint8(n), v.Pos
			return true
		}),
		"ipproto": val((*ruleParser).ipproto),
		"sport":   val((*ruleParser).port),
		"dport":   val((*ruleParser).port),
		"track_group": val(func(p *ruleParser, _, v Token) bool {
			p.l.setTrackGroup(&p.r.TrackGroup, &p.r.TrackGroupPos, v)
			return true
		}),
	}
	for alias, name := range map[string]string{"lookup": "table", "order": "preference", "priority": "preference",
		"dsfield": "tos", "sup_pl": "suppress_prefixlength", "sup_group": "suppress_ifgroup", "dev": "iif"} {
		ruleOpts[alias] = ruleOpts[name]
	}
}

// inet reads inet or inet6; like keepalived, it skips the word after it.
func (p *ruleParser) inet(fam vrrp.Family, t Token) bool {
	if !p.family(fam, t) {
		return false
	}
	p.i = p.l.skipAfterInet(p.w, p.i)
	return true
}

// selector reads `from PREFIX` or `to PREFIX` ("all" is any).
func (p *ruleParser) selector(t, v Token) bool {
	if v.Text == "all" {
		return true
	}
	pfx, ok := parsePrefix(v.Text)
	if !ok {
		return p.bad(t, v)
	}
	if t.Text == "from" {
		p.r.From = pfx
	} else {
		p.r.To = pfx
	}
	return p.family(famOf(pfx.Addr()), v)
}

// table reads `table T` (or `lookup T`); table 0 is refused.
func (p *ruleParser) table(t, v Token) bool {
	n, ok := p.l.lookupName(RouteTables, v.Text, 1<<32-1)
	if !ok || n == 0 {
		return p.bad(t, v)
	}
	p.r.Table = n
	return p.action(RuleLookup, t)
}

// fwmark reads `fwmark MARK[/MASK]`, each a C number up to 2^32-1.
func (p *ruleParser) fwmark(t, v Token) bool {
	ms, ks, hasMask := strings.Cut(v.Text, "/")
	mark, ok := parseCUint(ms, 1<<32-1)
	if ms == "" {
		ok = true
	}
	if hasMask {
		mask, mok := parseCUint(ks, 1<<32-1)
		if ks == "" {
			mok = true
		}
		m := uint32(mask)
		p.r.FwMask, ok = &m, ok && mok
	}
	p.r.Fwmark, p.r.HasFwmark = uint32(mark), true
	return ok || p.bad(t, v)
}

// ipproto reads an IP protocol: a decimal number up to 127 (keepalived's
// limit) or a name from /etc/protocols. keepalived ignores a bad one.
func (p *ruleParser) ipproto(t, v Token) bool {
	n, ok := parseDecimal(v.Text, 127)
	if !ok && !isCNumber(v.Text) {
		var m uint32
		m, ok = p.l.names.Lookup(IPProtocols, v.Text)
		n = uint64(m)
	}
	if !ok || n > 255 {
		return p.ignore(t, v)
	}
	p.r.IPProto = uint8(n)
	return true
}

// port reads `sport A-B` or `dport A-B`. keepalived 2.2 needs both ends
// and ignores anything else; a backwards range would only fail when the
// rule is added, so it drops the rule here, saying why.
func (p *ruleParser) port(t, v Token) bool {
	r, ok := parseRange(v.Text, 65535)
	if !ok || !strings.Contains(v.Text, "-") {
		return p.ignore(t, v)
	}
	if r.Start > r.End {
		p.l.advisef(v.Pos, "write the lower port first", "rule %s range %s is backwards and the kernel refuses it, skipping rule", t.Text, v.Text)
		return false
	}
	if t.Text == "sport" {
		p.r.Sport = &r
	} else {
		p.r.Dport = &r
	}
	return true
}

// parseRange parses "A-B", each decimal up to max.
func parseRange(s string, max uint64) (Range, bool) {
	a, b, ok := strings.Cut(s, "-")
	lo, aok := parseDecimal(a, max)
	hi, bok := parseDecimal(b, max)
	return Range{uint32(lo), uint32(hi)}, ok && aok && bok
}

// String returns the range as written: "A-B".
func (r Range) String() string { return fmt.Sprintf("%d-%d", r.Start, r.End) }
