package plan

import (
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const (
	vipOut = "192.168.1.10"
	vipIn  = "10.1.1.10"
)

// syncPlan plans the firewall pair of testdata/sync-group (A over B,
// VI_OUT on eth1 and VI_IN on eth2 in sync group FW); without the group
// when ungroup is set.
func syncPlan(t *testing.T, ungroup bool) *Plan {
	t.Helper()
	dir := "testdata/sync-group"
	if ungroup {
		tmp := t.TempDir()
		for _, name := range []string{"a.conf", "b.conf"} {
			b, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			src := string(b)
			start := strings.Index(src, "vrrp_sync_group")
			end := start + strings.Index(src[start:], "\n}\n") + 3
			if start < 0 || end < start+3 {
				t.Fatalf("%s: no vrrp_sync_group block", name)
			}
			if err := os.WriteFile(filepath.Join(tmp, name), []byte(src[:start]+src[end:]), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		dir = tmp
	}
	addrs := func(n int) []IfaceAddr {
		return []IfaceAddr{
			{Iface: "eth1", Prefix: netip.PrefixFrom(netip.AddrFrom4([4]byte{192, 168, 1, byte(n)}), 24)},
			{Iface: "eth2", Prefix: netip.PrefixFrom(netip.AddrFrom4([4]byte{10, 1, 1, byte(n)}), 24)},
		}
	}
	p := New([]NodeSpec{
		{Name: "A", Path: filepath.Join(dir, "a.conf"), Addrs: addrs(2)},
		{Name: "B", Path: filepath.Join(dir, "b.conf"), Addrs: addrs(3)},
	})
	if len(p.Problems) > 0 {
		t.Fatalf("problems: %v", p.Problems)
	}
	return p
}

// TestSyncGroupFailures: a failure of one member of the group on the
// master (its own interface), or of the group's tracked script, moves both
// VIPs to B, and the repair brings both back. Without the group only the
// failed instance's VIP moves.
func TestSyncGroupFailures(t *testing.T) {
	moved := outcomeOf{After: "B", Recovered: "A", Back: true, Moved: true}
	stayed := outcomeOf{After: "A", Recovered: "A", Back: true}
	tests := []struct {
		name      string
		ungroup   bool
		f         Failure
		out, in   outcomeOf
		wantFound bool
	}{
		{"outside interface, grouped", false, Failure{Kind: FailInterface, Node: "A", Target: "eth1"}, moved, moved, true},
		{"inside interface, grouped", false, Failure{Kind: FailInterface, Node: "A", Target: "eth2"}, moved, moved, true},
		{"group's script", false, Failure{Kind: FailScript, Node: "A", Target: "chk_fw"}, moved, moved, true},
		{"outside interface, not grouped", true, Failure{Kind: FailInterface, Node: "A", Target: "eth1"}, moved, stayed, true},
		{"inside interface, not grouped", true, Failure{Kind: FailInterface, Node: "A", Target: "eth2"}, stayed, moved, true},
		{"group's script, not grouped", true, Failure{Kind: FailScript, Node: "A", Target: "chk_fw"}, stayed, stayed, false},
	}
	plans := map[bool]*Plan{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := plans[tt.ungroup]
			if p == nil {
				p = syncPlan(t, tt.ungroup)
				plans[tt.ungroup] = p
			}
			if _, ok := p.Row(tt.f); !ok {
				if tt.wantFound {
					t.Fatalf("no failure %q tried", tt.f)
				}
				return
			} else if !tt.wantFound {
				t.Fatalf("failure %q tried, but nothing tracks it", tt.f)
			}
			for _, c := range []struct {
				vip  string
				want outcomeOf
			}{{vipOut, tt.out}, {vipIn, tt.in}} {
				if diff := cmp.Diff(c.want, rowOutcome(t, p, tt.f, c.vip)); diff != "" {
					t.Errorf("%s: %s (-want +got):\n%s", tt.f, c.vip, diff)
				}
			}
		})
	}
}

// TestSyncGroupSteady: both VIPs start on A in every order, and the grouped
// pair has no sync-group finding.
func TestSyncGroupSteady(t *testing.T) {
	p := syncPlan(t, false)
	for _, r := range p.Steady {
		for _, pl := range r.Placements {
			if !cmp.Equal(pl.Holders, []string{"A"}) {
				t.Errorf("%s after start %s: held by %v, want A", r.VIP, pl.Order, pl.Holders)
			}
		}
	}
	for _, f := range p.Findings {
		if f.Kind == FindSyncGroup {
			t.Errorf("unexpected finding %s", f)
		}
	}
}

// TestSyncGroupTrackers: a group's track_* entries apply to every member
// with their weights (cleared when a member is an address owner); a
// member's own weighted entries count only with sync_group_tracking_weight.
func TestSyncGroupTrackers(t *testing.T) {
	proc := "vrrp_track_process web {\n    process nginx\n    weight -30\n}\n"
	group := func(extra ...string) string {
		return "vrrp_sync_group G {\n    group {\n        VI\n        VJ\n    }\n    track_process {\n        web\n    }\n    track_interface {\n        eth9\n    }\n" +
			indent(extra) + "}\n"
	}
	tests := []struct {
		name string
		conf string
		want map[string]string // instance -> its trackers
	}{
		{
			name: "group weights count",
			conf: proc + group() + inst1("VI", 10, 100, "10.0.0.10") + inst1("VJ", 11, 100, "10.0.0.11"),
			want: map[string]string{"VI": "process web -30, interface eth1 0, interface eth9 0", "VJ": "process web -30, interface eth1 0, interface eth9 0"},
		},
		{
			name: "member weights ignored",
			conf: proc + "vrrp_sync_group G {\n    group {\n        VI\n        VJ\n    }\n}\n" +
				inst1("VI", 10, 100, "10.0.0.10", "track_process {", "    web", "}") + inst1("VJ", 11, 100, "10.0.0.11"),
			want: map[string]string{"VI": "process web 0, interface eth1 0", "VJ": "interface eth1 0"},
		},
		{
			name: "address owner member clears group weights",
			conf: proc + group("sync_group_tracking_weight") + inst1("VI", 10, 255, "10.0.0.10") + inst1("VJ", 11, 100, "10.0.0.11"),
			want: map[string]string{"VI": "process web 0, interface eth1 0, interface eth9 0", "VJ": "process web 0, interface eth1 0, interface eth9 0"},
		},
		{
			name: "sync_group_tracking_weight",
			conf: proc + group("sync_group_tracking_weight") + inst1("VI", 10, 100, "10.0.0.10") + inst1("VJ", 11, 100, "10.0.0.11"),
			want: map[string]string{"VI": "process web -30, interface eth1 0, interface eth9 0", "VJ": "process web -30, interface eth1 0, interface eth9 0"},
		},
		{
			name: "no group",
			conf: proc + inst1("VI", 10, 100, "10.0.0.10", "track_process {", "    web", "}") + inst1("VJ", 11, 100, "10.0.0.11"),
			want: map[string]string{"VI": "process web -30, interface eth1 0", "VJ": "interface eth1 0"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "a.conf")
			if err := os.WriteFile(path, []byte(tt.conf), 0o644); err != nil {
				t.Fatal(err)
			}
			n, probs := loadNode(NodeSpec{Name: "A", Path: path}, 0)
			if len(probs) > 0 {
				t.Fatalf("problems: %v", probs)
			}
			got := map[string]string{}
			for _, in := range n.insts {
				var ts []string
				for _, tr := range in.trackers {
					ts = append(ts, tr.kind.String()+" "+tr.name+" "+strconv.Itoa(tr.w.Value))
				}
				got[in.ci.Name] = strings.Join(ts, ", ")
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("trackers (-want +got):\n%s", diff)
			}
		})
	}
}

// groupTrackerPlan plans the firewall pair of testdata/sync-group with the
// group's track_script block replaced by trackers, after defs, and A's
// VI_OUT priority set to prioOut.
func groupTrackerPlan(t *testing.T, defs, trackers string, prioOut int) *Plan {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{"a.conf", "b.conf"} {
		b, err := os.ReadFile(filepath.Join("testdata/sync-group", name))
		if err != nil {
			t.Fatal(err)
		}
		src := string(b)
		old := "    track_script {\n        chk_fw\n    }\n"
		if !strings.Contains(src, old) {
			t.Fatalf("%s: no group track_script block", name)
		}
		src = defs + strings.Replace(src, old, trackers, 1)
		if name == "a.conf" {
			src = strings.Replace(src, "priority 150", "priority "+strconv.Itoa(prioOut), 1)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	addrs := func(n int) []IfaceAddr {
		return []IfaceAddr{
			{Iface: "eth1", Prefix: netip.PrefixFrom(netip.AddrFrom4([4]byte{192, 168, 1, byte(n)}), 24)},
			{Iface: "eth2", Prefix: netip.PrefixFrom(netip.AddrFrom4([4]byte{10, 1, 1, byte(n)}), 24)},
		}
	}
	p := New([]NodeSpec{
		{Name: "A", Path: filepath.Join(dir, "a.conf"), Addrs: addrs(2)},
		{Name: "B", Path: filepath.Join(dir, "b.conf"), Addrs: addrs(3)},
	})
	if len(p.Problems) > 0 {
		t.Fatalf("problems: %v", p.Problems)
	}
	return p
}

// TestSyncGroupWeightedTracker: keepalived's rule for a weight written on a
// sync group's own tracker. It counts in every member, with or without
// sync_group_tracking_weight: the failure of the group's process on A
// (150, B 100) lowers both members by 20 and nothing moves, or by 60 and
// both VIPs move to B by priority. When a member is an address owner
// (255) the weight is cleared, so the failure is a FAULT that moves the
// whole group.
func TestSyncGroupWeightedTracker(t *testing.T) {
	proc := "vrrp_track_process web {\n    process nginx\n    weight -5\n}\n"
	group := func(weight string, extra ...string) string {
		return "    track_process {\n        web weight " + weight + "\n    }\n" + indent(extra)
	}
	moved := outcomeOf{After: "B", Recovered: "A", Back: true, Moved: true}
	stayed := outcomeOf{After: "A", Recovered: "A", Back: true}
	tests := []struct {
		name     string
		trackers string
		prioOut  int
		want     outcomeOf // for both VIPs
	}{
		{"weight -20 keeps A", group("-20"), 150, stayed},
		{"weight -20 keeps A, sync_group_tracking_weight", group("-20", "sync_group_tracking_weight"), 150, stayed},
		{"weight -60 moves the group", group("-60"), 150, moved},
		{"address owner member: weight cleared, FAULT", group("-20"), 255, moved},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := groupTrackerPlan(t, proc, tt.trackers, tt.prioOut)
			f := Failure{Kind: FailProcess, Node: "A", Target: "web"}
			for _, vip := range []string{vipOut, vipIn} {
				got := rowOutcome(t, p, f, vip)
				got.Why = ""
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("%s (-want +got):\n%s", vip, diff)
				}
			}
		})
	}
}
