package plan

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// outcomeOf is one VIP's row reduced to words the tests compare.
type outcomeOf struct {
	After, Recovered string
	Back, Moved      bool
	Why              string
}

func rowOutcome(t *testing.T, p *Plan, f Failure, vip string) outcomeOf {
	t.Helper()
	row, ok := p.Row(f)
	if !ok {
		var have []string
		for _, r := range p.Failures {
			have = append(have, r.Failure.String())
		}
		t.Fatalf("no failure %q; have %v", f, have)
	}
	for _, v := range row.VIPs {
		if v.VIP == netip.MustParseAddr(vip) {
			return outcomeOf{After: holderWords(v.After), Recovered: holderWords(v.Recovered), Back: v.Back,
				Moved: v.Takeover != nil, Why: v.Why}
		}
	}
	t.Fatalf("no VIP %s in %q", vip, f)
	return outcomeOf{}
}

func script(name, weight string) string {
	return "vrrp_script " + name + " {\n    script \"/bin/true\"\n    weight " + weight + "\n}\n"
}

func tracks(names ...string) []string {
	out := []string{"track_script {"}
	for _, n := range names {
		out = append(out, "    "+n)
	}
	return append(out, "}")
}

func TestTrackerFailures(t *testing.T) {
	const vip = "10.0.0.10"
	tests := []struct {
		name  string
		confs []string
		f     Failure
		want  outcomeOf
	}{
		{
			name:  "negative weight moves the VIP while failing",
			confs: []string{script("chk", "-20") + inst1("VI", 10, 100, vip, tracks("chk")...), inst1("VI", 10, 90, vip)},
			f:     Failure{Kind: FailScript, Node: "A", Target: "chk"},
			want:  outcomeOf{After: "B", Recovered: "A", Back: true, Moved: true},
		},
		{
			name:  "negative weight too small keeps the VIP",
			confs: []string{script("chk", "-5") + inst1("VI", 10, 100, vip, tracks("chk")...), inst1("VI", 10, 90, vip)},
			f:     Failure{Kind: FailScript, Node: "A", Target: "chk"},
			want:  outcomeOf{After: "A", Recovered: "A", Back: true},
		},
		{
			name:  "weight 0 puts the instance in FAULT",
			confs: []string{script("chk", "0") + inst1("VI", 10, 100, vip, tracks("chk")...), inst1("VI", 10, 10, vip)},
			f:     Failure{Kind: FailScript, Node: "A", Target: "chk"},
			want:  outcomeOf{After: "B", Recovered: "A", Back: true, Moved: true},
		},
		{
			// A is 80+30 = 110 while OK, 80 when failing, below B's 90.
			name:  "positive weight is lost while failing",
			confs: []string{script("chk", "30") + inst1("VI", 10, 80, vip, tracks("chk")...), inst1("VI", 10, 90, vip)},
			f:     Failure{Kind: FailScript, Node: "A", Target: "chk"},
			want:  outcomeOf{After: "B", Recovered: "A", Back: true, Moved: true},
		},
		{
			// reverse: +30 becomes -30 while the script is OK, so B holds
			// the VIP until A's script fails.
			name:  "reverse weight",
			confs: []string{script("chk", "30 reverse") + inst1("VI", 10, 100, vip, tracks("chk")...), inst1("VI", 10, 90, vip)},
			f:     Failure{Kind: FailScript, Node: "A", Target: "chk"},
			want:  outcomeOf{After: "A", Recovered: "B", Back: true, Moved: true},
		},
		{
			name: "track_script weight overrides the script's",
			confs: []string{
				script("chk", "-5") + inst1("VI", 10, 100, vip, "track_script {", "    chk weight -50", "}"),
				inst1("VI", 10, 90, vip),
			},
			f:    Failure{Kind: FailScript, Node: "A", Target: "chk"},
			want: outcomeOf{After: "B", Recovered: "A", Back: true, Moved: true},
		},
		{
			name:  "track_interface with a weight",
			confs: []string{inst1("VI", 10, 100, vip, "track_interface {", "    eth2 weight -20", "}"), inst1("VI", 10, 90, vip)},
			f:     Failure{Kind: FailInterface, Node: "A", Target: "eth2"},
			want:  outcomeOf{After: "B", Recovered: "A", Back: true, Moved: true},
		},
		{
			name:  "own interface down is FAULT",
			confs: []string{inst1("VI", 10, 100, vip), inst1("VI", 10, 90, vip)},
			f:     Failure{Kind: FailInterface, Node: "A", Target: "eth1"},
			want:  outcomeOf{After: "B", Recovered: "A", Back: true, Moved: true},
		},
		{
			name:  "nopreempt keeps the VIP on the backup",
			confs: []string{inst1("VI", 10, 100, vip, "nopreempt"), inst1("VI", 10, 90, vip, "nopreempt")},
			f:     Failure{Kind: FailCrash, Node: "A"},
			want:  outcomeOf{After: "B", Recovered: "B", Moved: true, Why: "nopreempt on A"},
		},
		{
			name:  "no backup: nobody holds the VIP",
			confs: []string{inst1("VI", 10, 100, vip), inst1("VJ", 11, 100, "10.0.0.11")},
			f:     Failure{Kind: FailStop, Node: "A"},
			want:  outcomeOf{After: "none", Recovered: "A", Back: true, Why: "no other node can take it"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, _ := planFiles(t, tt.confs...)
			if len(p.Problems) > 0 {
				t.Fatalf("problems: %v", p.Problems)
			}
			got := rowOutcome(t, p, tt.f, vip)
			got.Why, _, _ = strings.Cut(got.Why, " (")
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tt.f, diff)
			}
		})
	}
}

// TestPreemptDelay: the VIP comes back no sooner than preempt_delay after
// the repair.
func TestPreemptDelay(t *testing.T) {
	p, _ := planFiles(t,
		script("chk", "-20")+inst1("VI", 10, 100, "10.0.0.10", append(tracks("chk"), "preempt_delay 5")...),
		inst1("VI", 10, 90, "10.0.0.10"))
	row, ok := p.Row(Failure{Kind: FailScript, Node: "A", Target: "chk"})
	if !ok || row.VIPs[0].ReturnMin == nil {
		t.Fatalf("no return time: %+v", row)
	}
	if got := time.Duration(*row.VIPs[0].ReturnMin); got < 5*time.Second {
		t.Errorf("returned after %v, before preempt_delay 5s", got)
	}
}

// TestStartOrders: three nodes are started in every order and together.
func TestStartOrders(t *testing.T) {
	p, _ := planFiles(t, inst1("VI", 10, 100, "10.0.0.10"), inst1("VI", 10, 90, "10.0.0.10"), inst1("VI", 10, 80, "10.0.0.10"))
	want := []string{"A, B, C", "A, C, B", "B, A, C", "B, C, A", "C, A, B", "C, B, A", "together"}
	if diff := cmp.Diff(want, p.Orders); diff != "" {
		t.Errorf("orders (-want +got):\n%s", diff)
	}
	for i, pl := range p.Steady[0].Placements {
		if diff := cmp.Diff([]string{"A"}, pl.Holders); diff != "" {
			t.Errorf("start %s (-want +got):\n%s", p.Orders[i], diff)
		}
	}
	// B down leaves A in place; A down hands the VIP to B, not C.
	if got := rowOutcome(t, p, Failure{Kind: FailCrash, Node: "A"}, "10.0.0.10"); got.After != "B" {
		t.Errorf("A down: held by %s, want B", got.After)
	}
}
