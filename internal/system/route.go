package system

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// RouteType is a route's type (`ip route add TYPE PREFIX`).
type RouteType uint8

// Route types, as in rtnetlink. The zero RouteType is unicast, the default.
const (
	RouteUnicast     RouteType = 0
	RouteLocal       RouteType = unix.RTN_LOCAL
	RouteBroadcast   RouteType = unix.RTN_BROADCAST
	RouteAnycast     RouteType = unix.RTN_ANYCAST
	RouteMulticast   RouteType = unix.RTN_MULTICAST
	RouteBlackhole   RouteType = unix.RTN_BLACKHOLE
	RouteUnreachable RouteType = unix.RTN_UNREACHABLE
	RouteProhibit    RouteType = unix.RTN_PROHIBIT
	RouteThrow       RouteType = unix.RTN_THROW
	RouteNAT         RouteType = unix.RTN_NAT
)

var routeTypeNames = map[RouteType]string{
	RouteUnicast: "unicast", RouteLocal: "local", RouteBroadcast: "broadcast",
	RouteAnycast: "anycast", RouteMulticast: "multicast", RouteBlackhole: "blackhole",
	RouteUnreachable: "unreachable", RouteProhibit: "prohibit", RouteThrow: "throw",
	RouteNAT: "nat",
}

// String returns the name `ip route` uses, or the number.
func (t RouteType) String() string {
	if s, ok := routeTypeNames[t]; ok {
		return s
	}
	return strconv.Itoa(int(t))
}

// ProtoKeepalived is the route and rule protocol keepalived marks its own
// entries with ("proto keepalived" in `ip route`), our default too.
const ProtoKeepalived = unix.RTPROT_KEEPALIVED

// Nexthop is one path of a multipath route.
type Nexthop struct {
	// Via is the gateway; the zero Addr means a direct path.
	Via netip.Addr
	// Dev is the interface name; empty lets the kernel pick by Via.
	Dev string
	// Weight is the path's weight, 1-256; 0 means 1.
	Weight int
	// OnLink is `onlink`: the gateway is on Dev even without a matching prefix.
	OnLink bool
}

// Route is one virtual or static route, in the terms of `ip route`.
// Interfaces are kept by name and resolved at every Add, so a route can wait
// for an interface that does not exist yet.
type Route struct {
	// Type is unicast (the zero value), blackhole, unreachable, ...
	Type RouteType
	// Dst is the destination prefix (0.0.0.0/0 or ::/0 for default).
	Dst netip.Prefix
	// Src is the preferred source address (`src`).
	Src netip.Addr
	// Via is the gateway (`via`); the zero Addr means none.
	Via netip.Addr
	// Dev is the output interface (`dev`); empty means none.
	Dev string
	// Scope is the route scope; nil means what `ip route` picks: host for
	// local and nat routes, link for broadcast, multicast, anycast and for
	// unicast routes without a gateway, global otherwise.
	Scope *Scope
	// Table is the routing table id; 0 means main (254).
	Table int
	// Metric is the route priority (`metric`); 0 means none.
	Metric int
	// Protocol is the route protocol; 0 means ProtoKeepalived.
	Protocol uint8
	// OnLink is `onlink`.
	OnLink bool
	// Append adds the route after existing routes to the same destination
	// (`append`) instead of before them.
	Append bool
	// Nexthops are the paths of a multipath route; Via and Dev are then unused.
	Nexthops []Nexthop
	// Metrics are the other attributes (mtu, advmss, ...); see RouteMetrics.
	Metrics RouteMetrics
}

// RouteMetrics are a route's per-path metrics and a few extras; zero
// fields are not sent.
type RouteMetrics struct {
	MTU, AdvMSS, Window, Cwnd, InitCwnd, InitRwnd, Ssthresh int
	Reordering, Hoplimit, QuickACK, FastOpenNoCookie        int
	// RTT, RTTVar and RTOMin are sent in the kernel's units (1/8, 1/4 and
	// 1 ms).
	RTT, RTTVar, RTOMin time.Duration
	// MTULock and RTOMinLock lock those metrics (`mtu lock N`).
	MTULock, RTOMinLock bool
	// Features is the RTAX_FEATURES bit set (`features ecn` = 1).
	Features int
	// Congctl is the congestion control algorithm (`congctl`).
	Congctl string
	// Realm is `realms` (RTA_FLOW).
	Realm int
	// Tos is the TOS selector (`tos`).
	Tos int
}

// String returns the route the way logs show it: "10.1.0.0/16 via 192.168.1.1 dev eth1 table 100".
func (r Route) String() string {
	var b strings.Builder
	if r.Type != RouteUnicast {
		b.WriteString(r.Type.String() + " ")
	}
	b.WriteString(r.Dst.String())
	if r.Src.IsValid() {
		b.WriteString(" src " + r.Src.String())
	}
	if r.Via.IsValid() {
		b.WriteString(" via " + r.Via.String())
	}
	if r.Dev != "" {
		b.WriteString(" dev " + r.Dev)
	}
	for _, nh := range r.Nexthops {
		b.WriteString(" nexthop")
		if nh.Via.IsValid() {
			b.WriteString(" via " + nh.Via.String())
		}
		if nh.Dev != "" {
			b.WriteString(" dev " + nh.Dev)
		}
	}
	if r.Table != 0 {
		b.WriteString(" table " + strconv.Itoa(r.Table))
	}
	if r.Metric != 0 {
		b.WriteString(" metric " + strconv.Itoa(r.Metric))
	}
	return b.String()
}

// Router adds and removes routes.
type Router interface {
	// AddRoute adds r; a route that is already there is not an error.
	AddRoute(r Route) error
	// DelRoute removes r; a route that is not there is not an error.
	DelRoute(r Route) error
}

// Routing is the netlink Router and Ruler.
type Routing struct {
	h   *netlink.Handle
	log *slog.Logger
}

var (
	_ Router = (*Routing)(nil)
	_ Ruler  = (*Routing)(nil)
)

// NewRouting opens a netlink handle in the calling thread's network
// namespace. log receives an Info line per route or rule added or removed.
func NewRouting(log *slog.Logger) (*Routing, error) {
	h, err := netlink.NewHandle(unix.NETLINK_ROUTE)
	if err != nil {
		return nil, fmt.Errorf("open netlink for routes: %w", err)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Routing{h: h, log: log}, nil
}

// Close releases the netlink handle.
func (rt *Routing) Close() error {
	rt.h.Close()
	return nil
}

// AddRoute adds r. A route already present (EEXIST) is success. A missing
// interface wraps ErrNoInterface; an interface that is down or a gateway
// that is not reachable yet wraps ErrLinkNotReady.
func (rt *Routing) AddRoute(r Route) error {
	nr, err := rt.netlinkRoute(r, true)
	switch {
	case err == nil && r.Append:
		err = rt.h.RouteAppend(nr)
	case err == nil:
		err = rt.h.RouteAdd(nr)
	}
	switch {
	case err == nil:
		rt.log.Info("route added", "route", r.String())
		return nil
	case errors.Is(err, unix.EEXIST):
		return nil
	case isNoLink(err):
		err = fmt.Errorf("%w: %w", ErrNoInterface, err)
	case errors.Is(err, unix.ENETUNREACH), errors.Is(err, unix.ENETDOWN):
		err = fmt.Errorf("%w: %w", ErrLinkNotReady, err)
	}
	return fmt.Errorf("add route %s: %w", r, err)
}

// DelRoute removes r. A route that is not there (ESRCH), or whose interface
// is gone (and the route with it), is success.
func (rt *Routing) DelRoute(r Route) error {
	nr, err := rt.netlinkRoute(r, false)
	if err == nil {
		err = rt.h.RouteDel(nr)
	}
	switch {
	case err == nil:
		rt.log.Info("route removed", "route", r.String())
		return nil
	case errors.Is(err, unix.ESRCH), isNoLink(err):
		return nil
	}
	return fmt.Errorf("delete route %s: %w", r, err)
}

// netlinkRoute builds the netlink request for r, resolving interface names.
// For a delete the scope matches any (RT_SCOPE_NOWHERE), as `ip route del`.
func (rt *Routing) netlinkRoute(r Route, add bool) (*netlink.Route, error) {
	if !r.Dst.IsValid() {
		return nil, errors.New("invalid destination")
	}
	nr := &netlink.Route{
		Dst:      prefixNet(r.Dst.Masked()),
		Table:    r.Table,
		Priority: r.Metric,
		Protocol: netlink.RouteProtocol(r.Protocol),
		Type:     int(r.Type),
		Scope:    netlink.Scope(r.scope()),
	}
	if r.Type == RouteUnicast {
		nr.Type = unix.RTN_UNICAST
	}
	if nr.Table == 0 {
		nr.Table = unix.RT_TABLE_MAIN
	}
	if r.Protocol == 0 {
		nr.Protocol = ProtoKeepalived
	}
	if !add {
		nr.Scope = netlink.Scope(unix.RT_SCOPE_NOWHERE)
	}
	if r.Src.IsValid() {
		nr.Src = net.IP(r.Src.AsSlice())
	}
	if r.Via.IsValid() {
		nr.Gw = net.IP(r.Via.AsSlice())
	}
	if r.OnLink {
		nr.Flags |= unix.RTNH_F_ONLINK
	}
	var err error
	if nr.LinkIndex, err = rt.ifindex(r.Dev); err != nil {
		return nil, err
	}
	for _, nh := range r.Nexthops {
		ni := &netlink.NexthopInfo{Hops: max(nh.Weight-1, 0)}
		if nh.Via.IsValid() {
			ni.Gw = net.IP(nh.Via.AsSlice())
		}
		if nh.OnLink {
			ni.Flags |= unix.RTNH_F_ONLINK
		}
		if ni.LinkIndex, err = rt.ifindex(nh.Dev); err != nil {
			return nil, err
		}
		nr.MultiPath = append(nr.MultiPath, ni)
	}
	m := r.Metrics
	nr.MTU, nr.AdvMSS, nr.Window, nr.Cwnd = m.MTU, m.AdvMSS, m.Window, m.Cwnd
	nr.InitCwnd, nr.InitRwnd, nr.Ssthresh, nr.Reordering = m.InitCwnd, m.InitRwnd, m.Ssthresh, m.Reordering
	nr.Hoplimit, nr.QuickACK, nr.FastOpenNoCookie = m.Hoplimit, m.QuickACK, m.FastOpenNoCookie
	nr.Features, nr.Congctl, nr.Realm, nr.Tos = m.Features, m.Congctl, m.Realm, m.Tos
	nr.Rtt, nr.RttVar = int(m.RTT/(time.Millisecond/8)), int(m.RTTVar/(time.Millisecond/4))
	nr.RtoMin = int(m.RTOMin / time.Millisecond)
	nr.MTULock, nr.RtoMinLock = m.MTULock, m.RTOMinLock
	return nr, nil
}

// scope returns the route's scope, or the one `ip route add` picks.
func (r Route) scope() Scope {
	switch {
	case r.Scope != nil:
		return *r.Scope
	case r.Type == RouteLocal || r.Type == RouteNAT:
		return ScopeHost
	case r.Type == RouteBroadcast || r.Type == RouteMulticast || r.Type == RouteAnycast:
		return ScopeLink
	case r.Type == RouteUnicast && !r.Via.IsValid() && !nexthopsHaveGateway(r.Nexthops):
		return ScopeLink
	}
	return ScopeGlobal
}

func nexthopsHaveGateway(nhs []Nexthop) bool {
	for _, nh := range nhs {
		if nh.Via.IsValid() {
			return true
		}
	}
	return false
}

// ifindex resolves an interface name; "" is 0 (none).
func (rt *Routing) ifindex(name string) (int, error) {
	if name == "" {
		return 0, nil
	}
	l, err := rt.h.LinkByName(name)
	if err != nil {
		return 0, fmt.Errorf("interface %s: %w", name, err)
	}
	return l.Attrs().Index, nil
}
