//go:build linux

package system

import (
	"context"
	"encoding/binary"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/lab"
	"golang.org/x/sys/unix"
)

// nextEvent waits for the first event on ch that pick accepts.
func nextEvent[E any](t *testing.T, ch <-chan E, what string, pick func(E) bool) E {
	t.Helper()
	timeout := time.After(5 * time.Second)
	for {
		select {
		case ev, ok := <-ch:
			if !ok {
				t.Fatalf("%s: watch closed", what)
			}
			if pick(ev) {
				return ev
			}
		case <-timeout:
			t.Fatalf("%s: no event", what)
		}
	}
}

// TestWatchRoutesLab adds routes with Routing and deletes them with `ip
// route del`: each deletion is reported, and the event matches the route
// that was added and not a near neighbour.
func TestWatchRoutesLab(t *testing.T) {
	l := newLab(t, lab.Hosts("a")...)
	h := l.Host("a")
	rt := routing(t, h)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var (
		ch    <-chan RouteEvent
		links *Links
	)
	in(t, h, func() (err error) {
		if links, err = NewLinks(nil); err != nil {
			return err
		}
		ch, err = WatchRoutes(ctx, nil)
		return err
	})
	defer links.Close()
	ifindex := func(name string) int {
		lk, err := links.Lookup(name)
		if err != nil {
			return -1
		}
		return lk.Index
	}
	mp, ma := netip.MustParsePrefix, netip.MustParseAddr
	gw4 := ma("192.168.1.1")
	tests := []struct {
		name  string
		r     Route
		del   string // the `ip route del` arguments
		other Route  // a route the event must not match
	}{
		{"via dev", Route{Dst: mp("10.1.0.0/16"), Via: gw4, Dev: "eth1"}, "10.1.0.0/16 via 192.168.1.1 dev eth1",
			Route{Dst: mp("10.1.0.0/16"), Via: ma("192.168.1.9"), Dev: "eth1"}},
		{"table metric", Route{Dst: mp("10.3.0.0/16"), Via: gw4, Table: 100, Metric: 7}, "10.3.0.0/16 table 100 metric 7",
			Route{Dst: mp("10.3.0.0/16"), Via: gw4, Table: 100, Metric: 8}},
		{"default", Route{Dst: mp("0.0.0.0/0"), Via: gw4, Dev: "eth1", Table: 1000}, "default table 1000",
			Route{Dst: mp("0.0.0.0/0"), Via: gw4, Dev: "eth1", Table: 1001}},
		{"blackhole", Route{Type: RouteBlackhole, Dst: mp("10.5.0.0/16")}, "blackhole 10.5.0.0/16",
			Route{Type: RouteUnreachable, Dst: mp("10.5.0.0/16")}},
		{"other protocol", Route{Dst: mp("10.10.0.0/16"), Dev: "eth1", Protocol: 4}, "10.10.0.0/16 dev eth1",
			Route{Dst: mp("10.10.0.0/16"), Dev: "eth1"}},
		{"multipath", Route{Dst: mp("10.12.0.0/16"), Nexthops: []Nexthop{{Via: gw4, Dev: "eth1"}, {Via: ma("192.168.1.9")}}},
			"10.12.0.0/16", Route{Dst: mp("10.12.0.0/16"), Nexthops: []Nexthop{{Via: gw4}, {Via: ma("192.168.1.8")}}}},
		{"ipv6 default metric", Route{Dst: mp("2001:db8:1::/48"), Via: ma("2001:db8::1"), Dev: "eth1"}, "2001:db8:1::/48",
			Route{Dst: mp("2001:db8:1::/48"), Via: ma("2001:db8::1"), Dev: "lo"}},
		{"ipv6 blackhole table", Route{Type: RouteBlackhole, Dst: mp("2001:db8:2::/48"), Table: 100}, "blackhole 2001:db8:2::/48 table 100",
			Route{Type: RouteBlackhole, Dst: mp("2001:db8:2::/64"), Table: 100}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := rt.AddRoute(tc.r); err != nil {
				t.Fatalf("AddRoute(%s): %v", tc.r, err)
			}
			added := nextEvent(t, ch, "add "+tc.r.String(), func(ev RouteEvent) bool { return ev.Dst == tc.r.Dst })
			if !added.New || !added.Matches(tc.r, ifindex) {
				t.Errorf("add event %+v: want New and a match for %s", added, tc.r)
			}
			fam := "-4"
			if tc.r.Dst.Addr().Is6() {
				fam = "-6"
			}
			args := append([]string{fam, "route", "del"}, strings.Fields(tc.del)...)
			if out, err := h.Exec(ctx, "ip", args...); err != nil {
				t.Fatalf("ip %v: %v: %s", args, err, out)
			}
			ev := nextEvent(t, ch, "delete "+tc.r.String(), func(ev RouteEvent) bool { return ev.Dst == tc.r.Dst })
			if ev.New {
				t.Errorf("delete event %+v reports an addition", ev)
			}
			if !ev.Matches(tc.r, ifindex) {
				t.Errorf("delete event %+v does not match %s", ev, tc.r)
			}
			if ev.Matches(tc.other, ifindex) {
				t.Errorf("delete event %+v matches %s too", ev, tc.other)
			}
		})
	}
	cancel()
	for range ch { // closed once ctx is done
	}
}

// TestWatchRulesLab adds rules with Routing and deletes them with `ip
// rule del pref N`: each deletion is reported, and the event matches the
// rule that was added and not one differing in a single selector.
func TestWatchRulesLab(t *testing.T) {
	l := newLab(t, lab.Hosts("a")...)
	h := l.Host("a")
	rt := routing(t, h)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var ch <-chan RuleEvent
	in(t, h, func() (err error) {
		ch, err = WatchRules(ctx, nil)
		return err
	})
	mp := netip.MustParsePrefix
	rule := func(f func(*Rule)) Rule {
		r := NewRule()
		f(&r)
		return r
	}
	tests := []struct {
		name  string
		r     Rule
		other func(*Rule)
	}{
		{"from table", rule(func(r *Rule) { r.From, r.Table, r.Priority = mp("10.1.0.0/16"), 100, 100 }),
			func(r *Rule) { r.Table = 101 }},
		{"not to", rule(func(r *Rule) { r.Not, r.To, r.Table, r.Priority = true, mp("10.2.0.0/16"), 100, 101 }),
			func(r *Rule) { r.Not = false }},
		{"fwmark no mask", rule(func(r *Rule) { r.Family, r.HasMark, r.Mark, r.Table, r.Priority = IPv4, true, 0x10, 100, 102 }),
			func(r *Rule) { r.Mask = 0xff }},
		{"fwmark mask", rule(func(r *Rule) {
			r.Family, r.HasMark, r.Mark, r.Mask, r.Table, r.Priority = IPv4, true, 0x10, 0xff, 100, 103
		}), func(r *Rule) { r.Mask = 0 }},
		{"iif oif", rule(func(r *Rule) { r.Family, r.Iif, r.Oif, r.Table, r.Priority = IPv4, "eth1", "lo", 100, 104 }),
			func(r *Rule) { r.Oif = "" }},
		{"blackhole", rule(func(r *Rule) { r.From, r.Action, r.Priority = mp("10.5.0.0/16"), RuleBlackhole, 105 }),
			func(r *Rule) { r.Action = RuleProhibit }},
		{"goto", rule(func(r *Rule) { r.From, r.Action, r.Goto, r.Priority = mp("10.8.0.0/16"), RuleGoto, 200, 108 }),
			func(r *Rule) { r.Goto = 201 }},
		{"suppress_prefixlength", rule(func(r *Rule) { r.Family, r.Table, r.SuppressPrefixLen, r.Priority = IPv4, 254, 0, 110 }),
			func(r *Rule) { r.SuppressPrefixLen = -1 }},
		{"ipproto ports", rule(func(r *Rule) {
			r.Family, r.IPProto, r.Sport, r.Dport, r.Table, r.Priority = IPv4, 6, PortRange{1000, 2000}, PortRange{80, 80}, 100, 111
		}), func(r *Rule) { r.Dport = PortRange{81, 81} }},
		{"uidrange tos", rule(func(r *Rule) {
			r.Family, r.UIDRange, r.Tos, r.Table, r.Priority = IPv4, PortRange{1000, 1999}, 0x10, 100, 112
		}), func(r *Rule) { r.Tos = 0 }},
		{"other protocol", rule(func(r *Rule) { r.From, r.Table, r.Priority, r.Protocol = mp("10.9.0.0/16"), 100, 113, 4 }),
			func(r *Rule) { r.Protocol = 0 }},
		{"big table", rule(func(r *Rule) { r.From, r.Table, r.Priority = mp("10.14.0.0/16"), 1000, 114 }),
			func(r *Rule) { r.Priority = 115 }},
		{"ipv6 from", rule(func(r *Rule) { r.From, r.Table, r.Priority = mp("2001:db8:1::/48"), 100, 120 }),
			func(r *Rule) { r.From = mp("2001:db8:1::/64") }},
		{"ipv6 family only", rule(func(r *Rule) { r.Family, r.HasMark, r.Mark, r.Table, r.Priority = IPv6, true, 7, 100, 121 }),
			func(r *Rule) { r.Family = IPv4 }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := rt.AddRule(tc.r); err != nil {
				t.Fatalf("AddRule(%s): %v", tc.r, err)
			}
			pref := func(ev RuleEvent) bool { return ev.Rule.Priority == tc.r.Priority }
			if added := nextEvent(t, ch, "add "+tc.r.String(), pref); !added.New || !added.Matches(tc.r) {
				t.Errorf("add event %+v: want New and a match for %s", added, tc.r)
			}
			fam := "-4"
			if tc.r.identity().Family == IPv6 {
				fam = "-6"
			}
			args := []string{fam, "rule", "del", "pref", strconv.Itoa(tc.r.Priority)}
			if out, err := h.Exec(ctx, "ip", args...); err != nil {
				t.Fatalf("ip %v: %v: %s", args, err, out)
			}
			ev := nextEvent(t, ch, "delete "+tc.r.String(), pref)
			if ev.New {
				t.Errorf("delete event %+v reports an addition", ev)
			}
			if !ev.Matches(tc.r) {
				t.Errorf("delete event %+v does not match %+v", ev.Rule, tc.r)
			}
			other := tc.r
			tc.other(&other)
			if ev.Matches(other) {
				t.Errorf("delete event %+v matches %+v too", ev.Rule, other)
			}
		})
	}
	cancel()
	for range ch {
	}
}

// TestRouteEventMatches covers the defaults Matches fills in without a lab.
func TestRouteEventMatches(t *testing.T) {
	mp, ma := netip.MustParsePrefix, netip.MustParseAddr
	idx := func(name string) int { return map[string]int{"eth1": 2, "eth2": 3}[name] }
	ev := RouteEvent{Dst: mp("10.1.0.0/16"), Via: ma("192.168.1.1"), Ifindex: 2, Table: 254, Protocol: ProtoKeepalived}
	tests := []struct {
		name string
		r    Route
		want bool
	}{
		{"same", Route{Dst: mp("10.1.0.0/16"), Via: ma("192.168.1.1"), Dev: "eth1"}, true},
		{"no dev named", Route{Dst: mp("10.1.0.0/16"), Via: ma("192.168.1.1")}, true},
		{"unmasked dst", Route{Dst: mp("10.1.2.3/16"), Via: ma("192.168.1.1")}, true},
		{"other dev", Route{Dst: mp("10.1.0.0/16"), Via: ma("192.168.1.1"), Dev: "eth2"}, false},
		{"missing dev", Route{Dst: mp("10.1.0.0/16"), Via: ma("192.168.1.1"), Dev: "nosuch"}, false},
		{"no gateway", Route{Dst: mp("10.1.0.0/16"), Dev: "eth1"}, false},
		{"main by number", Route{Dst: mp("10.1.0.0/16"), Via: ma("192.168.1.1"), Table: 254}, true},
		{"other table", Route{Dst: mp("10.1.0.0/16"), Via: ma("192.168.1.1"), Table: 100}, false},
		{"metric", Route{Dst: mp("10.1.0.0/16"), Via: ma("192.168.1.1"), Metric: 5}, false},
		{"tos", Route{Dst: mp("10.1.0.0/16"), Via: ma("192.168.1.1"), Metrics: RouteMetrics{Tos: 0x10}}, false},
		{"type", Route{Type: RouteBlackhole, Dst: mp("10.1.0.0/16")}, false},
		{"protocol", Route{Dst: mp("10.1.0.0/16"), Via: ma("192.168.1.1"), Protocol: 4}, false},
		{"one-path multipath", Route{Dst: mp("10.1.0.0/16"), Nexthops: []Nexthop{{Via: ma("192.168.1.1"), Dev: "eth1"}}}, true},
	}
	for _, tc := range tests {
		if got := ev.Matches(tc.r, idx); got != tc.want {
			t.Errorf("%s: Matches(%s) = %v, want %v", tc.name, tc.r, got, tc.want)
		}
	}
	// One path of an IPv6 multipath route at a time.
	mp6 := Route{Dst: mp("2001:db8::/48"), Nexthops: []Nexthop{{Via: ma("fe80::1"), Dev: "eth1"}, {Via: ma("fe80::2"), Dev: "eth2"}}}
	one := RouteEvent{Dst: mp("2001:db8::/48"), Via: ma("fe80::2"), Ifindex: 3, Table: 254, Metric: 1024, Protocol: ProtoKeepalived}
	if !one.Matches(mp6, idx) {
		t.Errorf("one path of %s not matched by %+v", mp6, one)
	}
	one.Ifindex = 2
	if one.Matches(mp6, idx) {
		t.Errorf("a path on the wrong interface matched %s", mp6)
	}
}

// ruleMsg builds a fib_rule_hdr message with attributes.
func ruleMsg(hdr [fibRuleHdrLen]byte, attrs map[uint16][]byte) []byte {
	b := hdr[:]
	for typ, v := range attrs {
		a := make([]byte, 4, 4+len(v)+3)
		binary.NativeEndian.PutUint16(a, uint16(4+len(v)))
		binary.NativeEndian.PutUint16(a[2:], typ)
		a = append(a, v...)
		for len(a)%4 != 0 {
			a = append(a, 0)
		}
		b = append(b, a...)
	}
	return b
}

func TestParseRule(t *testing.T) {
	u32 := func(v uint32) []byte { return binary.NativeEndian.AppendUint32(nil, v) }
	msg := ruleMsg([fibRuleHdrLen]byte{unix.AF_INET, 0, 16, 0, 100, 0, 0, unix.FR_ACT_TO_TBL, unix.FIB_RULE_INVERT}, map[uint16][]byte{
		unix.FRA_SRC: {10, 1, 0, 0}, unix.FRA_PRIORITY: u32(100), unix.FRA_TABLE: u32(100),
		unix.FRA_SUPPRESS_PREFIXLEN: u32(0xffffffff), unix.FRA_IIFNAME: []byte("eth1\x00"), unix.FRA_PROTOCOL: {18},
	})
	got, err := parseRule(msg)
	if err != nil {
		t.Fatal(err)
	}
	want := NewRule()
	want.Family, want.Not, want.From, want.Priority, want.Table, want.Iif, want.Protocol = IPv4, true, netip.MustParsePrefix("10.1.0.0/16"), 100, 100, "eth1", 18
	if got != want {
		t.Errorf("parseRule = %+v, want %+v", got, want)
	}
	if _, err := parseRule(msg[:5]); err == nil {
		t.Error("a short message parsed")
	}
}

func FuzzParseRule(f *testing.F) {
	f.Add(ruleMsg([fibRuleHdrLen]byte{unix.AF_INET, 24, 16, 0, 100, 0, 0, 1, 0}, map[uint16][]byte{
		unix.FRA_SRC: {10, 1, 0, 0}, unix.FRA_DST: {10, 2, 0}, unix.FRA_TUN_ID: {1, 2}, unix.FRA_UID_RANGE: {1}}))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := parseRule(b)
		if err != nil {
			return
		}
		_ = r.String()
		if !(RuleEvent{Rule: r}.Matches(r)) {
			t.Fatalf("a rule does not match itself: %+v", r)
		}
	})
}
