package track

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestTracker(t *testing.T) {
	tests := []struct {
		name       string
		rise, fall int
		initFail   bool
		runs       string // o = ok, x = fail
		want       string // state letter after each run: I, U, D
	}{
		{"first success is enough", 3, 3, false, "o", "U"},
		{"first failure is enough", 3, 3, false, "x", "D"},
		{"fall counts consecutive failures", 1, 3, false, "oxxoxxx", "UUUUUUD"},
		{"rise counts consecutive successes", 3, 1, false, "xooxooo", "DDDDDDU"},
		{"init_fail needs rise successes", 2, 1, true, "oo", "DU"},
		{"init_fail starts down and stays down", 2, 2, true, "x", "D"},
		{"rise 1 fall 1 flips every time", 1, 1, false, "oxox", "UDUD"},
		{"zero rise and fall act as one", 0, 0, false, "ox", "UD"},
	}
	letter := map[State]string{StateInit: "I", StateUp: "U", StateDown: "D"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := NewTracker(tt.rise, tt.fall, tt.initFail)
			got := ""
			for _, c := range tt.runs {
				tr.Observe(c == 'o')
				got += letter[tr.State()]
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("states (-want +got):\n%s", diff)
			}
		})
	}
}

func TestTrackerChanged(t *testing.T) {
	tr := NewTracker(2, 2, false)
	var got []bool
	for _, ok := range []bool{true, true, false, false, false, true, true} {
		got = append(got, tr.Observe(ok))
	}
	want := []bool{true, false, false, true, false, false, true}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("changed (-want +got):\n%s", diff)
	}
	if tr.State() != StateUp {
		t.Errorf("final state %v, want UP", tr.State())
	}
}

func TestStateString(t *testing.T) {
	got := []string{StateInit.String(), StateUp.String(), StateDown.String(), State(0).String()}
	want := []string{"INIT", "UP", "DOWN", "State(0)"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
