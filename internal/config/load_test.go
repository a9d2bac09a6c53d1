package config

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestSplitCommand(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"/bin/true", []string{"/bin/true"}},
		{"  /usr/local/bin/vrrp.sh  BACKUP   VI_1 ", []string{"/usr/local/bin/vrrp.sh", "BACKUP", "VI_1"}},
		{`/bin/sh -c 'echo "a b"'`, []string{"/bin/sh", "-c", `echo "a b"`}},
		{`cmd "x y" z`, []string{"cmd", "x y", "z"}},
		{`cmd a\ b`, []string{"cmd", "a b"}},
		{`cmd ''`, []string{"cmd", ""}},
		{"", nil},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, splitCommand(tt.in)); diff != "" {
			t.Errorf("splitCommand(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestParseTimer(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"1", time.Second, true},
		{"0.25", 250 * time.Millisecond, true},
		{"0.000001", time.Microsecond, true},
		{"2.5", 2500 * time.Millisecond, true},
		{"-1", 0, false},
		{"x", 0, false},
		{"NaN", 0, false},
		{"1e300", 0, false},
	}
	for _, tt := range tests {
		got, ok := parseTimer(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseTimer(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

// load1 loads one config text and returns its first instance (or nil) and
// the diagnostics as "line:col: severity: msg" strings.
func load1(t *testing.T, src string) (*Config, []string) {
	t.Helper()
	cfg, diags := LoadBytes("t.conf", []byte(src), Options{ConfigID: "x"})
	var out []string
	for _, d := range diags {
		out = append(out, strings.TrimPrefix(Diagnostic{Pos: d.Pos, Severity: d.Severity, Msg: d.Msg}.String(), "t.conf:"))
	}
	return cfg, out
}

// loadChecked loads in and checks its diagnostics and exit code.
func loadChecked(t *testing.T, in string, want []string, exit int) *Config {
	t.Helper()
	cfg, got := load1(t, in)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("diagnostics (-want +got):\n%s", diff)
	}
	if code := ExitCode(cfg); code != exit {
		t.Errorf("ExitCode = %d, want %d", code, exit)
	}
	return cfg
}

func inst(body string) string {
	return "vrrp_instance A {\n interface eth0\n virtual_router_id 1\n" + body + "}\n"
}

// TestInstanceChecks holds one keepalived check per row: the diagnostics
// with exact positions, and the exit code.
func TestInstanceChecks(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
		exit int
	}{
		{"clean", inst(" virtual_ipaddress {\n  10.0.0.1\n }\n"), nil, 0},
		{"vrid out of range", "vrrp_instance A {\n interface eth0\n virtual_router_id 256\n virtual_ipaddress {\n  10.0.0.1\n }\n}\n",
			[]string{"3:20: error: virtual_router_id: 256 outside range [1, 255]",
				"1:15: error: (A) the virtual router id must be set"}, 5},
		{"priority 0", inst(" priority 0\n virtual_ipaddress {\n  10.0.0.1\n }\n"),
			[]string{"4:11: error: priority: 0 outside range [1, 255]"}, 5},
		{"v2 fractional advert_int", inst(" advert_int 0.5\n virtual_ipaddress {\n  10.0.0.1\n }\n"),
			[]string{"4:13: warning: (A) VRRPv2 advertisement interval 0.5s must be a whole number of seconds, rounding to 1s"}, 5},
		{"v3 fractional advert_int is fine", inst(" version 3\n advert_int 0.5\n virtual_ipaddress {\n  10.0.0.1\n }\n"), nil, 0},
		{"nopreempt with MASTER", inst(" state MASTER\n priority 100\n nopreempt\n virtual_ipaddress {\n  10.0.0.1\n }\n"),
			[]string{"6:2: warning: (A) nopreempt will not work with initial state MASTER, ignoring nopreempt"}, 5},
		{"mixed families", inst(" virtual_ipaddress {\n  10.0.0.1\n  2001:db8::1\n }\n"),
			[]string{"6:3: error: (A) address family must match the instance (IPv4): ignoring 2001:db8::1"}, 5},
		{"excluded may mix", inst(" virtual_ipaddress {\n  10.0.0.1\n }\n virtual_ipaddress_excluded {\n  2001:db8::1\n }\n"), nil, 0},
		{"undefined track_script", inst(" track_script {\n  nope\n }\n virtual_ipaddress {\n  10.0.0.1\n }\n"),
			[]string{"5:3: error: (A) track script nope not found, ignoring it"}, 5},
		{"weight out of range", "vrrp_script s {\n script /nonexistent/x\n weight 300\n}\n" + inst(" virtual_ipaddress {\n  10.0.0.1\n }\n"),
			[]string{"3:9: error: weight: 300 outside range [-253, 253]"}, 5},
		{"long auth_pass", inst(" authentication {\n  auth_type PASS\n  auth_pass 0123456789\n }\n virtual_ipaddress {\n  10.0.0.1\n }\n"),
			[]string{`6:13: warning: (A) auth_pass is longer than 8 characters, truncating it to "01234567"`}, 5},
		{"unknown keyword", inst(" frob 1\n virtual_ipaddress {\n  10.0.0.1\n }\n"),
			[]string{`4:2: warning: unknown keyword "frob" in vrrp_instance`}, 5},
		{"no VIP", inst(""), []string{"1:15: warning: (A) no VIP specified; at least one is sensible"}, 5},
		{"invalid VIP", inst(" virtual_ipaddress {\n  10.0.0.256\n }\n"),
			[]string{`5:3: error: invalid IP address "10.0.0.256", skipping it`, "1:15: warning: (A) no VIP specified; at least one is sensible"}, 5},
		{"strict without accept: our hint only", "global_defs {\n vrrp_strict\n}\n" + inst(" virtual_ipaddress {\n  10.0.0.1\n }\n"),
			[]string{"4:15: warning: (A) strict mode: the master will not accept packets addressed to its VIPs"}, 0},
		{"duplicate vrid", inst(" virtual_ipaddress {\n  10.0.0.1\n }\n") + "vrrp_instance B {\n interface eth0\n virtual_router_id 1\n virtual_ipaddress {\n  10.0.0.2\n }\n}\n",
			[]string{"10:20: error: A and B both use VRID 1 with IPv4 on interface eth0"}, 5},
		{"same vrid other family is fine", inst(" virtual_ipaddress {\n  10.0.0.1\n }\n") + "vrrp_instance B {\n interface eth0\n virtual_router_id 1\n virtual_ipaddress {\n  2001:db8::1\n }\n}\n", nil, 0},
		{"peer family", inst(" unicast_src_ip 10.0.0.1\n unicast_peer {\n  2001:db8::2\n }\n virtual_ipaddress {\n  10.0.0.1\n }\n"),
			[]string{"6:3: error: (A) address family of 2001:db8::2 does not match the instance (IPv4), ignoring it",
				"1:15: warning: (A) a unicast keyword is given without unicast peers; using multicast, which keepalived deprecates"}, 5},
		{"prometheus_listen is ours", "global_defs {\n prometheus_listen 127.0.0.1:9650\n}\n" + inst(" virtual_ipaddress {\n  10.0.0.1\n }\n"), nil, 0},
		{"prometheus_listen without a port", "global_defs {\n prometheus_listen 127.0.0.1\n}\n" + inst(" virtual_ipaddress {\n  10.0.0.1\n }\n"), nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			loadChecked(t, tt.in, tt.want, tt.exit)
		})
	}
}

// TestInstanceDefaults checks the model keepalived's defaults give.
func TestInstanceDefaults(t *testing.T) {
	cfg, diags := load1(t, "global_defs {\n vrrp_garp_master_delay 2\n}\n"+inst(" virtual_ipaddress {\n  10.0.0.1/24 dev eth1 label eth1:1\n }\n"))
	if len(diags) != 0 {
		t.Fatalf("unexpected diagnostics: %q", diags)
	}
	got := *cfg.Instances[0]
	got.Pos, got.VRIDPos, got.VIPs[0].Pos = Pos{}, Pos{}, Pos{}
	want := Instance{
		Name: "A", Interface: "eth0", VRID: 1, Priority: 100, AdvertInt: time.Second, Version: 2, Family: 4,
		VIPs:   []VIP{{Prefix: netip.MustParsePrefix("10.0.0.1/24"), Dev: "eth1", Label: "eth1:1"}},
		Accept: true, DownTimerAdverts: 3, FastFailover: true,
		Garp: GarpSettings{MasterDelay: 2 * time.Second, MasterRepeat: 5, MasterRefreshRepeat: 1,
			LowerPrioDelay: 2 * time.Second, LowerPrioRepeat: 5},
	}
	if diff := cmp.Diff(want, got, modelOpts); diff != "" {
		t.Errorf("instance (-want +got):\n%s", diff)
	}
}

// fast_failover is ours and on by default; keepalived_timing is its
// inverse, for configs that read better that way.
func TestFastFailoverKeywords(t *testing.T) {
	vip := " virtual_ipaddress {\n  10.0.0.1\n }\n"
	for _, tt := range []struct {
		body string
		want bool
	}{
		{"", true},
		{" fast_failover off\n", false},
		{" fast_failover\n", true},
		{" keepalived_timing\n", false},
		{" keepalived_timing off\n", true},
	} {
		cfg, diags := load1(t, inst(tt.body+vip))
		if len(diags) != 0 {
			t.Errorf("%q: unexpected diagnostics %q", tt.body, diags)
			continue
		}
		if got := cfg.Instances[0].FastFailover; got != tt.want {
			t.Errorf("%q: FastFailover = %v, want %v", tt.body, got, tt.want)
		}
	}
}

// Keywords that are modelled but not acted on yet are listed as such
// (`check -D`), never accepted silently.
func TestModelledNoEffectListed(t *testing.T) {
	cfg, diags := load1(t, "global_defs {\n vrrp_owner_ignore_adverts\n}\n"+
		inst(" track_src_ip\n owner_ignore_adverts\n vrf blue\n garp_extra_if 5\n virtual_ipaddress {\n  10.0.0.1\n }\n")+
		"linkbeat_interfaces {\n eth0\n}\ntrack_group TG {\n group {\n  A\n }\n}\n")
	if len(diags) != 0 {
		t.Fatalf("unexpected diagnostics: %q", diags)
	}
	var got []string
	for _, n := range cfg.NoEffect {
		got = append(got, n.Keyword)
	}
	want := []string{"vrf", "garp_extra_if", "linkbeat_interfaces"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("no-effect notes (-want +got):\n%s", diff)
	}
	if in := cfg.Instances[0]; !in.TrackSrcIP || !in.OwnerIgnoreAdverts || in.VRF != "blue" {
		t.Errorf("values not modelled: %+v", in)
	}
}

// A garp_group naming the instance's interface sets its GARP/NA gaps,
// over the global ones; other interfaces keep the global gap.
func TestGarpGroupInterval(t *testing.T) {
	cfg, diags := load1(t, "global_defs {\n vrrp_garp_interval 0.5\n}\ngarp_group {\n garp_interval 0.2\n gna_interval 0.3\n interface eth0\n}\n"+
		inst(" virtual_ipaddress {\n  10.0.0.1\n }\n")+
		"vrrp_instance B {\n interface eth9\n virtual_router_id 2\n virtual_ipaddress {\n  10.0.0.2\n }\n}\n")
	if len(diags) != 0 {
		t.Fatalf("unexpected diagnostics: %q", diags)
	}
	got := []time.Duration{cfg.Instances[0].Garp.Interval, cfg.Instances[0].Garp.GnaInterval, cfg.Instances[1].Garp.Interval}
	want := []time.Duration{200 * time.Millisecond, 300 * time.Millisecond, 500 * time.Millisecond}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("garp intervals: A's garp, A's gna, B's garp (-want +got):\n%s", diff)
	}
}
