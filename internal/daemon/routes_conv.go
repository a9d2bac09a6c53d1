package daemon

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/system"
)

// routeFromConfig turns one virtual_routes or static_routes line into a
// system route. Names (tables, protocols) are resolved through iproute2's
// files in dirs (nil: system.NameDirs).
func routeFromConfig(c config.Route, dirs []string) (system.Route, error) {
	r := system.Route{Dst: c.Dst, Src: c.Src, Via: c.Via, Dev: c.Dev, Metric: c.Metric, OnLink: c.OnLink}
	var err error
	if r.Type, err = system.ParseRouteType(c.Type); err != nil {
		return r, err
	}
	if c.Scope != "" {
		s, err := routeScope(c.Scope)
		if err != nil {
			return r, err
		}
		r.Scope = &s
	}
	if c.Table != "" {
		if r.Table, err = system.ParseTable(c.Table, dirs); err != nil {
			return r, err
		}
	}
	if c.Protocol != "" {
		if r.Protocol, err = system.ParseProtocol(c.Protocol, dirs); err != nil {
			return r, err
		}
	}
	for _, nh := range c.Nexthops {
		r.Nexthops = append(r.Nexthops, system.Nexthop{Via: nh.Via, Dev: nh.Dev, Weight: nh.Weight, OnLink: nh.OnLink})
	}
	for _, o := range c.Options {
		if err := setRouteOption(&r.Metrics, o); err != nil {
			return r, err
		}
	}
	return r, nil
}

// routeScope parses a route scope name or number.
func routeScope(s string) (system.Scope, error) {
	switch s {
	case "global", "universe":
		return system.ScopeGlobal, nil
	case "site":
		return system.ScopeSite, nil
	case "link":
		return system.ScopeLink, nil
	case "host":
		return system.ScopeHost, nil
	case "nowhere":
		return system.ScopeNowhere, nil
	}
	n, err := strconv.ParseUint(s, 0, 8)
	if err != nil {
		return 0, fmt.Errorf("unknown route scope %q", s)
	}
	return system.Scope(n), nil
}

// setRouteOption applies one `ip route` option kept verbatim by config.
func setRouteOption(m *system.RouteMetrics, o config.Option) error {
	ints := map[string]*int{
		"mtu": &m.MTU, "advmss": &m.AdvMSS, "window": &m.Window, "cwnd": &m.Cwnd,
		"initcwnd": &m.InitCwnd, "initrwnd": &m.InitRwnd, "ssthresh": &m.Ssthresh,
		"reordering": &m.Reordering, "hoplimit": &m.Hoplimit, "quickack": &m.QuickACK,
		"fastopen_no_cookie": &m.FastOpenNoCookie, "realms": &m.Realm, "tos": &m.Tos, "dsfield": &m.Tos,
	}
	millis := map[string]*int{"rtt": &m.RTT, "rttvar": &m.RTTVar, "rto_min": &m.RTOMin}
	switch {
	case ints[o.Name] != nil:
		n, err := strconv.ParseUint(o.Value, 0, 32)
		if err != nil || n > 1<<31-1 {
			return fmt.Errorf("route option %s: invalid value %q", o.Name, o.Value)
		}
		*ints[o.Name] = int(n)
	case millis[o.Name] != nil:
		n, err := parseMillis(o.Value)
		if err != nil {
			return fmt.Errorf("route option %s: %w", o.Name, err)
		}
		*millis[o.Name] = n
	case o.Name == "congctl":
		m.Congctl = o.Value
	case o.Name == "features":
		if o.Value != "ecn" {
			return fmt.Errorf("route option features: unknown feature %q", o.Value)
		}
		m.Features |= 1
	default:
		return fmt.Errorf("route option %s is not supported", o.Name)
	}
	return nil
}

// parseMillis parses an ip-route time: "N" or "Nms" (milliseconds), "Ns" or
// "Nsec" (seconds).
func parseMillis(s string) (int, error) {
	mul := 1
	switch {
	case strings.HasSuffix(s, "ms") || strings.HasSuffix(s, "msec"):
		s = strings.TrimSuffix(strings.TrimSuffix(s, "msec"), "ms")
	case strings.HasSuffix(s, "sec") || strings.HasSuffix(s, "s"):
		s, mul = strings.TrimSuffix(strings.TrimSuffix(s, "sec"), "s"), 1000
	}
	n, err := strconv.ParseUint(s, 10, 32)
	if err != nil || n*uint64(mul) > 1<<31-1 {
		return 0, fmt.Errorf("invalid time %q", s)
	}
	return int(n) * mul, nil
}

// ruleFromConfig turns one virtual_rules or static_rules line into a
// system rule.
func ruleFromConfig(c config.Rule, dirs []string) (system.Rule, error) {
	r := system.NewRule()
	r.From, r.To, r.Not, r.Priority = c.From, c.To, c.Not, c.Preference
	r.Iif, r.Oif = c.Iif, c.Oif
	r.Family = system.IPv4
	if c.Family == 6 {
		r.Family = system.IPv6
	}
	var err error
	if r.Action, err = system.ParseRuleAction(c.Action); err != nil {
		return r, err
	}
	r.Goto = c.Goto
	if c.Table != "" {
		if r.Table, err = system.ParseTable(c.Table, dirs); err != nil {
			return r, err
		}
		if c.Action == "" {
			r.Action = system.RuleLookup
		}
	}
	if c.Fwmark != "" {
		if r.Mark, r.Mask, err = parseFwmark(c.Fwmark); err != nil {
			return r, err
		}
		r.HasMark = true
	}
	for _, o := range c.Options {
		if err := setRuleOption(&r, o, dirs); err != nil {
			return r, err
		}
	}
	return r, nil
}

// parseFwmark parses "MARK[/MASK]", each decimal or 0x hex.
func parseFwmark(s string) (mark, mask uint32, err error) {
	ms, ks, hasMask := strings.Cut(s, "/")
	m, err := strconv.ParseUint(ms, 0, 32)
	if err != nil {
		return 0, 0, fmt.Errorf("invalid fwmark %q", s)
	}
	if hasMask {
		k, err := strconv.ParseUint(ks, 0, 32)
		if err != nil {
			return 0, 0, fmt.Errorf("invalid fwmark mask %q", s)
		}
		mask = uint32(k)
	}
	return uint32(m), mask, nil
}

// setRuleOption applies one `ip rule` option kept verbatim by config.
func setRuleOption(r *system.Rule, o config.Option, dirs []string) error {
	num := func(bits int) (uint64, error) {
		n, err := strconv.ParseUint(o.Value, 0, bits)
		if err != nil {
			return 0, fmt.Errorf("rule option %s: invalid value %q", o.Name, o.Value)
		}
		return n, nil
	}
	var err error
	var n uint64
	switch o.Name {
	case "tos", "dsfield":
		n, err = num(8)
		r.Tos = uint8(n)
	case "suppress_prefixlength":
		n, err = num(8)
		r.SuppressPrefixLen = int(n)
	case "suppress_ifgroup":
		n, err = num(31)
		r.SuppressIfgroup = int(n)
	case "tun_id":
		n, err = num(32)
		r.TunID = uint32(n)
	case "realms":
		n, err = num(31)
		r.Realm = int(n)
	case "ipproto":
		r.IPProto, err = ipProto(o.Value)
	case "sport", "dport", "uidrange":
		bits := 16
		if o.Name == "uidrange" {
			bits = 32
		}
		var pr system.PortRange
		pr, err = parseRange(o.Value, bits)
		switch o.Name {
		case "sport":
			r.Sport = pr
		case "dport":
			r.Dport = pr
		default:
			r.UIDRange = pr
		}
	case "protocol":
		r.Protocol, err = system.ParseProtocol(o.Value, dirs)
	default:
		return fmt.Errorf("rule option %s is not supported", o.Name)
	}
	return err
}

// ipProto parses an IP protocol name (tcp, udp, ...) or number.
func ipProto(s string) (int, error) {
	names := map[string]int{"icmp": 1, "tcp": 6, "udp": 17, "gre": 47, "esp": 50, "ah": 51,
		"ipv6-icmp": 58, "icmpv6": 58, "sctp": 132, "vrrp": 112}
	if n, ok := names[s]; ok {
		return n, nil
	}
	n, err := strconv.ParseUint(s, 0, 8)
	if err != nil {
		return 0, fmt.Errorf("unknown ip protocol %q", s)
	}
	return int(n), nil
}

// parseRange parses "N" or "N-M" with M >= N, each fitting bits.
func parseRange(s string, bits int) (system.PortRange, error) {
	a, b, isRange := strings.Cut(s, "-")
	lo, err := strconv.ParseUint(a, 10, bits)
	hi := lo
	if err == nil && isRange {
		hi, err = strconv.ParseUint(b, 10, bits)
	}
	if err != nil || hi < lo {
		return system.PortRange{}, errors.New("invalid range " + strconv.Quote(s))
	}
	return system.PortRange{Start: uint32(lo), End: uint32(hi)}, nil
}
