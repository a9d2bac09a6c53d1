package route

import (
	"slices"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/system"
)

// SystemRoute maps a parsed route onto the system's netlink route; every
// value is already resolved and checked by the config package.
func SystemRoute(c config.Route) system.Route {
	r := system.Route{Type: system.RouteType(c.Type), Dst: c.Dst, Src: c.Src, Via: c.Via, Dev: c.Dev,
		Table: int(c.Table), Metric: int(c.Metric), Protocol: c.Protocol, OnLink: c.OnLink, Append: c.Append}
	if c.Scope != nil {
		s := system.Scope(*c.Scope)
		r.Scope = &s
	}
	for _, nh := range c.Nexthops {
		r.Nexthops = append(r.Nexthops, system.Nexthop{Via: nh.Via, Dev: nh.Dev, Weight: nh.Weight, OnLink: nh.OnLink})
	}
	m := c.Metrics
	r.Metrics = system.RouteMetrics{
		MTU: int(m.MTU), AdvMSS: int(m.AdvMSS), Window: int(m.Window), Cwnd: int(m.Cwnd),
		InitCwnd: int(m.InitCwnd), InitRwnd: int(m.InitRwnd), Ssthresh: int(m.Ssthresh),
		Reordering: int(m.Reordering), Hoplimit: int(m.Hoplimit),
		QuickACK: b2i(m.QuickACK), FastOpenNoCookie: b2i(m.FastOpenNoCookie),
		RTT: m.RTT, RTTVar: m.RTTVar, RTOMin: m.RTOMin, Features: b2i(m.ECN), Congctl: m.Congctl,
		MTULock: slices.Contains(m.Locked, "mtu"), RTOMinLock: slices.Contains(m.Locked, "rto_min"),
		Realm: int(c.Realms), Tos: int(c.Tos),
	}
	return r
}

// SystemRule maps a parsed rule onto the system's netlink rule.
func SystemRule(c config.Rule) system.Rule {
	r := system.NewRule()
	r.From, r.To, r.Not, r.Priority = c.From, c.To, c.Not, int(c.Preference)
	r.Family = c.Family
	if r.Family == 0 {
		r.Family = system.IPv4
	}
	switch c.Action {
	case config.RuleLookup:
		r.Action, r.Table = system.RuleLookup, int(c.Table)
	case config.RuleGoto:
		r.Action, r.Goto = system.RuleGoto, int(c.Goto)
	default:
		r.Action = system.RuleAction(c.Action)
	}
	if c.HasFwmark {
		r.HasMark, r.Mark = true, c.Fwmark
		if c.FwMask != nil {
			r.Mask = *c.FwMask
		}
	}
	r.Iif, r.Oif, r.Tos, r.Realm, r.TunID = c.Iif, c.Oif, c.Tos, int(c.Realms), c.TunnelID
	if c.SuppressPrefixLen != nil {
		r.SuppressPrefixLen = int(*c.SuppressPrefixLen)
	}
	if c.SuppressIfgroup != nil {
		r.SuppressIfgroup = int(*c.SuppressIfgroup)
	}
	r.IPProto, r.Protocol = int(c.IPProto), c.Protocol
	r.Sport, r.Dport, r.UIDRange = portRange(c.Sport), portRange(c.Dport), portRange(c.UIDRange)
	return r
}

func portRange(r *config.Range) system.PortRange {
	if r == nil {
		return system.PortRange{}
	}
	return system.PortRange{Start: r.Start, End: r.End}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// SystemVIP maps a configured address (virtual or static) onto the
// system's address on ifindex.
func SystemVIP(v config.VIP, ifindex int) system.VIP {
	sv := system.VIP{
		Prefix:        v.Prefix,
		Ifindex:       ifindex,
		Broadcast:     v.Brd,
		Scope:         system.Scope(v.Scope),
		Label:         v.Label,
		Peer:          v.Peer,
		NoDAD:         v.NoDAD,
		NoPrefixRoute: v.NoPrefixRoute,
		Home:          v.Home,
		MngTmpAddr:    v.MngTmpAddr,
		AutoJoin:      v.AutoJoin,
	}
	if v.PreferredLft != nil && *v.PreferredLft >= 0 {
		lft := uint32(*v.PreferredLft)
		sv.PreferredLft = &lft
	}
	return sv
}
