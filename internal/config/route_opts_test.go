package config

import (
	"fmt"
	"strings"
	"testing"
)

// optCase is one route or rule line in a static_routes or static_rules
// block, and keepalived 2.2.7's verdict on it (checked with keepalived -t:
// see TestKeepalivedRouteVerdicts): the exit code, whether the entry is
// kept, and the word the first diagnostic points at (-1: none).
type optCase struct {
	rule bool
	line string
	exit int
	kept bool
	word int
	// differs says why gokeepalived's verdict is not keepalived's; such
	// cases are not compared with keepalived.
	differs string
}

// Routes are written without dev and rules without preference, so that
// keepalived's own warning ("cannot track route", "no preference") shows
// that it kept the entry.
var optCases = []optCase{
	{line: "10.1.0.0/16 via 192.168.1.1", exit: 5, kept: true, word: 0},
	{line: "10.1.0.0/16 dev eth1 no_track", exit: 0, kept: true, word: -1},
	{line: "10.1.0.0/16 no_track", exit: 0, kept: true, word: -1},
	{line: "10.1.0.0/16 mtu abc", exit: 5, word: 2},
	{line: "10.1.0.0/16 mtu lock 1400", exit: 5, kept: true, word: 0},
	{line: "10.1.0.0/16 mtu 0x10", exit: 5, word: 2},
	{line: "10.1.0.0/16 mtu -1", exit: 5, word: 2},
	{line: "10.1.0.0/16 mtu 99999999999", exit: 5, word: 2},
	{line: "10.1.0.0/16 scope bogus", exit: 5, word: 2},
	{line: "10.1.0.0/16 scope universe", exit: 5, word: 2},
	{line: "10.1.0.0/16 scope 300", exit: 5, word: 2},
	{line: "10.1.0.0/16 scope 253", exit: 5, kept: true, word: 0},
	{line: "10.1.0.0/16 scope link", exit: 5, kept: true, word: 0},
	{line: "10.1.0.0/16 table nosuchtable", exit: 5, word: 2},
	{line: "10.1.0.0/16 table 0x100", exit: 5, kept: true, word: 0},
	{line: "10.1.0.0/16 table 4294967295", exit: 5, kept: true, word: 0},
	{line: "10.1.0.0/16 table main", exit: 5, kept: true, word: 0},
	{line: "10.1.0.0/16 protocol nosuchproto", exit: 5, word: 2},
	{line: "10.1.0.0/16 protocol 300", exit: 5, word: 2},
	{line: "10.1.0.0/16 protocol static", exit: 5, kept: true, word: 2},
	{line: "10.1.0.0/16 protocol keepalived", exit: 5, kept: true, word: 0},
	{line: "10.1.0.0/16 dev eth1 protocol static no_track", exit: 0, kept: true, word: -1},
	{line: "10.1.0.0/16 proto static", exit: 5, word: 1},
	{line: "10.1.0.0/16 metric x", exit: 5, word: 2},
	{line: "10.1.0.0/16 preference 5", exit: 5, kept: true, word: 0},
	{line: "10.1.0.0/16 features foo", exit: 5, kept: true, word: 2},
	{line: "10.1.0.0/16 features ecn", exit: 5, kept: true, word: 0},
	{line: "10.1.0.0/16 expires 10", exit: 5, word: 1},
	{line: "2001:db8::/32 expires 10", exit: 5, kept: true, word: 1},
	{line: "expires 10 2001:db8::/32", exit: 5, kept: true, word: 0},
	{line: "2001:db8::/32 expires x", exit: 5, word: 1},
	{line: "10.1.0.0/16 pref high", exit: 5, word: 1},
	{line: "2001:db8::/32 pref high", exit: 5, kept: true, word: 1},
	{line: "2001:db8::/32 pref bogus", exit: 5, word: 2},
	{line: "2001:db8::/32 pref 300", exit: 5, word: 2},
	{line: "10.1.0.0/16 rtt 2s", exit: 5, kept: true, word: 0},
	{line: "10.1.0.0/16 rtt 1.5s", exit: 5, kept: true, word: 0},
	{line: "10.1.0.0/16 rtt 500ms", exit: 5, kept: true, word: 0},
	{line: "10.1.0.0/16 rtt 10", exit: 5, kept: true, word: 2},
	{line: "10.1.0.0/16 rtt 200s", exit: 5, kept: true, word: 2},
	{line: "10.1.0.0/16 rtt abc", exit: 5, word: 2},
	{line: "10.1.0.0/16 rtt 1e3", exit: 5, word: 2},
	{line: "10.1.0.0/16 rttvar 1s", exit: 5, kept: true, word: 0},
	{line: "10.1.0.0/16 rto_min lock 300ms", exit: 5, kept: true, word: 0},
	{line: "10.1.0.0/16 advmss lock 1360", exit: 5, kept: true, word: 2},
	{line: "10.1.0.0/16 window lock 100", exit: 5, word: 2},
	{line: "10.1.0.0/16 cwnd lock 10", exit: 5, kept: true, word: 2},
	{line: "10.1.0.0/16 initcwnd lock 10", exit: 5, word: 2},
	{line: "10.1.0.0/16 initrwnd 10", exit: 5, kept: true, word: 0},
	{line: "10.1.0.0/16 ssthresh 10", exit: 5, kept: true, word: 0},
	{line: "10.1.0.0/16 reordering 3", exit: 5, kept: true, word: 0},
	{line: "10.1.0.0/16 hoplimit 300", exit: 5, word: 2},
	{line: "10.1.0.0/16 quickack 2", exit: 5, word: 2},
	{line: "10.1.0.0/16 fastopen_no_cookie 1", exit: 5, kept: true, word: 0},
	{line: "10.1.0.0/16 congctl lock cubic", exit: 5, kept: true, word: 2},
	{line: "10.1.0.0/16 realms 5/6", exit: 5, kept: true, word: 0},
	{line: "10.1.0.0/16 realms bogus", exit: 5, word: 2},
	{line: "2001:db8::/32 realms 5", exit: 5, word: 1},
	{line: "10.1.0.0/16 tos 0x10", exit: 5, kept: true, word: 0},
	{line: "10.1.0.0/16 dsfield 300", exit: 5, word: 2},
	{line: "10.1.0.0/16 ttl-propagate bogus", exit: 5, kept: true, word: 2},
	{line: "10.1.0.0/16 src bogus", exit: 5, word: 2},
	{line: "10.1.0.0/16 src 2001:db8::1", exit: 5, word: 2},
	{line: "10.1.0.0/16 from 10.2.0.0/16", exit: 5, word: 2},
	{line: "2001:db8::/32 from 2001:db9::/32", exit: 5, word: 1, differs: "source routes (RTA_SRC) are not supported"},
	{line: "10.1.0.0/16 via inet6 2001:db8::1", exit: 5, word: 2},
	{line: "2001:db8::/32 via 192.168.1.1", exit: 5, word: 2},
	{line: "10.1.0.0/16 gw 192.168.1.1", exit: 5, kept: true, word: 1},
	{line: "10.1.0.0/16 via 192.168.1.1 or 192.168.1.2 or 192.168.1.3", exit: 5, kept: true, word: 3},
	{line: "10.1.0.0/16 via 192.168.1.1 or 192.168.1.2 nexthop via 192.168.1.3", exit: 5, word: 3},
	{line: "10.1.0.0/16 nexthop via 192.168.1.1 weight 0", exit: 5, kept: true, word: 5},
	{line: "10.1.0.0/16 nexthop via 192.168.1.1 weight 257", exit: 5, kept: true, word: 5},
	{line: "10.1.0.0/16 nexthop via 2001:db8::1", exit: 5, kept: true, word: 3},
	{line: "10.1.0.0/16 nexthop via 192.168.1.1 bogus", exit: 5, kept: true, word: 4},
	{line: "10.1.0.0/16 nexthop via 192.168.1.1 dev eth1 nexthop via 192.168.1.2 onlink", exit: 5, kept: true, word: 0},
	{line: "blackhole 10.1.0.0/16", exit: 5, kept: true, word: 0},
	{line: "xresolve 10.1.0.0/16", exit: 5, kept: true, word: 0},
	{line: "7 10.1.0.0/16", exit: 5, kept: true, word: 0},
	{line: "to blackhole 10.1.0.0/16", exit: 5, word: 1},
	{line: "default", exit: 5, kept: true, word: 0},
	{line: "10.1.0.0/16 bogus", exit: 5, word: 1},
	{line: "inet 10.1.0.0/16", exit: 5, word: 1},
	{line: "10.1.0.0/16 as to 10.2.0.0", exit: 5, kept: true, word: 1},
	{line: "10.1.0.0/16 encap ip id 1 dst 10.0.0.1", exit: 5, word: 1, differs: "encap is not supported"},

	{rule: true, line: "from 10.1.0.0/16 table 100", exit: 5, kept: true, word: 0},
	{rule: true, line: "from 10.1.0.0/16 table 100 preference 5", exit: 0, kept: true, word: -1},
	{rule: true, line: "from 10.1.0.0/16 table 100 priority 0x10", exit: 0, kept: true, word: -1},
	{rule: true, line: "from 10.1.0.0/16 table 100 pref 5", exit: 5, word: 4},
	{rule: true, line: "from 10.1.0.0/16 table 100 preference x", exit: 5, word: 5},
	{rule: true, line: "from 10.1.0.0/16 table nosuchtable", exit: 5, word: 3},
	{rule: true, line: "from 10.1.0.0/16 table 0", exit: 5, word: 3},
	{rule: true, line: "from 10.1.0.0/16", exit: 5, word: 0},
	{rule: true, line: "from 10.1.0.0/16 to 2001:db8::/32 table 100", exit: 5, word: 3},
	{rule: true, line: "inet6 from 10.1.0.0/16 table 100", exit: 5, word: 1},
	{rule: true, line: "table 100 inet6", exit: 5, kept: true, word: 0},
	{rule: true, line: "from 10.1.0.0/16 table 100 tos bogus", exit: 5, word: 5},
	{rule: true, line: "fwmark 0x10/0xff table 100", exit: 5, kept: true, word: 0},
	{rule: true, line: "fwmark 0x10/ table 100", exit: 5, kept: true, word: 0},
	{rule: true, line: "fwmark x table 100", exit: 5, word: 1},
	{rule: true, line: "fwmark 5000000000 table 100", exit: 5, word: 1},
	{rule: true, line: "fwmark 0x10 mask 0xff table 100", exit: 5, word: 2},
	{rule: true, line: "table 100 realms 5/6", exit: 5, kept: true, word: 0},
	{rule: true, line: "table 100 realms bogus", exit: 5, word: 3},
	{rule: true, line: "goto 200 realms 5 preference 100", exit: 5, word: 2},
	{rule: true, line: "table 100 sup_pl 0", exit: 5, kept: true, word: 0},
	{rule: true, line: "table 100 suppress_prefixlength -1", exit: 5, word: 3},
	{rule: true, line: "table 100 suppress_ifgroup 5", exit: 5, kept: true, word: 0},
	{rule: true, line: "blackhole suppress_prefixlength 0", exit: 5, word: 1},
	{rule: true, line: "table 100 iif eth1 oif eth2", exit: 5, kept: true, word: 0},
	{rule: true, line: "table 100 tunnel-id 5", exit: 5, kept: true, word: 0},
	{rule: true, line: "table 100 tun_id 5", exit: 5, word: 2},
	{rule: true, line: "table 100 uidrange 1000-1999", exit: 5, kept: true, word: 0},
	{rule: true, line: "table 100 uidrange 1000", exit: 5, word: 3},
	{rule: true, line: "l3mdev table 100", exit: 5, word: 0},
	{rule: true, line: "l3mdev", exit: 5, word: 0, differs: "l3mdev (FRA_L3MDEV) is not supported"},
	{rule: true, line: "table 100 protocol 5", exit: 5, kept: true, word: 3},
	{rule: true, line: "table 100 protocol static", exit: 5, kept: true, word: 3},
	{rule: true, line: "table 100 protocol 5 no_track", exit: 5, kept: true, word: 0},
	{rule: true, line: "table 100 ipproto tcp", exit: 5, kept: true, word: 0},
	{rule: true, line: "table 100 ipproto 200", exit: 5, kept: true, word: 3},
	{rule: true, line: "table 100 ipproto bogus", exit: 5, kept: true, word: 3},
	{rule: true, line: "table 100 sport 1000-2000 dport 80-80", exit: 5, kept: true, word: 0},
	{rule: true, line: "table 100 sport 80", exit: 5, kept: true, word: 3},
	{rule: true, line: "table 100 dport x", exit: 5, kept: true, word: 3},
	{rule: true, line: "table 100 sport 2000-1000", exit: 0, word: 3, differs: "a backwards range is refused by the kernel"},
	{rule: true, line: "nop", exit: 5, kept: true, word: 0},
	{rule: true, line: "goto 200 preference 100", exit: 0, kept: true, word: -1},
	{rule: true, line: "goto 200", exit: 5, word: 0},
	{rule: true, line: "goto 100 preference 200", exit: 5, word: 0},
	{rule: true, line: "goto x preference 100", exit: 5, word: 1},
	{rule: true, line: "type blackhole", exit: 5, kept: true, word: 0},
	{rule: true, line: "throw", exit: 5, word: 0},
	{rule: true, line: "table 100 blackhole", exit: 5, word: 2},
	{rule: true, line: "table 100 table 200", exit: 5, word: 2},
	{rule: true, line: "table 100 bogus", exit: 5, word: 2},
}

// testNames are the iproute2 names the option tests use; they are also in
// the files every iproute2 installs.
var testNames = NameMap{RouteProtos: {"keepalived": 18}, IPProtocols: {"tcp": 6, "vrrp": 112}}

// optConf is the configuration for c.
func (c optCase) conf() string {
	block := "static_routes"
	if c.rule {
		block = "static_rules"
	}
	return fmt.Sprintf("%s {\n  %s\n}\n", block, c.line)
}

// TestRouteRuleOptions loads every case and checks the exit code, whether
// the route or rule is kept, and where the first diagnostic points.
func TestRouteRuleOptions(t *testing.T) {
	for _, c := range optCases {
		t.Run(c.line, func(t *testing.T) {
			cfg, diags := LoadBytes("t.conf", []byte(c.conf()), Options{ConfigID: "x", Names: testNames})
			kept := len(cfg.StaticRoutes) == 1
			if c.rule {
				kept = len(cfg.StaticRules) == 1
			}
			word := -1
			if len(diags) > 0 {
				word = wordAt(c.line, diags[0].Pos)
			}
			got := fmt.Sprintf("exit %d kept %v word %d", ExitCode(cfg), kept, word)
			want := fmt.Sprintf("exit %d kept %v word %d", c.exit, c.kept, c.word)
			if got != want {
				t.Errorf("got %s, want %s\ndiagnostics:\n%s", got, want, diagText(diags))
			}
		})
	}
}

// wordAt returns the index of the word of line (written at line 2, column
// 3) that p points into, or -2.
func wordAt(line string, p Pos) int {
	if p.Line != 2 {
		return -2
	}
	col := 3
	for i, w := range strings.Fields(line) {
		if p.Col >= col && p.Col <= col+len(w) {
			return i
		}
		col += len(w) + 1
	}
	return -2
}

// TestVIPScope: a VIP scope is resolved once, by name or number; one that
// cannot be is reported and ignored with the address kept, as keepalived
// does, and IPv6 addresses take no scope.
func TestVIPScope(t *testing.T) {
	tests := []struct {
		vip  string
		want Scope
		diag string
	}{
		{"10.1.1.2/24 scope 253", 253, ""},
		{"10.1.1.2/24 scope link", 253, ""},
		{"10.1.1.2/24 scope host", 254, ""},
		{"10.1.1.2/24 scope bogus", 0, "t.conf:2:21: warning: invalid scope \"bogus\", ignoring it"},
		{"2001:db8::2/64 scope link", 0, "t.conf:2:3: warning: cannot specify scope for IPv6 addresses (2001:db8::2/64), ignoring the scope\n\thint: the kernel derives an IPv6 address's scope from the address itself"},
	}
	for _, tc := range tests {
		t.Run(tc.vip, func(t *testing.T) {
			src := "static_ipaddress {\n  " + tc.vip + " dev eth1\n}\n"
			cfg, diags := LoadBytes("t.conf", []byte(src), Options{ConfigID: "x", Names: testNames})
			if len(cfg.StaticAddresses) != 1 {
				t.Fatalf("address dropped: %v", diags)
			}
			got := ""
			if len(diags) > 0 {
				got = diags[0].String()
			}
			if cfg.StaticAddresses[0].Scope != tc.want || got != tc.diag {
				t.Errorf("scope %v, diagnostic %q; want %v, %q", cfg.StaticAddresses[0].Scope, got, tc.want, tc.diag)
			}
		})
	}
}

// TestNameLookup resolves names through an injected table, numbers in C
// syntax, and keepalived's built-in names.
func TestNameLookup(t *testing.T) {
	l := &loader{names: NameMap{RouteTables: {"vips": 100, "big": 1 << 31}, RouteProtos: {"mine": 77}}}
	tests := []struct {
		table NameTable
		in    string
		max   uint64
		want  uint32
		ok    bool
	}{
		{RouteTables, "vips", 1<<32 - 1, 100, true},
		{RouteTables, "main", 1<<32 - 1, 254, true},
		{RouteTables, "0x100", 1<<32 - 1, 256, true},
		{RouteTables, "010", 1<<32 - 1, 8, true},
		{RouteTables, "4294967296", 1<<32 - 1, 0, false},
		{RouteTables, "nosuch", 1<<32 - 1, 0, false},
		{RouteTables, "", 1<<32 - 1, 0, false},
		{RouteProtos, "mine", 255, 77, true},
		{RouteProtos, "static", 255, 4, true},
		{RouteProtos, "256", 255, 0, false},
		{RouteScopes, "link", 255, 253, true},
		{RouteScopes, "universe", 255, 0, false},
		{RouteTables, "big", 255, 0, false},
	}
	for _, tc := range tests {
		got, ok := l.lookupName(tc.table, tc.in, tc.max)
		if got != tc.want && ok || ok != tc.ok {
			t.Errorf("lookupName(%s, %q) = %d, %v; want %d, %v", tc.table, tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

// FuzzRouteRuleOptions: no route or rule line makes the loader panic, and
// a kept rule's port ranges are never backwards.
func FuzzRouteRuleOptions(f *testing.F) {
	for _, c := range optCases {
		f.Add(c.line, c.rule)
	}
	f.Fuzz(func(t *testing.T, line string, rule bool) {
		if strings.ContainsAny(line, "{}\n\r\x00") {
			return
		}
		c := optCase{rule: rule, line: line}
		cfg, _ := LoadBytes("t.conf", []byte(c.conf()), Options{ConfigID: "x", Names: testNames})
		if cfg == nil {
			return // nothing read (a syntax error): not an option problem
		}
		for _, r := range cfg.StaticRules {
			for _, pr := range []*Range{r.Sport, r.Dport} {
				if pr != nil && pr.Start > pr.End {
					t.Fatalf("rule %q kept with backwards range %v", line, pr)
				}
			}
		}
	})
}
