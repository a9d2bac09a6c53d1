package config

import (
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// syncWeightsConf is two instances in sync group G with one tracker of
// every kind on the group and on member A. Trackers: chk (vrrp_script,
// weight -20), tf (track_file, weight 3), web (vrrp_track_process, weight
// -30), b (bfd_instance, weight -40). groupExtra goes inside the group;
// prioA is A's priority.
func syncWeightsConf(groupExtra string, prioA int) string {
	return `global_defs {
 enable_script_security
}
vrrp_script chk {
 script "/bin/true"
 weight -20
}
track_file tf {
 file /tmp/tf
 weight 3
}
vrrp_track_process web {
 process nginx
 weight -30
}
bfd_instance b {
 neighbor_ip 10.0.0.9
 weight -40
}
vrrp_instance A {
 interface eth0
 virtual_router_id 1
 priority ` + strconv.Itoa(prioA) + `
 virtual_ipaddress {
  10.0.0.1
 }
 track_interface {
  eth8 weight 5
 }
 track_file {
  tf
 }
 track_process {
  web
 }
}
vrrp_instance B {
 interface eth0
 virtual_router_id 2
 virtual_ipaddress {
  10.0.0.2
 }
}
vrrp_sync_group G {
 group {
  A
  B
 }
 track_script {
  chk
 }
 track_interface {
  eth9 weight -15 reverse
 }
 track_file {
  tf
 }
 track_process {
  web weight -25
 }
 track_bfd {
  b
 }
` + groupExtra + `}
`
}

// syncWeightDiags keeps the diagnostics of the sync group weight checks.
func syncWeightDiags(diags []string) []string {
	var out []string
	for _, d := range diags {
		if strings.Contains(d, "SYNC group") || strings.Contains(d, "priority 255") {
			out = append(out, d)
		}
	}
	return out
}

// TestSyncGroupTrackerWeights: keepalived's rule for weights in a sync
// group. A member's own weighted trackers are ignored (weight 0, reported)
// unless sync_group_tracking_weight; the group's own trackers keep their
// weights either way, for every kind, except that a member with priority
// 255 clears them (reported at each entry, keeping reverse).
func TestSyncGroupTrackerWeights(t *testing.T) {
	unset := Weight{}
	zero := Weight{Set: true}
	tests := []struct {
		name       string
		extra      string
		prioA      int
		wantGroup  map[string]Weight // group entry -> its weight after loading
		wantMember map[string]Weight // A's entries
		wantDiags  []string
	}{
		{
			name:  "group weights kept",
			prioA: 100,
			wantGroup: map[string]Weight{
				"script chk": unset, "interface eth9": {Value: -15, Reverse: true, Set: true},
				"file tf": unset, "process web": {Value: -25, Set: true}, "bfd b": unset,
			},
			wantMember: map[string]Weight{"interface eth8": zero, "file tf": zero, "process web": zero},
			wantDiags: []string{
				"28:3: warning: (A) ignoring the weight of tracked eth8 due to SYNC group",
				"31:3: warning: (A) ignoring the weight of tracked file tf due to SYNC group, specify weight 0",
				"34:3: warning: (A) ignoring the weight of tracked process web due to SYNC group",
			},
		},
		{
			name:  "sync_group_tracking_weight",
			extra: " sync_group_tracking_weight\n",
			prioA: 100,
			wantGroup: map[string]Weight{
				"script chk": unset, "interface eth9": {Value: -15, Reverse: true, Set: true},
				"file tf": unset, "process web": {Value: -25, Set: true}, "bfd b": unset,
			},
			wantMember: map[string]Weight{"interface eth8": {Value: 5, Set: true}, "file tf": unset, "process web": unset},
		},
		{
			name:  "address owner member clears group weights",
			extra: " sync_group_tracking_weight\n",
			prioA: 255,
			wantGroup: map[string]Weight{
				"script chk": zero, "interface eth9": {Reverse: true, Set: true},
				"file tf": zero, "process web": zero, "bfd b": zero,
			},
			wantMember: map[string]Weight{"interface eth8": {Value: 5, Set: true}, "file tf": unset, "process web": unset},
			wantDiags: []string{
				"50:3: warning: (G) cannot have weighted track script chk with member A having priority 255, clearing the weight",
				"53:3: warning: (G) cannot have weighted track interface eth9 with member A having priority 255, clearing the weight",
				"56:3: warning: (G) cannot have weighted track file tf with member A having priority 255, clearing the weight",
				"59:3: warning: (G) cannot have weighted track process web with member A having priority 255, clearing the weight",
				"62:3: warning: (G) cannot have weighted track bfd b with member A having priority 255, clearing the weight",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, diags := load1(t, syncWeightsConf(tt.extra, tt.prioA))
			if len(cfg.SyncGroups) != 1 || cfg.Instance("A") == nil {
				t.Fatalf("want group G and instance A, got %d groups; diagnostics %v", len(cfg.SyncGroups), diags)
			}
			if diff := cmp.Diff(tt.wantDiags, syncWeightDiags(diags)); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantGroup, weightsOf(cfg.SyncGroups[0].Tracking)); diff != "" {
				t.Errorf("group weights (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantMember, weightsOf(cfg.Instance("A").Tracking)); diff != "" {
				t.Errorf("member weights (-want +got):\n%s", diff)
			}
		})
	}
}

func weightsOf(tr Tracking) map[string]Weight {
	out := map[string]Weight{}
	for _, k := range []struct {
		kind string
		refs []TrackRef
	}{{"script", tr.TrackScripts}, {"interface", tr.TrackInterfaces}, {"file", tr.TrackFiles},
		{"process", tr.TrackProcesses}, {"bfd", tr.TrackBFDs}} {
		for _, r := range k.refs {
			out[k.kind+" "+r.Name] = r.Weight
		}
	}
	return out
}

// TestSyncGroupWeightVerdict: keepalived reports the group weights it
// clears for an address owner member, but says nothing about a member's
// own track_process weight, which gokeepalived ignores with an advice only.
func TestSyncGroupWeightVerdict(t *testing.T) {
	proc := "vrrp_track_process web {\n process nginx\n weight -30\n}\n"
	member := func(name string, prio int, body string) string {
		return "vrrp_instance " + name + " {\n interface eth0\n virtual_router_id " + strconv.Itoa(prio%200) +
			"\n priority " + strconv.Itoa(prio) + "\n virtual_ipaddress {\n  10.0.0.1\n }\n" + body + "}\n"
	}
	tests := []struct {
		name string
		conf string
		want Verdict
	}{
		{"member process weight", proc + member("A", 100, " track_process {\n  web\n }\n") + member("B", 101, "") +
			"vrrp_sync_group G {\n group {\n  A\n  B\n }\n}\n", VerdictOK},
		{"group process weight", proc + member("A", 100, "") + member("B", 101, "") +
			"vrrp_sync_group G {\n group {\n  A\n  B\n }\n track_process {\n  web\n }\n}\n", VerdictOK},
		{"group process weight, owner member", proc + member("A", 255, "") + member("B", 101, "") +
			"vrrp_sync_group G {\n group {\n  A\n  B\n }\n track_process {\n  web\n }\n}\n", VerdictReported},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, diags := load1(t, tt.conf)
			if cfg.Verdict != tt.want {
				t.Errorf("verdict %v, want %v; diagnostics %v", cfg.Verdict, tt.want, diags)
			}
		})
	}
}
