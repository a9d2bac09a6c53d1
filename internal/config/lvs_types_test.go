package config

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// vsOf loads src and returns its only virtual server and the diagnostics
// as "line: message" strings.
func vsOf(t *testing.T, src string) (*VirtualServer, *Config, []string) {
	t.Helper()
	cfg, diags := LoadBytes("t.conf", []byte(src), Options{ConfigID: "x"})
	var msgs []string
	for _, d := range diags {
		s := d.Msg
		if d.Hint != "" {
			s += " | " + d.Hint
		}
		msgs = append(msgs, s)
	}
	if len(cfg.VirtualServers) != 1 {
		t.Fatalf("got %d virtual servers, want 1; diagnostics %q", len(cfg.VirtualServers), msgs)
	}
	return cfg.VirtualServers[0], cfg, msgs
}

func TestVirtualServerTypedValues(t *testing.T) {
	v, _, msgs := vsOf(t, `
global_defs {
  enable_script_security
}
virtual_server 10.0.0.1 80 {
  protocol TCP
  lb_algo sh
  sh-port
  lb_kind DR
  persistence_timeout 600
  persistence_granularity 255.255.255.0
  quorum 3
  hysteresis 1
  quorum_up "/bin/true up"
  quorum_down /bin/true
  inhibit_on_failure
  alpha
  omega
  ha_suspend
  weight 4
  sorry_server 10.0.0.9 80
  sorry_server_inhibit
  sorry_server_lvs_method NAT
  real_server 10.0.0.2 80 {
    weight 2
    uthreshold 100
    lthreshold 10
    inhibit_on_failure off
  }
  real_server 10.0.0.3 8080 {
    lvs_method NAT
    alpha false
  }
}
`)
	if len(msgs) != 0 {
		t.Fatalf("diagnostics: %q", msgs)
	}
	type rs struct {
		Weight, U, L   int
		Method         LBKind
		Inhibit, Alpha bool
	}
	got := struct {
		Sched        Scheduler
		Flags        SchedFlags
		Method       LBKind
		Persist      time.Duration
		Gran, Q, Hys int
		Up, Down     bool
		Omega, HA    bool
		RS           []rs
		Sorry        rs
	}{v.Sched, v.SchedFlags, v.Method, v.PersistenceTimeout, v.PersistenceGranularity, v.Quorum, v.Hysteresis,
		v.QuorumUp != nil, v.QuorumDown != nil, v.Omega, v.HASuspend, nil,
		rs{v.Sorry.Weight, 0, 0, v.Sorry.Method, v.Sorry.Inhibit, v.Sorry.Alpha}}
	for _, r := range v.RealServers {
		got.RS = append(got.RS, rs{r.Weight, r.UThreshold, r.LThreshold, r.Method, r.Inhibit, r.Alpha})
	}
	want := got
	want.Sched, want.Flags, want.Method = SchedSH, SchedPort, KindDR
	want.Persist, want.Gran, want.Q, want.Hys = 600*time.Second, 24, 3, 1
	want.Up, want.Down, want.Omega, want.HA = true, true, true, true
	want.RS = []rs{{2, 100, 10, KindDR, false, true}, {4, 0, 0, KindNAT, true, false}}
	want.Sorry = rs{1, 0, 0, KindNAT, true, false}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestVirtualServerDefaultsAndErrors(t *testing.T) {
	tests := []struct {
		name, body string
		want       []string
		check      func(*VirtualServer) string
	}{
		{name: "keepalived's defaults, reported as it does",
			body: "virtual_server 10.0.0.1 80 {\n real_server 10.0.0.2 80 {\n }\n}\n",
			want: []string{"Virtual server [10.0.0.1]:none:80: no protocol set - defaulting to UDP",
				"Virtual server [10.0.0.1]:udp:80: no scheduler set, setting default 'wlc'",
				"Virtual server [10.0.0.1]:udp:80: no forwarding method set, setting default NAT"},
			check: func(v *VirtualServer) string {
				if v.Protocol != ProtoUDP || v.Sched != SchedWLC || v.RealServers[0].Method != KindNAT || v.Quorum != 1 {
					return "defaults not applied"
				}
				return ""
			}},
		{name: "fwmark needs no protocol",
			body: "virtual_server fwmark 7 {\n lb_algo rr\n lb_kind NAT\n real_server 10.0.0.2 80 {\n }\n}\n"},
		{name: "unknown scheduler ignored",
			body: "virtual_server 10.0.0.1 80 {\n protocol TCP\n lb_algo RR\n lb_kind NAT\n real_server 10.0.0.2 80 {\n }\n}\n",
			want: []string{"Invalid lvs_scheduler 'RR' - ignoring",
				"Virtual server [10.0.0.1]:tcp:80: no scheduler set, setting default 'wlc'"}},
		{name: "sh-port needs sh",
			body: "virtual_server 10.0.0.1 80 {\n protocol TCP\n lb_algo rr\n sh-port\n lb_kind NAT\n real_server 10.0.0.2 80 {\n }\n}\n",
			want: []string{"sh-port only applies to sh scheduler - ignoring"}},
		{name: "granularity implies persistence",
			body: "virtual_server 10.0.0.1 80 {\n protocol TCP\n lb_algo rr\n lb_kind NAT\n persistence_granularity 16\n real_server 10.0.0.2 80 {\n }\n}\n",
			check: func(v *VirtualServer) string {
				if v.PersistenceTimeout != 360*time.Second || v.PersistenceGranularity != 16 {
					return "granularity did not imply the 360 s default"
				}
				return ""
			}},
		{name: "ha_suspend cleared for fwmark",
			body: "virtual_server fwmark 1 {\n lb_algo rr\n lb_kind NAT\n ha_suspend\n real_server 10.0.0.2 80 {\n }\n}\n",
			want: []string{"Virtual server FWM 1: cannot use ha_suspend with fwmarks - clearing ha_suspend"}},
		{name: "nftables backend refuses wlc with a hint",
			body: "global_defs {\n lvs_backend nftables\n}\nvirtual_server 10.0.0.1 80 {\n protocol TCP\n lb_algo wlc\n lb_kind NAT\n real_server 10.0.0.2 80 {\n }\n}\n",
			want: []string{"virtual_server [10.0.0.1]:tcp:80: lvs_backend nftables cannot run scheduler wlc | " + nftHints[SchedWLC]}},
		{name: "nftables backend refuses TUN",
			body: "global_defs {\n lvs_backend nftables\n}\nvirtual_server 10.0.0.1 80 {\n protocol TCP\n lb_algo rr\n lb_kind TUN\n real_server 10.0.0.2 80 {\n }\n}\n",
			want: []string{"virtual_server [10.0.0.1]:tcp:80: lvs_backend nftables cannot forward by TUN (IP-in-IP encapsulation) to 10.0.0.2 | use lb_kind NAT or DR, or lvs_backend ipvs on a kernel with IPVS and ipip/gue/gre"}},
		{name: "ipvs backend takes wlc",
			body: "global_defs {\n lvs_backend ipvs\n}\nvirtual_server 10.0.0.1 80 {\n protocol TCP\n lb_algo wlc\n lb_kind TUN\n real_server 10.0.0.2 80 {\n }\n}\n"},
		{name: "nftables backend takes rr, wrr, sh, dh, mh",
			body: "global_defs {\n lvs_backend nftables\n}\nvirtual_server 10.0.0.1 80 {\n protocol TCP\n lb_algo mh\n lb_kind DR\n real_server 10.0.0.2 80 {\n }\n}\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, _, msgs := vsOf(t, tt.body)
			if diff := cmp.Diff(tt.want, msgs); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s", diff)
			}
			if tt.check != nil {
				if s := tt.check(v); s != "" {
					t.Error(s)
				}
			}
		})
	}
}

func TestLVSBackendKeyword(t *testing.T) {
	for _, b := range []LVSBackend{BackendAuto, BackendIPVS, BackendNFTables} {
		cfg, diags := LoadBytes("t.conf", []byte("global_defs {\n lvs_backend "+string(b)+"\n}\n"), Options{ConfigID: "x"})
		if len(diags) != 0 || cfg.Global.LVSBackend != b {
			t.Errorf("lvs_backend %s: got %q, diagnostics %v", b, cfg.Global.LVSBackend, diags)
		}
		listed := false
		for _, n := range cfg.Extensions {
			listed = listed || strings.HasPrefix(n.ExtensionString(), "t.conf:2:2: lvs_backend "+string(b))
		}
		if !listed {
			t.Errorf("lvs_backend %s is not listed by check -D", b)
		}
	}
	_, diags := LoadBytes("t.conf", []byte("global_defs {\n lvs_backend xdp\n}\n"), Options{ConfigID: "x"})
	if len(diags) != 1 || !strings.Contains(diags[0].Msg, `unknown data plane "xdp"`) {
		t.Errorf("bad backend: %v", diags)
	}
}
