package config

import (
	"net/netip"
	"strconv"
)

// Rule is one virtual_rules or static_rules line, in `ip rule` syntax.
type Rule struct {
	Pos  Pos          `json:",omitzero"`
	From netip.Prefix `json:",omitzero"` // unset: all
	To   netip.Prefix `json:",omitzero"` // unset: all
	Not  bool         `json:",omitempty"`
	// Family is 4 or 6; from the addresses, or inet/inet6 for rules
	// without any.
	Family int
	Table  string `json:",omitempty"`
	// Preference is the rule priority; keepalived assigns one counting
	// down from 16384 when none is written (PrefSet false).
	Preference int
	PrefSet    bool   `json:",omitempty"`
	Action     string `json:",omitempty"` // goto, nop, blackhole, unreachable, prohibit
	Goto       int    `json:",omitempty"`
	Fwmark     string `json:",omitempty"`
	Iif        string `json:",omitempty"`
	Oif        string `json:",omitempty"`
	NoTrack    bool   `json:",omitempty"`
	TrackGroup string `json:",omitempty"`
	// TrackGroupPos is where the track_group name is written.
	TrackGroupPos Pos `json:"-"`
	// Options are the other `ip rule` selectors and actions (tos, realms,
	// suppress_prefixlength, uidrange, ipproto, sport, dport, l3mdev, ...)
	// kept as written.
	Options []Option `json:",omitempty"`
}

// ruleFlags are the rule words without a value.
var ruleFlags = map[string]func(*Rule){
	"not":         func(r *Rule) { r.Not = true },
	"no_track":    func(r *Rule) { r.NoTrack = true },
	"nop":         func(r *Rule) { r.Action = "nop" },
	"blackhole":   func(r *Rule) { r.Action = "blackhole" },
	"unreachable": func(r *Rule) { r.Action = "unreachable" },
	"prohibit":    func(r *Rule) { r.Action = "prohibit" },
	"l3mdev":      func(r *Rule) { r.Options = append(r.Options, Option{Name: "l3mdev"}) },
	"inet":        func(r *Rule) { r.Family = 4 },
	"inet6":       func(r *Rule) { r.Family = 6 },
}

// ruleValueOpts are rule options with one value that we keep verbatim.
var ruleValueOpts = map[string]bool{
	"tos": true, "dsfield": true, "realms": true, "suppress_prefixlength": true,
	"suppress_ifgroup": true, "uidrange": true, "ipproto": true, "sport": true,
	"dport": true, "tun_id": true, "protocol": true,
}

// parseRule parses one rule line; it reports problems and returns false
// when the rule must be skipped, as keepalived skips it.
func (l *loader) parseRule(n *Node) (Rule, bool) {
	w := append([]Token{n.Keyword}, n.Args...)
	r := Rule{Pos: n.Keyword.Pos}
	for i := 0; i < len(w); i++ {
		t := w[i]
		if set, ok := ruleFlags[t.Text]; ok {
			set(&r)
			continue
		}
		if i+1 >= len(w) {
			l.errorf(t.Pos, "unknown or incomplete rule option %q, skipping rule", t.Text)
			return r, false
		}
		v := w[i+1]
		i++
		switch t.Text {
		case "from", "to":
			if v.Text == "all" {
				continue
			}
			p, ok := parsePrefix(v.Text)
			if !ok {
				l.errorf(v.Pos, "invalid rule %s address %q, skipping rule", t.Text, v.Text)
				return r, false
			}
			if t.Text == "from" {
				r.From = p
			} else {
				r.To = p
			}
		case "table", "lookup":
			r.Table = v.Text
		case "preference", "priority", "pref", "order":
			x, err := strconv.ParseUint(v.Text, 10, 32)
			if err != nil {
				l.errorf(v.Pos, "invalid rule preference %q, skipping rule", v.Text)
				return r, false
			}
			r.Preference, r.PrefSet = int(x), true
		case "goto":
			x, err := strconv.ParseUint(v.Text, 10, 32)
			if err != nil {
				l.errorf(v.Pos, "invalid rule goto target %q, skipping rule", v.Text)
				return r, false
			}
			r.Action, r.Goto = "goto", int(x)
		case "fwmark":
			r.Fwmark = v.Text
		case "iif", "dev":
			r.Iif = v.Text
		case "oif":
			r.Oif = v.Text
		case "track_group":
			l.setTrackGroup(&r.TrackGroup, &r.TrackGroupPos, v)
		default:
			if !ruleValueOpts[t.Text] {
				l.errorf(t.Pos, "unknown rule option %q, skipping rule", t.Text)
				return r, false
			}
			r.Options = append(r.Options, Option{Name: t.Text, Value: v.Text})
		}
	}
	if !l.ruleFamily(n, &r) {
		return r, false
	}
	if r.Table == "" && r.Action == "" {
		l.errorf(n.Keyword.Pos, "rule has no table or action, skipping rule")
		return r, false
	}
	if !r.PrefSet {
		if l.rulePref == 0 {
			l.rulePref = 16384
		}
		r.Preference = l.rulePref
		l.rulePref--
		l.warnf(n.Keyword.Pos, "rule has no preference specified, setting it to %d; this is probably not what you want", r.Preference)
		l.hintf("add `preference N` so that rules are ordered as you intend")
	}
	return r, true
}

// ruleFamily works out the address family of a rule and checks that its
// addresses agree.
func (l *loader) ruleFamily(n *Node, r *Rule) bool {
	fam := func(p netip.Prefix) int {
		if p.Addr().Is4() {
			return 4
		}
		return 6
	}
	for _, p := range []netip.Prefix{r.From, r.To} {
		if !p.IsValid() {
			continue
		}
		if r.Family != 0 && r.Family != fam(p) {
			l.errorf(n.Keyword.Pos, "rule mixes address families, skipping rule")
			return false
		}
		r.Family = fam(p)
	}
	if r.Family == 0 {
		r.Family = 4
	}
	return true
}
