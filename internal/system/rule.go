package system

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// RuleAction is what a policy rule does when it matches.
type RuleAction uint8

// Rule actions, as in fib_rules (FR_ACT_*). The zero RuleAction is lookup
// (`table N`), the default.
const (
	RuleLookup      RuleAction = 0
	RuleGoto        RuleAction = unix.FR_ACT_GOTO
	RuleNop         RuleAction = unix.FR_ACT_NOP
	RuleBlackhole   RuleAction = unix.FR_ACT_BLACKHOLE
	RuleUnreachable RuleAction = unix.FR_ACT_UNREACHABLE
	RuleProhibit    RuleAction = unix.FR_ACT_PROHIBIT
)

var ruleActionNames = map[RuleAction]string{
	RuleLookup: "lookup", RuleGoto: "goto", RuleNop: "nop", RuleBlackhole: "blackhole",
	RuleUnreachable: "unreachable", RuleProhibit: "prohibit",
}

// String returns the name `ip rule` uses, or the number.
func (a RuleAction) String() string {
	if s, ok := ruleActionNames[a]; ok {
		return s
	}
	return strconv.Itoa(int(a))
}

// PortRange is an inclusive port or uid range; the zero value means unset.
type PortRange struct{ Start, End uint32 }

// Rule is one virtual or static policy rule, in the terms of `ip rule`.
type Rule struct {
	// Family is IPv4 or IPv6; required when From and To are unset.
	Family Family
	// From and To are the source and destination selectors; unset means all.
	From, To netip.Prefix
	// Not inverts the selectors (`not`).
	Not bool
	// Priority is the rule preference.
	Priority int
	// Action is lookup (the zero value), goto, nop, blackhole, ...
	Action RuleAction
	// Table is the table a lookup rule uses.
	Table int
	// Goto is the target preference of a goto rule.
	Goto int
	// Mark and Mask are `fwmark MARK[/MASK]`; HasMark says one is set and
	// Mask 0 means no mask.
	Mark, Mask uint32
	HasMark    bool
	// Iif and Oif are interface names (`iif`, `oif`).
	Iif, Oif string
	// Tos is the TOS selector.
	Tos uint8
	// SuppressPrefixLen and SuppressIfgroup are the suppressors; -1 unset.
	SuppressPrefixLen, SuppressIfgroup int
	// IPProto is the IP protocol selector; 0 means any.
	IPProto int
	// Sport, Dport and UIDRange are range selectors.
	Sport, Dport, UIDRange PortRange
	// TunID is `tunnel-id`.
	TunID uint64
	// Realm is `realms` (FRA_FLOW); 0 means none.
	Realm int
	// Protocol is the rule protocol; 0 means ProtoKeepalived.
	Protocol uint8
}

// NewRule returns a Rule with the suppressors unset.
func NewRule() Rule { return Rule{SuppressPrefixLen: -1, SuppressIfgroup: -1} }

// String returns the rule the way logs show it: "pref 100 from 10.0.0.0/8 lookup 100".
func (r Rule) String() string {
	var b strings.Builder
	b.WriteString("pref " + strconv.Itoa(r.Priority))
	if r.Not {
		b.WriteString(" not")
	}
	if r.From.IsValid() {
		b.WriteString(" from " + r.From.String())
	}
	if r.To.IsValid() {
		b.WriteString(" to " + r.To.String())
	}
	if r.HasMark {
		b.WriteString(fmt.Sprintf(" fwmark %#x", r.Mark))
	}
	if r.Iif != "" {
		b.WriteString(" iif " + r.Iif)
	}
	if r.Oif != "" {
		b.WriteString(" oif " + r.Oif)
	}
	switch r.Action {
	case RuleLookup:
		b.WriteString(" lookup " + strconv.Itoa(r.Table))
	case RuleGoto:
		b.WriteString(" goto " + strconv.Itoa(r.Goto))
	default:
		b.WriteString(" " + r.Action.String())
	}
	return b.String()
}

// Ruler adds and removes policy rules.
type Ruler interface {
	// AddRule adds r; a rule that is already there is not an error.
	AddRule(r Rule) error
	// DelRule removes r; a rule that is not there is not an error.
	DelRule(r Rule) error
}

// AddRule adds r. An identical rule already present (EEXIST) is success.
func (rt *Routing) AddRule(r Rule) error {
	nr, err := r.netlinkRule(true)
	if err == nil {
		err = rt.h.RuleAdd(nr)
	}
	switch {
	case err == nil:
		rt.log.Info("rule added", "rule", r.String())
		return nil
	case errors.Is(err, unix.EEXIST):
		return nil
	}
	return fmt.Errorf("add rule %s: %w", r, err)
}

// DelRule removes r. A rule that is not there (ENOENT) is success.
func (rt *Routing) DelRule(r Rule) error {
	nr, err := r.netlinkRule(false)
	if err == nil {
		err = rt.h.RuleDel(nr)
	}
	switch {
	case err == nil:
		rt.log.Info("rule removed", "rule", r.String())
		return nil
	case errors.Is(err, unix.ENOENT), errors.Is(err, unix.ESRCH):
		return nil
	}
	return fmt.Errorf("delete rule %s: %w", r, err)
}

// netlinkRule builds the netlink request for r.
func (r Rule) netlinkRule(add bool) (*netlink.Rule, error) {
	nr := netlink.NewRule()
	switch {
	case r.From.IsValid():
		nr.Family = familyNum(r.From.Addr())
	case r.To.IsValid():
		nr.Family = familyNum(r.To.Addr())
	case r.Family == IPv6:
		nr.Family = unix.AF_INET6
	case r.Family == IPv4:
		nr.Family = unix.AF_INET
	default:
		return nil, errors.New("rule has no address family")
	}
	if r.From.IsValid() {
		nr.Src = prefixNet(r.From.Masked())
	}
	if r.To.IsValid() {
		nr.Dst = prefixNet(r.To.Masked())
	}
	nr.Invert = r.Not
	nr.Priority = r.Priority
	switch r.Action {
	case RuleLookup:
		nr.Table = r.Table
		if add {
			nr.Type = unix.FR_ACT_TO_TBL
		}
	case RuleGoto:
		nr.Goto = r.Goto
	default:
		nr.Type = uint8(r.Action)
	}
	if r.HasMark {
		nr.Mark = r.Mark
		if r.Mask != 0 {
			m := r.Mask
			nr.Mask = &m
		}
	}
	nr.IifName, nr.OifName = r.Iif, r.Oif
	nr.Tos = uint(r.Tos)
	nr.SuppressPrefixlen, nr.SuppressIfgroup = r.SuppressPrefixLen, r.SuppressIfgroup
	nr.IPProto = r.IPProto
	if r.Sport != (PortRange{}) {
		nr.Sport = netlink.NewRulePortRange(uint16(r.Sport.Start), uint16(r.Sport.End))
	}
	if r.Dport != (PortRange{}) {
		nr.Dport = netlink.NewRulePortRange(uint16(r.Dport.Start), uint16(r.Dport.End))
	}
	if r.UIDRange != (PortRange{}) {
		nr.UIDRange = netlink.NewRuleUIDRange(r.UIDRange.Start, r.UIDRange.End)
	}
	nr.TunID = uint(r.TunID)
	if r.Realm != 0 {
		nr.Flow = r.Realm
	}
	nr.Protocol = r.Protocol
	if nr.Protocol == 0 {
		nr.Protocol = ProtoKeepalived
	}
	return nr, nil
}

func familyNum(a netip.Addr) int {
	if a.Is4() {
		return unix.AF_INET
	}
	return unix.AF_INET6
}
