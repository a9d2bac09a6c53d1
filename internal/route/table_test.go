package route

import (
	"errors"
	"log/slog"
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/config/configtest"
	"github.com/gokeepalived/gokeepalived/internal/system"
	"github.com/gokeepalived/gokeepalived/internal/system/systemtest"
)

// loadRoutes loads a keepalived.conf whose static_routes and static_rules
// blocks hold routes and rules, and fails on errors.
func loadRoutes(t *testing.T, routes, rules string) *config.Config {
	t.Helper()
	return loadConfText(t, "static_routes {\n"+routes+"\n}\nstatic_rules {\n"+rules+"\n}\n")
}

// loadConfText loads text as a keepalived.conf and fails on errors.
func loadConfText(t *testing.T, text string) *config.Config {
	t.Helper()
	return configtest.LoadOpts(t, text, config.Options{Names: config.NameMap{config.RouteTables: {"vips": 100}, config.IPProtocols: {"tcp": 6}}})
}

func TestSysRoute(t *testing.T) {
	mp, ma := netip.MustParsePrefix, netip.MustParseAddr
	link, host := system.ScopeLink, system.ScopeHost
	tests := []struct {
		line string
		want system.Route
	}{
		{"10.1.0.0/16 via 192.168.1.1 dev eth1", system.Route{Dst: mp("10.1.0.0/16"), Via: ma("192.168.1.1"), Dev: "eth1"}},
		{"src 192.168.1.10 to 10.2.0.0/16 dev eth1 scope link table vips metric 5",
			system.Route{Dst: mp("10.2.0.0/16"), Src: ma("192.168.1.10"), Dev: "eth1", Scope: &link, Table: 100, Metric: 5}},
		{"default gw 192.168.1.1 table 200", system.Route{Dst: mp("0.0.0.0/0"), Via: ma("192.168.1.1"), Table: 200}},
		{"blackhole 10.5.0.0/16", system.Route{Type: system.RouteBlackhole, Dst: mp("10.5.0.0/16")}},
		{"unreachable 10.6.0.0/16 table main", system.Route{Type: system.RouteUnreachable, Dst: mp("10.6.0.0/16"), Table: 254}},
		{"prohibit 10.7.0.0/16 preference 3", system.Route{Type: system.RouteProhibit, Dst: mp("10.7.0.0/16"), Metric: 3}},
		{"throw 10.8.0.0/16 table 60", system.Route{Type: system.RouteThrow, Dst: mp("10.8.0.0/16"), Table: 60}},
		{"10.9.0.0/16 via 172.16.0.1 dev eth1 onlink", system.Route{Dst: mp("10.9.0.0/16"), Via: ma("172.16.0.1"), Dev: "eth1", OnLink: true}},
		{"10.10.0.0/16 dev eth1 scope host protocol static no_track", system.Route{Dst: mp("10.10.0.0/16"), Dev: "eth1", Scope: &host, Protocol: 4}},
		{"10.11.0.0/16 via 192.168.1.1 mtu lock 1400 advmss 1360 rtt 2s rttvar 300ms rto_min lock 1s initcwnd 10 features ecn congctl cubic quickack 1 realms 2/3 tos 0x10",
			system.Route{Dst: mp("10.11.0.0/16"), Via: ma("192.168.1.1"), Metrics: system.RouteMetrics{
				MTU: 1400, MTULock: true, AdvMSS: 1360, RTT: 2 * time.Second, RTTVar: 300 * time.Millisecond,
				RTOMin: time.Second, RTOMinLock: true, InitCwnd: 10, Features: 1, Congctl: "cubic", QuickACK: 1,
				Realm: 2<<16 | 3, Tos: 16}}},
		{"10.12.0.0/16 via 192.168.1.1 or 192.168.1.9", system.Route{Dst: mp("10.12.0.0/16"),
			Nexthops: []system.Nexthop{{Via: ma("192.168.1.1")}, {Via: ma("192.168.1.9")}}}},
		{"10.13.0.0/16 nexthop via 192.168.1.1 dev eth1 weight 2 nexthop via 192.168.1.9 onlink",
			system.Route{Dst: mp("10.13.0.0/16"), Nexthops: []system.Nexthop{
				{Via: ma("192.168.1.1"), Dev: "eth1", Weight: 2}, {Via: ma("192.168.1.9"), OnLink: true}}}},
		{"2001:db8:1::/48 via 2001:db8::1 dev eth1 append", system.Route{Dst: mp("2001:db8:1::/48"), Via: ma("2001:db8::1"), Dev: "eth1", Append: true}},
	}
	for _, tc := range tests {
		t.Run(tc.line, func(t *testing.T) {
			c := loadRoutes(t, tc.line, "")
			if len(c.StaticRoutes) != 1 {
				t.Fatalf("config gave %d routes, want 1", len(c.StaticRoutes))
			}
			got := SystemRoute(c.StaticRoutes[0])
			if diff := cmp.Diff(tc.want, got, cmp.Comparer(func(a, b netip.Addr) bool { return a == b }),
				cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestSysRule(t *testing.T) {
	mp := netip.MustParsePrefix
	rule := func(f func(*system.Rule)) system.Rule {
		r := system.NewRule()
		r.Family = system.IPv4
		f(&r)
		return r
	}
	tests := []struct {
		line string
		want system.Rule
	}{
		{"from 10.1.0.0/16 table vips preference 100", rule(func(r *system.Rule) { r.From, r.Table, r.Priority = mp("10.1.0.0/16"), 100, 100 })},
		{"to 10.2.0.0/16 lookup 200 priority 101", rule(func(r *system.Rule) { r.To, r.Table, r.Priority = mp("10.2.0.0/16"), 200, 101 })},
		{"not from 10.3.0.0/16 table 100 order 102", rule(func(r *system.Rule) { r.Not, r.From, r.Table, r.Priority = true, mp("10.3.0.0/16"), 100, 102 })},
		{"fwmark 0x10/0xff table 100 preference 103", rule(func(r *system.Rule) { r.HasMark, r.Mark, r.Mask, r.Table, r.Priority = true, 16, 255, 100, 103 })},
		{"iif eth1 oif lo table 100 preference 104", rule(func(r *system.Rule) { r.Iif, r.Oif, r.Table, r.Priority = "eth1", "lo", 100, 104 })},
		{"from 10.5.0.0/16 blackhole preference 105", rule(func(r *system.Rule) { r.From, r.Action, r.Priority = mp("10.5.0.0/16"), system.RuleBlackhole, 105 })},
		{"from all goto 200 preference 108", rule(func(r *system.Rule) { r.Action, r.Goto, r.Priority = system.RuleGoto, 200, 108 })},
		{"nop preference 109", rule(func(r *system.Rule) { r.Action, r.Priority = system.RuleNop, 109 })},
		{"from all table main suppress_prefixlength 0 preference 110", rule(func(r *system.Rule) { r.Table, r.SuppressPrefixLen, r.Priority = 254, 0, 110 })},
		{"ipproto tcp sport 1000-2000 dport 80-80 table 100 preference 111", rule(func(r *system.Rule) {
			r.IPProto, r.Sport, r.Dport, r.Table, r.Priority = 6, system.PortRange{Start: 1000, End: 2000}, system.PortRange{Start: 80, End: 80}, 100, 111
		})},
		{"uidrange 1000-1999 tos 0x10 table 100 preference 112 tunnel-id 7 realms 5", rule(func(r *system.Rule) {
			r.UIDRange, r.Tos, r.Table, r.Priority, r.TunID, r.Realm = system.PortRange{Start: 1000, End: 1999}, 16, 100, 112, 7, 5
		})},
		{"fwmark 7 table 100 preference 120 inet6", rule(func(r *system.Rule) {
			r.Family, r.HasMark, r.Mark, r.Table, r.Priority = system.IPv6, true, 7, 100, 120
		})},
		{"table 100 preference 121 protocol 5 no_track", rule(func(r *system.Rule) { r.Table, r.Priority, r.Protocol = 100, 121, 5 })},
	}
	for _, tc := range tests {
		t.Run(tc.line, func(t *testing.T) {
			c := loadRoutes(t, "", tc.line)
			if len(c.StaticRules) != 1 {
				t.Fatalf("config gave %d rules, want 1", len(c.StaticRules))
			}
			got := SystemRule(c.StaticRules[0])
			if diff := cmp.Diff(tc.want, got, cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestStaticsOrder checks that static entries go on addresses, routes,
// rules and come off in reverse, and that reloadStatics touches only what
// changed.
func TestStaticsOrder(t *testing.T) {
	fake := &systemtest.Routing{}
	tb := New(Config{Routing: fake})
	tb.Start(loadRoutes(t, "10.1.0.0/16 dev eth1\nblackhole 10.2.0.0/16", "from 10.1.0.0/16 table 100 preference 10"))
	tb.Reload(loadRoutes(t, "blackhole 10.2.0.0/16\nblackhole 10.3.0.0/16", "from 10.1.0.0/16 table 100 preference 10"))
	tb.Stop()
	var got []string
	for _, c := range fake.Calls() {
		got = append(got, c.String())
	}
	want := []string{
		"AddRoute[10.1.0.0/16 dev eth1]", "AddRoute[blackhole 10.2.0.0/16]", "AddRule[pref 10 from 10.1.0.0/16 lookup 100]",
		"DelRoute[10.1.0.0/16 dev eth1]", "AddRoute[blackhole 10.3.0.0/16]",
		"DelRule[pref 10 from 10.1.0.0/16 lookup 100]", "DelRoute[blackhole 10.3.0.0/16]", "DelRoute[blackhole 10.2.0.0/16]",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
}

// routesMaster returns a table on fake routing and the Virtual of a
// master instance with the given virtual_routes and virtual_rules lines.
func routesMaster(t *testing.T, routes, rules string) (*Table, *Virtual, *systemtest.Routing) {
	t.Helper()
	fake := &systemtest.Routing{}
	v := NewVirtual(slog.New(slog.DiscardHandler), loadRoutes(t, routes, "").StaticRoutes, loadRoutes(t, "", rules).StaticRules)
	return New(Config{Routing: fake}), v, fake
}

// TestVirtualRoutesRetryAndSwap drives a master's routes through a failed
// add, the retry at the next advert and an in-place swap (reload).
func TestVirtualRoutesRetryAndSwap(t *testing.T) {
	tb, v, fake := routesMaster(t, "blackhole 10.1.0.0/16\nblackhole 10.2.0.0/16", "from 10.1.0.0/16 table 100 preference 10")

	fake.Fail("AddRoute", errors.New("not ready"))
	tb.Add(v)
	tb.Retry(v, true)
	tb.Retry(v, true) // nothing pending: no calls
	v = tb.Swap(v, loadRoutes(t, "blackhole 10.2.0.0/16\nblackhole 10.3.0.0/16", "").StaticRoutes,
		loadRoutes(t, "", "from 10.1.0.0/16 table 100 preference 10").StaticRules, true)
	tb.Del(v)
	var got []string
	for _, c := range fake.Calls() {
		got = append(got, c.String())
	}
	want := []string{
		"AddRoute[blackhole 10.1.0.0/16]", "AddRoute[blackhole 10.2.0.0/16]", "AddRule[pref 10 from 10.1.0.0/16 lookup 100]",
		"AddRoute[blackhole 10.1.0.0/16]",                                    // the retry
		"DelRoute[blackhole 10.1.0.0/16]", "AddRoute[blackhole 10.3.0.0/16]", // the swap
		"DelRule[pref 10 from 10.1.0.0/16 lookup 100]", "DelRoute[blackhole 10.2.0.0/16]", "DelRoute[blackhole 10.3.0.0/16]",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
}

// SystemVIP carries every virtual_ipaddress option to the system layer.
func TestSysVIP(t *testing.T) {
	lft := 0
	v := config.VIP{Prefix: netip.MustParsePrefix("2001:db8::1/64"), Scope: 253, Label: "x", NoDAD: true,
		NoPrefixRoute: true, Home: true, MngTmpAddr: true, AutoJoin: true, PreferredLft: &lft}
	got := SystemVIP(v, 7)
	zero := uint32(0)
	want := system.VIP{Prefix: v.Prefix, Ifindex: 7, Scope: system.ScopeLink, Label: "x", NoDAD: true,
		NoPrefixRoute: true, Home: true, MngTmpAddr: true, AutoJoin: true, PreferredLft: &zero}
	if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b netip.Prefix) bool { return a == b }),
		cmp.Comparer(func(a, b netip.Addr) bool { return a == b })); diff != "" {
		t.Errorf("SystemVIP (-want +got):\n%s", diff)
	}
}
