//go:build linux

package system

import (
	"fmt"
	"net/netip"
	"sort"
	"strings"
	"testing"

	"github.com/gokeepalived/gokeepalived/internal/lab"
	"github.com/google/go-cmp/cmp"
	"github.com/google/nftables"
	"github.com/google/nftables/expr"
)

// describeSpec renders a table spec as short nft-like lines, so a test
// failure reads like `nft list table`.
func describeSpec(s fwTableSpec) []string {
	var out []string
	fam := "ip"
	if s.table.Family == nftables.TableFamilyIPv6 {
		fam = "ip6"
	}
	out = append(out, "table "+fam+" "+s.table.Name)
	for _, c := range s.chains {
		out = append(out, fmt.Sprintf("chain %s hook %d priority %d policy %d", c.Name, *c.Hooknum, *c.Priority, *c.Policy))
	}
	for _, st := range s.sets {
		out = append(out, fmt.Sprintf("set %s %s const=%v elems=%v", st.set.Name, st.set.KeyType.Name, st.set.Constant, len(st.elems)))
	}
	for _, r := range s.rules {
		var parts []string
		for _, e := range r.Exprs {
			switch e := e.(type) {
			case *expr.Payload:
				parts = append(parts, fmt.Sprintf("payload(%d,%d,%d)", e.Base, e.Offset, e.Len))
			case *expr.Cmp:
				parts = append(parts, fmt.Sprintf("cmp%v", e.Data))
			case *expr.Lookup:
				parts = append(parts, "@"+e.SetName)
			case *expr.Counter:
				parts = append(parts, "counter")
			case *expr.Verdict:
				parts = append(parts, fmt.Sprintf("verdict(%d)", e.Kind))
			}
		}
		out = append(out, r.Chain.Name+": "+strings.Join(parts, " "))
	}
	return out
}

func TestFirewallSpec(t *testing.T) {
	drop, accept := fmt.Sprint(int(expr.VerdictDrop)), fmt.Sprint(int(expr.VerdictAccept))
	tests := []struct {
		name string
		fam  Family
		cfg  FirewallConfig
		want []string
	}{
		{"ipv4 default", IPv4, FirewallConfig{Table: "keepalived", Priority: -1}, []string{
			"table ip keepalived",
			"chain in hook 1 priority -1 policy 1",
			"chain out hook 3 priority -1 policy 1",
			"set vips ipv4_addr const=false elems=0",
			"in: payload(1,16,4) @vips verdict(" + drop + ")",
			"out: payload(1,12,4) @vips verdict(" + drop + ")",
		}},
		{"ipv4 counters and priority", IPv4, FirewallConfig{Table: "fw", Priority: 5, Counters: true}, []string{
			"table ip fw",
			"chain in hook 1 priority 5 policy 1",
			"chain out hook 3 priority 5 policy 1",
			"set vips ipv4_addr const=false elems=0",
			"in: payload(1,16,4) @vips counter verdict(" + drop + ")",
			"out: payload(1,12,4) @vips counter verdict(" + drop + ")",
		}},
		{"ipv6 lets neighbour discovery through", IPv6, FirewallConfig{Table: "keepalived", Priority: -1}, []string{
			"table ip6 keepalived",
			"chain in hook 1 priority -1 policy 1",
			"chain out hook 3 priority -1 policy 1",
			"set vips ipv6_addr const=false elems=0",
			"set neighbor-discovery icmpv6_type const=true elems=2",
			"in: payload(1,6,1) cmp[58] payload(2,0,1) @neighbor-discovery verdict(" + accept + ")",
			"out: payload(1,6,1) cmp[58] payload(2,0,1) @neighbor-discovery verdict(" + accept + ")",
			"in: payload(1,24,16) @vips verdict(" + drop + ")",
			"out: payload(1,8,16) @vips verdict(" + drop + ")",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := describeSpec(fwSpec(tt.fam, tt.cfg))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("fwSpec (-want +got):\n%s", diff)
			}
		})
	}
}

// nftState lists, in h's namespace, the tables named name and the
// elements of their vips sets.
func nftState(t *testing.T, h *lab.Host, name string) []string {
	t.Helper()
	var out []string
	in(t, h, func() error {
		c, err := nftables.New()
		if err != nil {
			return err
		}
		ts, err := c.ListTables()
		if err != nil {
			return err
		}
		for _, tb := range ts {
			if tb.Name != name {
				continue
			}
			fam := "ip"
			if tb.Family == nftables.TableFamilyIPv6 {
				fam = "ip6"
			}
			s, err := c.GetSetByName(tb, "vips")
			if err != nil {
				return err
			}
			els, err := c.GetSetElements(s)
			if err != nil {
				return err
			}
			var addrs []string
			for _, e := range els {
				a, _ := netip.AddrFromSlice(e.Key)
				addrs = append(addrs, a.String())
			}
			sort.Strings(addrs)
			out = append(out, fam+" "+tb.Name+" vips="+strings.Join(addrs, ","))
		}
		return nil
	})
	sort.Strings(out)
	return out
}

func TestFirewallLifecycle(t *testing.T) {
	l := newLab(t, lab.Hosts("a")...)
	h := l.Host("a")
	v4a, v4b := netip.MustParseAddr("192.168.1.250"), netip.MustParseAddr("192.168.1.251")
	v6 := netip.MustParseAddr("2001:db8::250")

	// A table left by a killed run is removed at start.
	var stale *Firewall
	in(t, h, func() (err error) {
		stale, err = NewFirewall(FirewallConfig{Priority: DefaultFirewallPriority})
		if err == nil {
			err = stale.Drop([]netip.Addr{v4a})
		}
		return err
	})
	stale.conn.CloseLasting() // "killed": the table stays

	var fw *Firewall
	in(t, h, func() (err error) {
		fw, err = NewFirewall(FirewallConfig{Priority: DefaultFirewallPriority})
		return err
	})
	t.Cleanup(func() { fw.Close() })

	steps := []struct {
		name string
		do   func() error
		want []string
	}{
		{"stale table removed at start", func() error { return nil }, nil},
		{"drop creates the tables", func() error { return fw.Drop([]netip.Addr{v4a, v6}) },
			[]string{"ip keepalived vips=192.168.1.250", "ip6 keepalived vips=2001:db8::250"}},
		{"second address", func() error { return fw.Drop([]netip.Addr{v4b}) },
			[]string{"ip keepalived vips=192.168.1.250,192.168.1.251", "ip6 keepalived vips=2001:db8::250"}},
		{"counted: a second drop needs a second allow", func() error {
			if err := fw.Drop([]netip.Addr{v4a}); err != nil {
				return err
			}
			return fw.Allow([]netip.Addr{v4a})
		}, []string{"ip keepalived vips=192.168.1.250,192.168.1.251", "ip6 keepalived vips=2001:db8::250"}},
		{"allow removes", func() error { return fw.Allow([]netip.Addr{v4a, v6}) },
			[]string{"ip keepalived vips=192.168.1.251", "ip6 keepalived vips="}},
		{"allow of an unknown address is a no-op", func() error { return fw.Allow([]netip.Addr{v4a}) },
			[]string{"ip keepalived vips=192.168.1.251", "ip6 keepalived vips="}},
		{"close deletes every table", fw.Close, nil},
	}
	for _, s := range steps {
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if diff := cmp.Diff(s.want, nftState(t, h, "keepalived")); diff != "" {
			t.Errorf("%s: tables (-want +got):\n%s", s.name, diff)
		}
	}
}
