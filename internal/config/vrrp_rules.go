package config

import (
	"net/netip"
	"strconv"

	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

// RuleAction is what a policy rule does, numbered as fib_rules numbers it
// (FR_ACT_*). The zero RuleAction means none was written.
type RuleAction uint8

// Rule actions.
const (
	RuleLookup      RuleAction = 1 // table N (or l3mdev)
	RuleGoto        RuleAction = 2
	RuleNop         RuleAction = 3
	RuleBlackhole   RuleAction = 6
	RuleUnreachable RuleAction = 7
	RuleProhibit    RuleAction = 8
)

var ruleActionNames = map[RuleAction]string{RuleLookup: "lookup", RuleGoto: "goto", RuleNop: "nop",
	RuleBlackhole: "blackhole", RuleUnreachable: "unreachable", RuleProhibit: "prohibit"}

// String returns the action's name, or its number.
func (a RuleAction) String() string {
	if s, ok := ruleActionNames[a]; ok {
		return s
	}
	return strconv.Itoa(int(a))
}

// MarshalText writes the action's name.
func (a RuleAction) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// Range is an inclusive port or uid range.
type Range struct{ Start, End uint32 }

// Rule is one virtual_rules or static_rules line, in `ip rule` syntax, with
// every option resolved to the value the kernel is given.
type Rule struct {
	Pos  Pos          `json:",omitzero"`
	From netip.Prefix `json:",omitzero"` // unset: all
	To   netip.Prefix `json:",omitzero"` // unset: all
	Not  bool         `json:",omitempty"`
	// Family is 4 or 6; from the addresses, or inet/inet6 for rules
	// without any.
	Family vrrp.Family
	Action RuleAction
	// Table is the table of a lookup rule.
	Table uint32 `json:",omitempty"`
	// Preference is the rule priority; keepalived assigns one counting
	// down from 16384 (per family) when none is written (PrefSet false).
	Preference uint32
	PrefSet    bool   `json:",omitempty"`
	Goto       uint32 `json:",omitempty"`
	// Fwmark is `fwmark MARK[/MASK]`; FwMask is nil without a mask.
	Fwmark    uint32  `json:",omitempty"`
	FwMask    *uint32 `json:",omitempty"`
	HasFwmark bool    `json:",omitempty"`
	Tos       uint8   `json:",omitempty"`
	// Realms is FROM<<16 | TO, IPv4 only.
	Realms            uint32  `json:",omitempty"`
	SuppressPrefixLen *uint32 `json:",omitempty"`
	SuppressIfgroup   *uint32 `json:",omitempty"`
	Iif               string  `json:",omitempty"`
	Oif               string  `json:",omitempty"`
	TunnelID          uint64  `json:",omitempty"`
	UIDRange          *Range  `json:",omitempty"`
	// Protocol is the rule protocol; 0 means keepalived's own (18).
	Protocol uint8  `json:",omitempty"`
	IPProto  uint8  `json:",omitempty"`
	Sport    *Range `json:",omitempty"`
	Dport    *Range `json:",omitempty"`
	NoTrack  bool   `json:",omitempty"`
	// TrackGroup and TrackGroupPos: see Route.
	TrackGroup    string `json:",omitempty"`
	TrackGroupPos Pos    `json:"-"`
}

// ruleParser walks one rule line as keepalived's rule parser does.
type ruleParser struct {
	l       *loader
	w       []Token
	i       int
	r       Rule
	tableOp Token // a realms or suppress_* option, which needs a lookup action
	protPos Pos
}

// ruleOpt handles the option at p.w[p.i] whose value (if it takes one) is
// v; false drops the rule (the handler has reported why).
type ruleOpt struct {
	value bool
	fn    func(p *ruleParser, t, v Token) bool
}

// parseRule parses one rule line; it reports problems and returns false
// when the rule must be skipped, as keepalived skips it.
func (l *loader) parseRule(n *Node) (Rule, bool) {
	p := &ruleParser{l: l, w: append([]Token{n.Keyword}, n.Args...), r: Rule{Pos: n.Keyword.Pos}}
	for ; p.i < len(p.w); p.i++ {
		t := p.w[p.i]
		if t.Text == "type" {
			if p.i+1 >= len(p.w) {
				l.errorf(tokenEnd(t), "rule option %q needs a value, skipping rule", t.Text)
				return p.r, false
			}
			p.i++
			t = p.w[p.i]
		}
		opt, ok := ruleOpts[t.Text]
		if !ok {
			opt = ruleOpt{fn: (*ruleParser).typeAction}
		}
		var v Token
		if opt.value {
			if p.i+1 >= len(p.w) {
				l.errorf(tokenEnd(t), "rule option %q needs a value, skipping rule", t.Text)
				return p.r, false
			}
			p.i++
			v = p.w[p.i]
		}
		if !opt.fn(p, t, v) {
			return p.r, false
		}
	}
	return p.r, p.finish(n)
}

// finish checks the whole rule once its words are read.
func (p *ruleParser) finish(n *Node) bool {
	l, r := p.l, &p.r
	switch {
	case r.Action == RuleGoto && !r.PrefSet:
		l.errorf(n.Keyword.Pos, "a goto rule needs a preference, skipping rule")
		return false
	case r.Action == RuleGoto && r.Preference >= r.Goto:
		l.errorf(n.Keyword.Pos, "rule preference %d is not below its goto target %d, skipping rule", r.Preference, r.Goto)
		return false
	case r.Action == 0:
		l.errorf(n.Keyword.Pos, "rule has no table or action, skipping rule")
		return false
	case r.Action != RuleLookup && p.tableOp.Text != "":
		l.errorf(p.tableOp.Pos, "%s needs a table action, skipping rule", p.tableOp.Text)
		return false
	}
	if !r.NoTrack && r.Protocol != 0 && r.Protocol != protoKeepalived {
		l.warnf(p.protPos, "a tracked rule must have protocol keepalived (%d), using it", protoKeepalived)
		l.hintf("add `no_track` to keep protocol %d", r.Protocol)
		r.Protocol = 0
	}
	if r.TrackGroup != "" && r.Iif == "" && l.cfg.TrackGroup(r.TrackGroup) != nil {
		l.errorf(r.TrackGroupPos, "a rule without iif cannot have a track_group, ignoring it")
		r.TrackGroup = ""
	}
	if r.Family == 0 {
		r.Family = 4
	}
	if !r.PrefSet {
		next := &l.rulePref[r.Family/6]
		if *next == 0 {
			*next = 16384
		}
		r.Preference = *next
		*next--
		l.warnf(n.Keyword.Pos, "rule has no preference specified, setting it to %d; this is probably not what you want", r.Preference)
		l.hintf("add `preference N` so that rules are ordered as you intend")
	}
	return true
}

// family fixes the rule's address family, reporting a clash at t.
func (p *ruleParser) family(f vrrp.Family, t Token) bool {
	if p.r.Family == 0 || p.r.Family == f {
		p.r.Family = f
		return true
	}
	p.l.errorf(t.Pos, "rule mixes IPv4 and IPv6 (%s), skipping rule", t.Text)
	return false
}

// action sets the rule's action; a second one drops the rule.
func (p *ruleParser) action(a RuleAction, t Token) bool {
	if p.r.Action != 0 {
		p.l.errorf(t.Pos, "a rule takes only one of table, goto, nop, blackhole, unreachable, prohibit and l3mdev, skipping rule")
		return false
	}
	p.r.Action = a
	return true
}

// bad reports an invalid value and drops the rule.
func (p *ruleParser) bad(t, v Token) bool {
	p.l.errorf(v.Pos, "invalid rule %s %q, skipping rule", t.Text, v.Text)
	return false
}

// ignore reports an invalid value that keepalived ignores, keeping the rule.
func (p *ruleParser) ignore(t, v Token) bool {
	p.l.warnf(v.Pos, "invalid rule %s %q, ignoring it", t.Text, v.Text)
	return true
}

// typeAction reads an action written as a route type (blackhole,
// unreachable, prohibit), or reports an unknown word.
func (p *ruleParser) typeAction(t, _ Token) bool {
	typ, ok := parseRouteType(t.Text)
	if !ok {
		p.l.errorf(t.Pos, "unknown rule option %q, skipping rule", t.Text)
		return false
	}
	a := map[RouteType]RuleAction{6: RuleBlackhole, 7: RuleUnreachable, 8: RuleProhibit}[typ]
	if a == 0 {
		p.l.errorf(t.Pos, "invalid rule action %q, skipping rule", t.Text)
		return false
	}
	return p.action(a, t)
}
