//go:build linux

package system

import (
	"context"
	"errors"
	"net/netip"
	"os"
	"strings"
	"testing"

	"github.com/gokeepalived/gokeepalived/internal/lab"
	"github.com/google/go-cmp/cmp"
)

// routing opens a Routing inside h's namespace (the netlink socket stays
// in the namespace it was opened in); it is closed at cleanup.
func routing(t *testing.T, h *lab.Host) *Routing {
	t.Helper()
	var rt *Routing
	in(t, h, func() (err error) {
		rt, err = NewRouting(nil)
		return err
	})
	t.Cleanup(func() { rt.Close() })
	return rt
}

// ipLines runs `ip ARGS` in h and returns the output lines containing sub.
func ipLines(t *testing.T, h *lab.Host, sub string, args ...string) []string {
	t.Helper()
	out, err := h.Exec(context.Background(), "ip", args...)
	if err != nil {
		t.Fatalf("ip %v: %v: %s", args, err, out)
	}
	var got []string
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, sub) {
			got = append(got, strings.TrimSpace(l))
		}
	}
	return got
}

func scope(s Scope) *Scope { return &s }

func TestRoutingRoutesLab(t *testing.T) {
	l := newLab(t, lab.Hosts("a")...)
	h := l.Host("a")
	rt := routing(t, h)
	mp := netip.MustParsePrefix
	ma := netip.MustParseAddr
	gw4, gw6 := ma("192.168.1.1"), ma("2001:db8::1")
	tests := []struct {
		name  string
		r     Route
		match string // picks the line out of `ip route show table all`
		want  string
	}{
		{"via dev", Route{Dst: mp("10.1.0.0/16"), Via: gw4, Dev: "eth1"},
			"10.1.0.0/16", "10.1.0.0/16 via 192.168.1.1 dev eth1 proto keepalived"},
		{"src dev scope link", Route{Dst: mp("10.2.0.0/16"), Src: ma("192.168.1.2"), Dev: "eth1"},
			"10.2.0.0/16", "10.2.0.0/16 dev eth1 proto keepalived scope link src 192.168.1.2"},
		{"table metric", Route{Dst: mp("10.3.0.0/16"), Via: gw4, Table: 100, Metric: 7},
			"10.3.0.0/16", "10.3.0.0/16 via 192.168.1.1 dev eth1 table 100 proto keepalived metric 7"},
		{"default in table", Route{Dst: mp("0.0.0.0/0"), Via: gw4, Dev: "eth1", Table: 1000},
			"table 1000", "default via 192.168.1.1 dev eth1 table 1000 proto keepalived"},
		{"explicit scope", Route{Dst: mp("10.4.0.0/16"), Dev: "eth1", Scope: scope(ScopeHost)},
			"10.4.0.0/16", "10.4.0.0/16 dev eth1 proto keepalived scope host"},
		{"blackhole", Route{Type: RouteBlackhole, Dst: mp("10.5.0.0/16")},
			"10.5.0.0/16", "blackhole 10.5.0.0/16 proto keepalived"},
		{"unreachable", Route{Type: RouteUnreachable, Dst: mp("10.6.0.0/16"), Table: 50},
			"10.6.0.0/16", "unreachable 10.6.0.0/16 table 50 proto keepalived"},
		{"prohibit", Route{Type: RouteProhibit, Dst: mp("10.7.0.0/16"), Metric: 3},
			"10.7.0.0/16", "prohibit 10.7.0.0/16 proto keepalived metric 3"},
		{"throw", Route{Type: RouteThrow, Dst: mp("10.8.0.0/16"), Table: 60},
			"10.8.0.0/16", "throw 10.8.0.0/16 table 60 proto keepalived"},
		{"onlink gateway off the subnet", Route{Dst: mp("10.9.0.0/16"), Via: ma("172.16.0.1"), Dev: "eth1", OnLink: true},
			"10.9.0.0/16", "10.9.0.0/16 via 172.16.0.1 dev eth1 proto keepalived onlink"},
		{"protocol", Route{Dst: mp("10.10.0.0/16"), Dev: "eth1", Protocol: 4},
			"10.10.0.0/16", "10.10.0.0/16 dev eth1 proto static scope link"},
		{"metrics", Route{Dst: mp("10.11.0.0/16"), Via: gw4, Metrics: RouteMetrics{MTU: 1400, AdvMSS: 1360, InitCwnd: 10}},
			"10.11.0.0/16", "10.11.0.0/16 via 192.168.1.1 dev eth1 proto keepalived mtu 1400 advmss 1360 initcwnd 10"},
		{"multipath or", Route{Dst: mp("10.12.0.0/16"), Nexthops: []Nexthop{{Via: gw4, Dev: "eth1"}, {Via: ma("192.168.1.9"), Weight: 2}}},
			"nexthop", "nexthop via 192.168.1.1 dev eth1 weight 1\nnexthop via 192.168.1.9 dev eth1 weight 2"},
		{"ipv6 via", Route{Dst: mp("2001:db8:1::/48"), Via: gw6, Dev: "eth1", Metric: 1024},
			"2001:db8:1::/48", "2001:db8:1::/48 via 2001:db8::1 dev eth1 proto keepalived metric 1024 pref medium"},
		{"ipv6 blackhole in table", Route{Type: RouteBlackhole, Dst: mp("2001:db8:2::/48"), Table: 100},
			"2001:db8:2::/48", "blackhole 2001:db8:2::/48 dev lo table 100 proto keepalived metric 1024 pref medium"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fam := "-4"
			if tc.r.Dst.Addr().Is6() {
				fam = "-6"
			}
			for range 2 { // the second add finds it there: not an error
				if err := rt.AddRoute(tc.r); err != nil {
					t.Fatalf("AddRoute(%s): %v", tc.r, err)
				}
			}
			got := ipLines(t, h, tc.match, fam, "route", "show", "table", "all")
			if diff := cmp.Diff(strings.Split(tc.want, "\n"), got); diff != "" {
				t.Errorf("ip route after AddRoute(%s) (-want +got):\n%s", tc.r, diff)
			}
			for range 2 { // the second delete finds nothing: not an error
				if err := rt.DelRoute(tc.r); err != nil {
					t.Fatalf("DelRoute(%s): %v", tc.r, err)
				}
			}
			if got := ipLines(t, h, tc.match, fam, "route", "show", "table", "all"); len(got) != 0 {
				t.Errorf("ip route after DelRoute(%s) still shows %q", tc.r, got)
			}
		})
	}
}

func TestRoutingRouteErrorsLab(t *testing.T) {
	l := newLab(t, lab.Hosts("a")...)
	h := l.Host("a")
	rt := routing(t, h)
	mp, ma := netip.MustParsePrefix, netip.MustParseAddr
	tests := []struct {
		name string
		r    Route
		want error
	}{
		{"missing interface", Route{Dst: mp("10.1.0.0/16"), Dev: "nosuch0"}, ErrNoInterface},
		{"unreachable gateway", Route{Dst: mp("10.1.0.0/16"), Via: ma("172.31.0.1")}, ErrLinkNotReady},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := rt.AddRoute(tc.r)
			if !errors.Is(err, tc.want) {
				t.Errorf("AddRoute(%s) = %v, want one wrapping %v", tc.r, err, tc.want)
			}
			if err := rt.DelRoute(tc.r); err != nil {
				t.Errorf("DelRoute(%s) of a route never added = %v, want nil", tc.r, err)
			}
		})
	}
}

func TestRoutingRulesLab(t *testing.T) {
	l := newLab(t, lab.Hosts("a")...)
	h := l.Host("a")
	rt := routing(t, h)
	mp := netip.MustParsePrefix
	rule := func(f func(*Rule)) Rule {
		r := NewRule()
		f(&r)
		return r
	}
	tests := []struct {
		name  string
		r     Rule
		match string
		want  string
	}{
		{"from table", rule(func(r *Rule) { r.From, r.Table, r.Priority = mp("10.1.0.0/16"), 100, 100 }),
			"100:", "100:	from 10.1.0.0/16 lookup 100 proto keepalived"},
		{"to table", rule(func(r *Rule) { r.To, r.Table, r.Priority = mp("10.2.0.0/16"), 200, 101 }),
			"101:", "101:	from all to 10.2.0.0/16 lookup 200 proto keepalived"},
		{"not from", rule(func(r *Rule) { r.Not, r.From, r.Table, r.Priority = true, mp("10.3.0.0/16"), 100, 102 }),
			"102:", "102:	not from 10.3.0.0/16 lookup 100 proto keepalived"},
		{"fwmark mask", rule(func(r *Rule) {
			r.Family, r.HasMark, r.Mark, r.Mask, r.Table, r.Priority = IPv4, true, 0x10, 0xff, 100, 103
		}),
			"103:", "103:	from all fwmark 0x10/0xff lookup 100 proto keepalived"},
		{"iif oif", rule(func(r *Rule) { r.Family, r.Iif, r.Oif, r.Table, r.Priority = IPv4, "eth1", "lo", 100, 104 }),
			"104:", "104:	from all iif eth1 oif lo lookup 100 proto keepalived"},
		{"blackhole", rule(func(r *Rule) { r.From, r.Action, r.Priority = mp("10.5.0.0/16"), RuleBlackhole, 105 }),
			"105:", "105:	from 10.5.0.0/16 blackhole proto keepalived"},
		{"unreachable", rule(func(r *Rule) { r.From, r.Action, r.Priority = mp("10.6.0.0/16"), RuleUnreachable, 106 }),
			"106:", "106:	from 10.6.0.0/16 unreachable proto keepalived"},
		{"prohibit", rule(func(r *Rule) { r.From, r.Action, r.Priority = mp("10.7.0.0/16"), RuleProhibit, 107 }),
			"107:", "107:	from 10.7.0.0/16 prohibit proto keepalived"},
		{"goto", rule(func(r *Rule) { r.From, r.Action, r.Goto, r.Priority = mp("10.8.0.0/16"), RuleGoto, 200, 108 }),
			"108:", "108:	from 10.8.0.0/16 goto 200 [unresolved] proto keepalived"},
		{"nop", rule(func(r *Rule) { r.Family, r.Action, r.Priority = IPv4, RuleNop, 109 }),
			"109:", "109:	from all nop proto keepalived"},
		{"suppress_prefixlength", rule(func(r *Rule) { r.Family, r.Table, r.SuppressPrefixLen, r.Priority = IPv4, 254, 0, 110 }),
			"110:", "110:	from all lookup main suppress_prefixlength 0 proto keepalived"},
		{"ipproto sport dport", rule(func(r *Rule) {
			r.Family, r.IPProto, r.Sport, r.Dport, r.Table, r.Priority = IPv4, 6, PortRange{1000, 2000}, PortRange{80, 80}, 100, 111
		}), "111:", "111:	from all ipproto tcp sport 1000-2000 dport 80 lookup 100 proto keepalived"},
		{"uidrange", rule(func(r *Rule) { r.Family, r.UIDRange, r.Table, r.Priority = IPv4, PortRange{1000, 1999}, 100, 112 }),
			"112:", "112:	from all uidrange 1000-1999 lookup 100 proto keepalived"},
		{"tos", rule(func(r *Rule) { r.Family, r.Tos, r.Table, r.Priority = IPv4, 0x10, 100, 113 }),
			"113:", "113:	from all tos 0x10 lookup 100 proto keepalived"},
		{"big table", rule(func(r *Rule) { r.From, r.Table, r.Priority = mp("10.14.0.0/16"), 1000, 114 }),
			"114:", "114:	from 10.14.0.0/16 lookup 1000 proto keepalived"},
		{"ipv6 from", rule(func(r *Rule) { r.From, r.Table, r.Priority = mp("2001:db8:1::/48"), 100, 120 }),
			"120:", "120:	from 2001:db8:1::/48 lookup 100 proto keepalived"},
		{"ipv6 family only", rule(func(r *Rule) { r.Family, r.HasMark, r.Mark, r.Table, r.Priority = IPv6, true, 7, 100, 121 }),
			"121:", "121:	from all fwmark 0x7 lookup 100 proto keepalived"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fam := "-4"
			if tc.r.Family == IPv6 || tc.r.From.Addr().Is6() || tc.r.To.Addr().Is6() {
				fam = "-6"
			}
			for range 2 {
				if err := rt.AddRule(tc.r); err != nil {
					t.Fatalf("AddRule(%s): %v", tc.r, err)
				}
			}
			got := ipLines(t, h, tc.match, fam, "rule", "show")
			if diff := cmp.Diff([]string{tc.want}, got); diff != "" {
				t.Errorf("ip rule after AddRule(%s) (-want +got):\n%s", tc.r, diff)
			}
			for range 2 {
				if err := rt.DelRule(tc.r); err != nil {
					t.Fatalf("DelRule(%s): %v", tc.r, err)
				}
			}
			if got := ipLines(t, h, tc.match, fam, "rule", "show"); len(got) != 0 {
				t.Errorf("ip rule after DelRule(%s) still shows %q", tc.r, got)
			}
		})
	}
}

// BenchmarkRoutingAddDel measures one route add plus delete through netlink
// (what a failover costs per virtual route).
func BenchmarkRoutingAddDel(b *testing.B) {
	if os.Geteuid() != 0 {
		b.Skip("needs root: builds a network namespace")
	}
	h := lab.New(b, lab.Spec{Hosts: lab.Hosts("a")}).Host("a")
	r := Route{Dst: netip.MustParsePrefix("10.1.0.0/16"), Via: netip.MustParseAddr("192.168.1.1"), Dev: "eth1"}
	err := h.Do(func() error {
		rt, err := NewRouting(nil)
		if err != nil {
			return err
		}
		defer rt.Close()
		b.ResetTimer()
		for range b.N {
			if err := rt.AddRoute(r); err != nil {
				return err
			}
			if err := rt.DelRoute(r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}
