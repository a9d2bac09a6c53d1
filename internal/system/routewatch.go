//go:build linux

package system

import (
	"context"
	"encoding/binary"
	"fmt"
	"log/slog"
	"net"
	"net/netip"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netlink/nl"
	"golang.org/x/sys/unix"
)

// RouteEvent is one route added to or removed from a routing table, as
// seen by WatchRoutes, in the terms of Route. Interfaces are indexes: the
// kernel names none.
type RouteEvent struct {
	// New is true when the route was added (or replaced), false when it
	// was removed.
	New      bool
	Type     RouteType
	Dst      netip.Prefix
	Via      netip.Addr
	Ifindex  int
	Table    int
	Metric   int
	Tos      int
	Protocol uint8
	// Nexthops are the paths of a multipath route.
	Nexthops []EventHop
}

// EventHop is one path of a multipath route in a RouteEvent.
type EventHop struct {
	Via     netip.Addr
	Ifindex int
}

// WatchRoutes subscribes to IPv4 and IPv6 route changes in the calling
// thread's network namespace and sends one RouteEvent per change until ctx
// is done; then the channel is closed. Existing routes are not reported.
// The channel is also closed if the subscription fails (the socket
// overflowed, say): the caller may subscribe again.
func WatchRoutes(ctx context.Context, log *slog.Logger) (<-chan RouteEvent, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	updates := make(chan netlink.RouteUpdate, 64)
	sub := newSubscription()
	err := netlink.RouteSubscribeWithOptions(updates, sub.done, netlink.RouteSubscribeOptions{ErrorCallback: sub.onError})
	if err != nil {
		return nil, fmt.Errorf("subscribe to route changes: %w", err)
	}
	return relay(ctx, sub, log, "route watch", updates, routeEvent), nil
}

func routeEvent(u netlink.RouteUpdate) RouteEvent {
	ev := RouteEvent{
		New:      u.Type == unix.RTM_NEWROUTE,
		Type:     RouteType(u.Route.Type),
		Via:      ipAddr(u.Gw),
		Ifindex:  u.LinkIndex,
		Table:    u.Table,
		Metric:   u.Priority,
		Tos:      u.Tos,
		Protocol: uint8(u.Protocol),
	}
	if ev.Type == unix.RTN_UNICAST {
		ev.Type = RouteUnicast
	}
	switch {
	case u.Dst != nil:
		ev.Dst = toPrefix(u.Dst)
	case u.Family == unix.AF_INET6:
		ev.Dst = netip.PrefixFrom(netip.IPv6Unspecified(), 0)
	default:
		ev.Dst = netip.PrefixFrom(netip.IPv4Unspecified(), 0)
	}
	for _, nh := range u.MultiPath {
		ev.Nexthops = append(ev.Nexthops, EventHop{Via: ipAddr(nh.Gw), Ifindex: nh.LinkIndex})
	}
	return ev
}

func ipAddr(ip net.IP) netip.Addr {
	a, _ := netip.AddrFromSlice(ip)
	return a.Unmap()
}

// Matches reports whether the event is about r: same type, destination,
// table, metric, tos and protocol, and, where r names them, the same
// gateways and interfaces. ifindex resolves r's interface names (0 or less
// when missing). An IPv6 route without a metric matches the kernel's
// default 1024.
func (ev RouteEvent) Matches(r Route, ifindex func(name string) int) bool {
	table, proto := r.Table, r.Protocol
	if table == 0 {
		table = unix.RT_TABLE_MAIN
	}
	if proto == 0 {
		proto = ProtoKeepalived
	}
	metric := r.Metric
	if metric == 0 && r.Dst.Addr().Is6() {
		metric = 1024
	}
	if ev.Type != r.Type || ev.Dst != r.Dst.Masked() || ev.Table != table || ev.Metric != metric ||
		ev.Tos != r.Metrics.Tos || ev.Protocol != proto {
		return false
	}
	hops := ev.Nexthops
	if len(hops) == 0 {
		hops = []EventHop{{Via: ev.Via, Ifindex: ev.Ifindex}}
	}
	want := r.Nexthops
	if len(want) == 0 {
		want = []Nexthop{{Via: r.Via, Dev: r.Dev}}
	}
	// Every path of the event is one of r's: the kernel may report the
	// paths of an IPv6 multipath route one at a time.
	for _, h := range hops {
		found := false
		for _, w := range want {
			if w.Via == h.Via && (w.Dev == "" || ifindex(w.Dev) == h.Ifindex) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// RuleEvent is one policy rule added or removed, as seen by WatchRules.
type RuleEvent struct {
	// New is true when the rule was added, false when it was removed.
	New bool
	// Rule is the rule; its Protocol is 0 when the kernel does not
	// report one (before Linux 4.17).
	Rule Rule
}

// WatchRules subscribes to IPv4 and IPv6 policy rule changes in the
// calling thread's network namespace and sends one RuleEvent per change
// until ctx is done; then the channel is closed, as for WatchRoutes.
func WatchRules(ctx context.Context, log *slog.Logger) (<-chan RuleEvent, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	// vishvananda/netlink has no rule subscription: the socket is its nl one.
	s, err := nl.Subscribe(unix.NETLINK_ROUTE, unix.RTNLGRP_IPV4_RULE, unix.RTNLGRP_IPV6_RULE)
	if err != nil {
		return nil, fmt.Errorf("subscribe to rule changes: %w", err)
	}
	sub := newSubscription()
	go func() {
		<-sub.done
		s.Close()
	}()
	updates := make(chan RuleEvent, 64)
	go func() {
		defer close(updates)
		for {
			msgs, from, err := s.Receive()
			if err != nil {
				sub.onError(err)
				return
			}
			if from.Pid != nl.PidKernel {
				continue
			}
			for _, m := range msgs {
				if m.Header.Type != unix.RTM_NEWRULE && m.Header.Type != unix.RTM_DELRULE {
					continue
				}
				r, err := parseRule(m.Data)
				if err != nil {
					sub.onError(err)
					continue
				}
				select {
				case updates <- RuleEvent{New: m.Header.Type == unix.RTM_NEWRULE, Rule: r}:
				case <-sub.done:
					return
				}
			}
		}
	}()
	return relay(ctx, sub, log, "rule watch", updates, func(e RuleEvent) RuleEvent { return e }), nil
}

// fibRuleHdrLen is the size of struct fib_rule_hdr.
const fibRuleHdrLen = 12

// parseRule decodes a fib_rule_hdr and its attributes.
func parseRule(b []byte) (Rule, error) {
	if len(b) < fibRuleHdrLen {
		return Rule{}, fmt.Errorf("rule message of %d bytes", len(b))
	}
	attrs, err := parseAttrs(b[fibRuleHdrLen:])
	if err != nil {
		return Rule{}, fmt.Errorf("rule message: %w", err)
	}
	r := NewRule()
	fam, dstLen, srcLen := b[0], int(b[1]), int(b[2])
	switch fam {
	case unix.AF_INET:
		r.Family = IPv4
	case unix.AF_INET6:
		r.Family = IPv6
	}
	r.Tos, r.Table = b[3], int(b[4])
	if b[7] != unix.FR_ACT_TO_TBL {
		r.Action = RuleAction(b[7])
	}
	r.Not = binary.NativeEndian.Uint32(b[8:12])&unix.FIB_RULE_INVERT != 0
	u32 := func(v []byte) uint32 {
		if len(v) < 4 {
			return 0
		}
		return binary.NativeEndian.Uint32(v)
	}
	ports := func(v []byte) PortRange {
		if len(v) < 4 {
			return PortRange{}
		}
		return PortRange{uint32(binary.NativeEndian.Uint16(v)), uint32(binary.NativeEndian.Uint16(v[2:]))}
	}
	for _, a := range attrs {
		v := a.value
		switch a.typ {
		case unix.FRA_SRC:
			r.From = netip.PrefixFrom(ipAddr(v), srcLen)
		case unix.FRA_DST:
			r.To = netip.PrefixFrom(ipAddr(v), dstLen)
		case unix.FRA_PRIORITY:
			r.Priority = int(u32(v))
		case unix.FRA_TABLE:
			r.Table = int(u32(v))
		case unix.FRA_GOTO:
			r.Goto = int(u32(v))
		case unix.FRA_FWMARK:
			r.Mark, r.HasMark = u32(v), true
		case unix.FRA_FWMASK:
			r.Mask, r.HasMark = u32(v), true
		case unix.FRA_IIFNAME:
			r.Iif = cString(v)
		case unix.FRA_OIFNAME:
			r.Oif = cString(v)
		case unix.FRA_SUPPRESS_PREFIXLEN:
			if x := u32(v); x != 0xffffffff {
				r.SuppressPrefixLen = int(x)
			}
		case unix.FRA_SUPPRESS_IFGROUP:
			if x := u32(v); x != 0xffffffff {
				r.SuppressIfgroup = int(x)
			}
		case unix.FRA_FLOW:
			r.Realm = int(u32(v))
		case unix.FRA_TUN_ID:
			if len(v) >= 8 {
				// As vishvananda/netlink writes it (AddRule).
				r.TunID = binary.NativeEndian.Uint64(v)
			}
		case unix.FRA_IP_PROTO:
			if len(v) > 0 {
				r.IPProto = int(v[0])
			}
		case unix.FRA_SPORT_RANGE:
			r.Sport = ports(v)
		case unix.FRA_DPORT_RANGE:
			r.Dport = ports(v)
		case unix.FRA_UID_RANGE:
			if len(v) >= 8 {
				r.UIDRange = PortRange{u32(v), u32(v[4:])}
			}
		case unix.FRA_PROTOCOL:
			if len(v) > 0 {
				r.Protocol = v[0]
			}
		}
	}
	return r, nil
}

// attr is one netlink attribute.
type attr struct {
	typ   uint16
	value []byte
}

// parseAttrs splits netlink attributes, rejecting a truncated one (the
// nl package's parser panics on those).
func parseAttrs(b []byte) ([]attr, error) {
	var out []attr
	for len(b) >= unix.SizeofRtAttr {
		n := int(binary.NativeEndian.Uint16(b))
		if n < unix.SizeofRtAttr || n > len(b) {
			return nil, fmt.Errorf("attribute of length %d in %d bytes", n, len(b))
		}
		out = append(out, attr{typ: binary.NativeEndian.Uint16(b[2:]) &^ (unix.NLA_F_NESTED | unix.NLA_F_NET_BYTEORDER), value: b[unix.SizeofRtAttr:n]})
		b = b[min((n+unix.NLA_ALIGNTO-1)&^(unix.NLA_ALIGNTO-1), len(b)):]
	}
	return out, nil
}

func cString(b []byte) string {
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}

// Matches reports whether the event is about r: every selector, the
// action and its target, the preference and the protocol agree (the
// protocol only when the kernel reports one).
func (ev RuleEvent) Matches(r Rule) bool {
	a, b := ev.Rule.identity(), r.identity()
	if ev.Rule.Protocol == 0 {
		a.Protocol = b.Protocol
	}
	return a == b
}

// identity returns r in the form the kernel reports it back: defaults
// filled in, fields the action does not use cleared.
func (r Rule) identity() Rule {
	switch {
	case r.From.IsValid():
		r.Family = IPv4
		if r.From.Addr().Is6() {
			r.Family = IPv6
		}
	case r.To.IsValid():
		r.Family = IPv4
		if r.To.Addr().Is6() {
			r.Family = IPv6
		}
	}
	if r.From.IsValid() {
		r.From = r.From.Masked()
	}
	if r.To.IsValid() {
		r.To = r.To.Masked()
	}
	if r.Action != RuleLookup {
		r.Table = 0
	}
	if r.Action != RuleGoto {
		r.Goto = 0
	}
	// The kernel keeps no mark as 0/0 and a mark without a mask as
	// MARK/0xffffffff.
	if !r.HasMark {
		r.Mark, r.Mask = 0, 0
	}
	if r.Mask == 0 && r.Mark != 0 {
		r.Mask = 0xffffffff
	}
	r.HasMark = r.Mark != 0 || r.Mask != 0
	if r.Protocol == 0 {
		r.Protocol = ProtoKeepalived
	}
	return r
}
