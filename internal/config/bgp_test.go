package config

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// speaker wraps neighbor lines in a global_defs bgp_speaker block.
func speaker(body string) string {
	return "global_defs {\n bgp_speaker {\n" + body + " }\n}\n"
}

const oneNeighbor = "  local_as 65001\n  neighbor 192.168.1.1 {\n   remote_as 65000\n  }\n"

// TestBGPChecks holds one BGP check per row: the diagnostics with exact
// positions, and the config-test exit code.
func TestBGPChecks(t *testing.T) {
	vip := " virtual_ipaddress {\n  10.0.0.1\n }\n"
	tests := []struct {
		name string
		in   string
		want []string
		exit int
	}{
		{"clean speaker", speaker(oneNeighbor), nil, 0},
		{"local_as 0", speaker("  local_as 0\n"), []string{
			"3:12: error: local_as: 0 outside range [1, 4294967295]",
			"2:2: error: bgp_speaker needs local_as, ignoring it"}, 5},
		{"local_as too big", speaker("  local_as 4294967296\n"), []string{
			"3:12: error: local_as: 4294967296 outside range [1, 4294967295]",
			"2:2: error: bgp_speaker needs local_as, ignoring it"}, 5},
		{"remote_as out of range", speaker("  local_as 1\n  neighbor 10.0.0.1 {\n   remote_as 99999999999\n  }\n"), []string{
			"5:14: error: remote_as: 99999999999 outside range [1, 4294967295]",
			"4:12: error: neighbor 10.0.0.1 needs remote_as, ignoring it"}, 5},
		{"source of the other family", speaker("  local_as 1\n  neighbor 10.0.0.1 {\n   remote_as 2\n   source_address 2001:db8::2\n  }\n"), []string{
			"6:19: error: neighbor 10.0.0.1: source_address 2001:db8::2 is of the other address family, ignoring the neighbor"}, 5},
		{"router_id IPv6", speaker("  local_as 1\n  router_id 2001:db8::1\n"), []string{
			"4:13: error: router_id: 2001:db8::1 is not an IPv4 address (a BGP identifier is 32 bits)"}, 5},
		{"hold_time 2", speaker("  local_as 1\n  neighbor 10.0.0.1 {\n   remote_as 2\n   hold_time 2\n  }\n"), []string{
			"6:14: error: hold_time: 2 outside range [3, 65535]"}, 5},
		{"keepalive not below hold", speaker("  local_as 1\n  neighbor 10.0.0.1 {\n   remote_as 2\n   hold_time 6\n   keepalive_time 6\n  }\n"), []string{
			"4:12: error: neighbor 10.0.0.1: keepalive_time must be less than hold_time, using a third of it"}, 5},
		{"duplicate neighbor", speaker("  local_as 1\n  neighbor 10.0.0.1 {\n   remote_as 2\n  }\n  neighbor 10.0.0.1 {\n   remote_as 3\n  }\n"), []string{
			"7:12: error: neighbor 10.0.0.1 is given twice, ignoring the second"}, 5},
		{"non-host prefix", speaker(oneNeighbor) + "anycast_group W {\n virtual_ipaddress {\n  10.99.0.0/24\n  10.99.1.1\n }\n}\n", []string{
			"11:3: error: anycast_group W: 10.99.0.0/24 is not a host route (/32), ignoring it"}, 5},
		{"non-host prefix allowed", speaker(oneNeighbor) + "anycast_group W {\n virtual_ipaddress {\n  10.99.0.0/24\n }\n allow_non_host\n}\n", nil, 0},
		{"no neighbor of the family: our hint", speaker(oneNeighbor) + "anycast_group W {\n virtual_ipaddress {\n  2001:db8::1\n }\n}\n", []string{
			"11:3: warning: 2001:db8::1: no IPv6 neighbor to announce it to"}, 0},
		{"anycast without speaker", "anycast_group W {\n virtual_ipaddress {\n  10.99.0.1\n }\n}\n", []string{
			"1:15: error: anycast_group W: no bgp_speaker in global_defs, nothing will announce it"}, 5},
		{"bgp_announce without speaker", inst(vip + " bgp_announce\n"), []string{
			"7:2: error: (A) bgp_announce: no bgp_speaker in global_defs, nothing will announce it"}, 5},
		{"bgp_announce bad option", speaker(oneNeighbor) + inst(vip+" bgp_announce sometimes\n"), []string{
			`15:15: error: (A) bgp_announce: unknown option "sometimes", announcing from the MASTER only`}, 5},
		{"unknown tracker", speaker(oneNeighbor) + "anycast_group W {\n virtual_ipaddress {\n  10.99.0.1\n }\n track_script {\n  nope\n }\n}\n", []string{
			"14:3: error: (W) track script nope not found, ignoring it"}, 5},
		{"bad communities", speaker(oneNeighbor) + "anycast_group W {\n virtual_ipaddress {\n  10.99.0.1\n }\n communities 1:70000 x 1:2\n large_communities 1:2\n}\n", []string{
			`13:14: error: communities: "1:70000" is not ASN:VALUE (each 0-65535) or a well-known name, ignoring it`,
			`13:22: error: communities: "x" is not ASN:VALUE (each 0-65535) or a well-known name, ignoring it`,
			`14:20: error: large_communities: "1:2" is not GLOBAL:LOCAL1:LOCAL2 (each 0-4294967295), ignoring it`}, 5},
		{"weight in a group: our hint", speaker(oneNeighbor) + "vrrp_script s {\n script /nonexistent/x\n}\nanycast_group W {\n virtual_ipaddress {\n  10.99.0.1\n }\n track_script {\n  s weight 10\n }\n}\n", []string{
			"17:3: warning: (W) track_script s: a weight has no effect in an anycast_group"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			loadChecked(t, tt.in, tt.want, tt.exit)
		})
	}
}

// TestBGPModel checks the defaults and the values the keywords set.
func TestBGPModel(t *testing.T) {
	cfg := loadChecked(t, speaker("  local_as 65001\n  neighbor 10.0.0.1 {\n   remote_as 65000\n  }\n  neighbor 10.0.0.2 {\n   remote_as 65002\n   hold_time 3\n   multihop\n  }\n")+
		inst(" virtual_ipaddress {\n  10.0.0.100/24\n }\n bgp_announce prepend_from_priority\n")+
		"anycast_group W {\n virtual_ipaddress {\n  10.99.0.1\n }\n communities graceful-shutdown 65535:1\n}\n", nil, 0)
	s := cfg.Global.BGPSpeaker
	want := []*BGPNeighbor{
		{Addr: netip.MustParseAddr("10.0.0.1"), RemoteAS: 65000, HoldTime: 90 * time.Second, KeepaliveTime: 30 * time.Second, Port: 179},
		{Addr: netip.MustParseAddr("10.0.0.2"), RemoteAS: 65002, HoldTime: 3 * time.Second, KeepaliveTime: time.Second, Multihop: 255, Port: 179},
	}
	if diff := cmp.Diff(want, s.Neighbors, modelOpts); diff != "" {
		t.Errorf("neighbors (-want +got):\n%s", diff)
	}
	if s.LocalAS != 65001 || s.HoldDown != DefaultBGPHoldDown || s.GracefulShutdown != 0 {
		t.Errorf("speaker = %+v, want local_as 65001, hold_down %v, no graceful shutdown", s, DefaultBGPHoldDown)
	}
	if a := cfg.Instances[0].BGPAnnounce; a == nil || a.Backup != BackupPrepend {
		t.Errorf("BGPAnnounce = %+v, want prepend_from_priority", a)
	}
	g := cfg.AnycastGroups[0]
	if g.VIPs[0].Dev != "lo" {
		t.Errorf("anycast VIP dev = %q, want lo", g.VIPs[0].Dev)
	}
	if diff := cmp.Diff([]Community{CommunityGracefulShutdown, 0xFFFF0001}, g.Communities); diff != "" {
		t.Errorf("communities (-want +got):\n%s", diff)
	}
	var ext []string
	for _, n := range cfg.Extensions {
		ext = append(ext, n.Keyword)
	}
	if diff := cmp.Diff([]string{"bgp_speaker", "bgp_announce", "anycast_group"}, ext); diff != "" {
		t.Errorf("extensions (-want +got):\n%s", diff)
	}
	if got := cfg.Extensions[0].ExtensionString(); !strings.Contains(got, "t.conf:2:2: bgp_speaker: ours") {
		t.Errorf("ExtensionString = %q", got)
	}
}
