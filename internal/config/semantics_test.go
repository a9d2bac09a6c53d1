package config

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// loadSem loads src and returns the config and its diagnostics as
// "line:col: severity: msg" (a fatal one shows "fatal").
func loadSem(t *testing.T, src string) (*Config, []string) {
	t.Helper()
	cfg, diags := LoadBytes("t.conf", []byte(src), Options{ConfigID: "x"})
	var out []string
	for _, d := range diags {
		d.Hint = ""
		out = append(out, strings.TrimPrefix(d.String(), "t.conf:"))
	}
	return cfg, out
}

const vip1 = " virtual_ipaddress {\n  10.0.0.1\n }\n"

// TestStartDecision checks which problems make the daemon refuse to start:
// exactly those keepalived 2.2.7 refuses to start with (checked in the lab
// by TestStartDecisionAgrees). The -t exit code stays keepalived's (5).
func TestStartDecision(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		refuses bool
		want    []string
	}{
		{"track_script typo", inst(" track_script {\n  chk_typo\n }\n" + vip1), false,
			[]string{"5:3: error: (A) track script chk_typo not found, ignoring it"}},
		{"state SLAVE", inst(" state SLAVE\n" + vip1), false,
			[]string{`4:8: error: (A) unknown state "SLAVE", defaulting to BACKUP`}},
		{"words after a VIP", inst(" virtual_ipaddress {\n  10.0.0.5/24 // vip\n  10.0.0.6/24 ; VIP\n }\n"), false,
			[]string{`5:15: error: unknown address option "//" for 10.0.0.5/24, ignoring it`,
				`5:18: error: unknown address option "vip" for 10.0.0.5/24, ignoring it`,
				`6:15: error: unknown address option ";" for 10.0.0.6/24, ignoring it`,
				`6:17: error: unknown address option "VIP" for 10.0.0.6/24, ignoring it`}},
		{"sync group names an undefined instance", "vrrp_sync_group G {\n group {\n  A\n  X\n }\n}\n" + inst(vip1), false,
			[]string{"4:3: error: virtual router X specified in sync group G doesn't exist, ignoring it",
				"1:17: warning: sync group G has only 1 virtual router - this probably isn't what you want"}},
		{"auth_type pass", inst(" authentication {\n  auth_type pass\n  auth_pass secret\n }\n" + vip1), false,
			[]string{`5:13: error: (A) unknown auth_type "pass", must be PASS or AH`}},
		{"host name peer", inst(" unicast_peer {\n  localhost\n }\n" + vip1), false,
			[]string{`5:3: error: (A) invalid unicast_peer address "localhost", skipping it`,
				"1:15: warning: (A) a unicast keyword is given without unicast peers; using multicast, which keepalived deprecates"}},
		{"priority 256", inst(" priority 256\n" + vip1), false,
			[]string{"4:11: error: priority: 256 outside range [1, 255]"}},
		{"script interval 0 and weight -300", "vrrp_script s {\n script /nonexistent/x\n interval 0\n weight -300\n}\n" +
			inst(" track_script {\n  s weight -300\n }\n"+vip1), false,
			[]string{"3:11: error: (s) vrrp script interval must be greater than 0, setting it to 1",
				"4:9: error: weight: -300 outside range [-253, 253]",
				"10:12: error: s: -300 outside range [-254, 254]"}},
		{"brd +", inst(" virtual_ipaddress {\n  10.0.0.5/24 brd +\n }\n"), false, nil},
		{"VRID 256", "vrrp_instance A {\n interface eth0\n virtual_router_id 256\n" + vip1 + "}\n", true,
			[]string{"3:20: error: virtual_router_id: 256 outside range [1, 255]",
				"1:15: fatal: (A) the virtual router id must be set"}},
		{"no interface", "vrrp_instance A {\n virtual_router_id 1\n" + vip1 + "}\n", true,
			[]string{"1:15: fatal: (A) no interface given"}},
		{"v3 without VIP", inst(" version 3\n"), true,
			[]string{"1:15: fatal: (A) no VIP specified; at least one is required"}},
		{"v3 with no_virtual_ipaddress", inst(" version 3\n no_virtual_ipaddress\n"), false, nil},
		{"v2 without VIP", inst(""), false,
			[]string{"1:15: warning: (A) no VIP specified; at least one is sensible"}},
		{"duplicate VRID", inst(vip1) + "vrrp_instance B {\n interface eth0\n virtual_router_id 1\n" + vip1 + "}\n", true,
			[]string{"10:20: fatal: A and B both use VRID 1 with IPv4 on interface eth0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, diags := LoadBytes("t.conf", []byte(tt.in), Options{ConfigID: "x"})
			if got := Refuses(cfg, diags); got != tt.refuses {
				t.Errorf("Refuses = %v, want %v", got, tt.refuses)
			}
			_, got := loadSem(t, tt.in)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s", diff)
			}
		})
	}
}

// TestFallbacks checks the configuration each fallback leaves, as
// keepalived applies it.
func TestFallbacks(t *testing.T) {
	cfg, _ := loadSem(t, "vrrp_script s {\n script /nonexistent/x\n interval 0\n weight 5\n}\n"+
		inst(" state SLAVE\n priority 256\n track_script {\n  s weight -300\n }\n"+
			" virtual_ipaddress {\n  10.0.0.5/24 brd + // vip\n  10.0.0.6/28 brd -\n }\n"))
	in := cfg.Instances[0]
	type got struct {
		State    State
		Priority int
		VIPs     []string
		Brd      []string
		Track    []TrackRef
		Interval time.Duration
	}
	g := got{State: in.State, Priority: in.Priority, Interval: cfg.Scripts[0].Interval}
	for _, v := range in.VIPs {
		g.VIPs = append(g.VIPs, v.Prefix.String())
		g.Brd = append(g.Brd, v.Brd.String())
	}
	for _, r := range in.TrackScripts {
		g.Track = append(g.Track, TrackRef{Name: r.Name, Weight: r.Weight})
	}
	want := got{State: StateBackup, Priority: 100, VIPs: []string{"10.0.0.5/24", "10.0.0.6/28"},
		Brd: []string{"10.0.0.255", "10.0.0.0"}, Track: []TrackRef{{Name: "s"}}, Interval: time.Second}
	if diff := cmp.Diff(want, g); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestDerivedDefaults checks keepalived's defaults that follow from other
// keywords (vrrp_complete_instance).
func TestDerivedDefaults(t *testing.T) {
	strict := "global_defs {\n vrrp_strict\n}\n"
	tests := []struct {
		name  string
		in    string
		check func(*Instance) string
		value string
		want  []string
	}{
		{"state MASTER without priority is 255", inst(" state MASTER\n" + vip1),
			func(i *Instance) string { return fmt.Sprint(i.Priority, i.State) }, "255 MASTER",
			[]string{"4:8: warning: (A) state MASTER without a priority: priority 255 (address owner)"}},
		{"priority 255 without state starts MASTER", inst(" priority 255\n" + vip1),
			func(i *Instance) string { return fmt.Sprint(i.Priority, i.State) }, "255 MASTER", nil},
		{"invalid priority with MASTER stays 100", inst(" state MASTER\n priority 300\n" + vip1),
			func(i *Instance) string { return fmt.Sprint(i.Priority, i.State) }, "100 MASTER",
			[]string{"5:11: error: priority: 300 outside range [1, 255]"}},
		{"MASTER then BACKUP keeps MASTER", inst(" state MASTER\n state BACKUP\n priority 100\n" + vip1),
			func(i *Instance) string { return fmt.Sprint(i.State) }, "MASTER",
			[]string{"5:8: warning: (A) state previously set as MASTER, ignoring BACKUP"}},
		{"strict: MASTER must be the owner", strict + inst(" state MASTER\n priority 100\n"+vip1),
			func(i *Instance) string { return fmt.Sprint(i.State) }, "BACKUP",
			[]string{"7:8: warning: (A) State MASTER must match being address owner",
				"4:15: warning: (A) strict mode: the master will not accept packets addressed to its VIPs"}},
		{"strict: the owner accepts", strict + inst(" priority 255\n"+vip1),
			func(i *Instance) string { return fmt.Sprint(i.Accept, i.State) }, "true MASTER", nil},
		{"strict: no lower-priority garps, no higher_prio_send_advert", strict +
			"global_defs {\n vrrp_higher_prio_send_advert\n}\n" + inst(" priority 255\n"+vip1),
			func(i *Instance) string {
				return fmt.Sprint(i.Garp.LowerPrioRepeat, i.Garp.LowerPrioDelay, i.HigherPrioSendAdvert, i.LowerPrioNoAdvert)
			}, "0 0s false true", nil},
		{"strict: down_timer_adverts reset", strict + inst(" priority 255\n down_timer_adverts 5\n"+vip1),
			func(i *Instance) string { return fmt.Sprint(i.DownTimerAdverts) }, "3",
			[]string{"4:15: warning: (A) down_timer_adverts is incompatible with strict mode, resetting it to 3"}},
		{"preempt_delay with MASTER is cleared", inst(" state MASTER\n priority 100\n preempt_delay 10\n" + vip1),
			func(i *Instance) string { return fmt.Sprint(i.PreemptDelay) }, "0s",
			[]string{"6:16: warning: (A) preempt_delay will not work with initial state MASTER, ignoring preempt_delay"}},
		{"preempt_delay with BACKUP is kept", inst(" state BACKUP\n preempt_delay 10\n" + vip1),
			func(i *Instance) string { return fmt.Sprint(i.PreemptDelay) }, "10s", nil},
		{"vmac_xmit_base without use_vmac", inst(" vmac_xmit_base\n" + vip1),
			func(i *Instance) string { return fmt.Sprint(i.VMACXmitBase) }, "false",
			[]string{"1:15: warning: (A) vmac_xmit_base is only valid with a vmac, ignoring it"}},
		{"track_interface on the own interface", inst(" track_interface {\n  eth0\n  eth1\n }\n" + vip1),
			func(i *Instance) string {
				return fmt.Sprintf("%d %s", len(i.TrackInterfaces), i.TrackInterfaces[0].Name)
			}, "1 eth1",
			[]string{"5:3: warning: (A) ignoring track_interface eth0 since it is the instance's own interface"}},
		{"scope on an IPv6 VIP", inst(" virtual_ipaddress {\n  fe80::1/64 scope link\n  2001:db8::5/64 scope global\n }\n"),
			func(i *Instance) string { return fmt.Sprintf("%d %d", i.VIPs[0].Scope, i.VIPs[1].Scope) }, "0 0",
			[]string{"5:3: warning: cannot specify scope for IPv6 addresses (fe80::1/64), ignoring the scope"}},
		{"multicast destination with unicast", inst(" mcast_dst_ip 224.0.0.19\n unicast_peer {\n  10.0.0.9\n }\n" + vip1),
			func(i *Instance) string { return fmt.Sprint(i.McastDstIP) }, "invalid IP",
			[]string{"1:15: warning: (A) multicast destination specified with unicast, ignoring it"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, got := loadSem(t, tt.in)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s", diff)
			}
			if len(cfg.Instances) != 1 {
				t.Fatalf("%d instances", len(cfg.Instances))
			}
			if got := tt.check(cfg.Instances[0]); got != tt.value {
				t.Errorf("value = %q, want %q", got, tt.value)
			}
		})
	}
}

// TestFirstWins checks keepalived's "already specified - ignoring" rule
// for repeated notify keywords and group lists, and the global_defs
// keywords keepalived's -t warns about.
func TestFirstWins(t *testing.T) {
	cfg, got := loadSem(t, "global_defs {\n vrrp_garp_interval 0\n vrrp_gna_interval 0\n vrrp_iptables\n}\n"+
		"vrrp_sync_group G {\n group {\n  A\n }\n group {\n  B\n }\n notify /bin/g1\n notify /bin/g2\n}\n"+
		inst(" notify /bin/n1\n notify /bin/n2\n notify_master \"/bin/m1 x\"\n notify_master /bin/m2\n"+vip1))
	want := []string{
		"14:2: warning: notify script already given, ignoring this one",
		"20:2: warning: notify script already given, ignoring this one",
		"22:2: warning: notify_master script already given, ignoring this one",
		"2:21: error: vrrp_garp_interval: 0 outside range [0.000001, 4294.967295]",
		"3:20: error: vrrp_gna_interval: 0 outside range [0.000001, 4294.967295]",
		"4:2: warning: iptables not supported, using nftables instead",
		"10:2: warning: group list already specified for sync group G, ignoring this one",
		"6:17: warning: sync group G has only 1 virtual router - this probably isn't what you want",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("diagnostics (-want +got):\n%s", diff)
	}
	in := cfg.Instances[0]
	gotCmds := fmt.Sprint(in.Notify.Cmd, in.NotifyMaster.Cmd, cfg.SyncGroups[0].Notify.Cmd, cfg.SyncGroups[0].Members)
	if wantCmds := "[/bin/n1] [/bin/m1 x] [/bin/g1] [A]"; gotCmds != wantCmds {
		t.Errorf("kept %s, want %s", gotCmds, wantCmds)
	}
}
