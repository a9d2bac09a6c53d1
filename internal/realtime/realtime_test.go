package realtime

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gokeepalived/gokeepalived/internal/config"
)

// TestApply checks which calls each setting makes, in
// keepalived's order, and that a failure is logged and the rest go on.
func TestApply(t *testing.T) {
	u := func(v uint64) *uint64 { return &v }
	tests := []struct {
		name    string
		r       config.Realtime
		failRR  bool
		want    []string
		wantLog string
	}{
		{name: "none", r: config.Realtime{}},
		{name: "priority takes the default rttime", r: config.Realtime{Priority: 10},
			want: []string{"lockThread", "setRR 10", "rttime 10000", "watchXCPU"}},
		{name: "all", r: config.Realtime{Priority: 99, NoSwap: true, CPUs: []int{1}, RlimitRTTime: u(4000)},
			want: []string{"lockThread", "setRR 99", "rttime 4000", "watchXCPU", "lockMemory", "affinity [1]"}},
		{name: "rttime 0 leaves the limit", r: config.Realtime{Priority: 1, RlimitRTTime: u(0)},
			want: []string{"lockThread", "setRR 1"}},
		{name: "rttime alone does nothing", r: config.Realtime{RlimitRTTime: u(5000)}},
		{name: "failed priority: no rttime, the rest applied", r: config.Realtime{Priority: 5, NoSwap: true}, failRR: true,
			want: []string{"lockThread", "setRR 5", "lockMemory"}, wantLog: "cannot raise priority"},
	}
	saved := osCalls
	t.Cleanup(func() { osCalls = saved })
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			rec := func(s string) { got = append(got, s) }
			osCalls.lockThread = func() { rec("lockThread") }
			osCalls.setRR = func(p int) error {
				rec(fmt.Sprint("setRR ", p))
				if tt.failRR {
					return errors.New("EPERM")
				}
				return nil
			}
			osCalls.rttime = func(l uint64) error { rec(fmt.Sprint("rttime ", l)); return nil }
			osCalls.lockMemory = func() error { rec("lockMemory"); return nil }
			osCalls.affinity = func(c []int) error { rec(fmt.Sprint("affinity ", c)); return nil }
			osCalls.watchXCPU = func(chan<- os.Signal) { rec("watchXCPU") }
			var logs bytes.Buffer
			Apply(slog.New(slog.NewTextHandler(&logs, nil)), tt.r)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("calls (-want +got):\n%s", diff)
			}
			if !strings.Contains(logs.String(), tt.wantLog) || (tt.wantLog == "" && logs.Len() > 0) {
				t.Errorf("log %q, want %q", logs.String(), tt.wantLog)
			}
		})
	}
}

// TestBudget: Spend sleeps once an eighth of the hard limit (a quarter of
// the soft one, where SIGXCPU comes) has passed since it last slept, and
// not before; a nil Budget does nothing.
func TestBudget(t *testing.T) {
	now := time.Unix(1000, 0)
	b := newBudget(10000) // keepalived's default vrrp_rlimit_rttime
	b.last, b.now = now, func() time.Time { return now }
	slept := 0
	b.sleep = func() { slept++ }
	for _, step := range []struct {
		advance time.Duration
		want    int
	}{
		{time.Millisecond, 0},        // 1 ms since the last sleep
		{250 * time.Microsecond, 1},  // 1.25 ms: an eighth of 10 ms
		{1200 * time.Microsecond, 1}, // 1.2 ms since that sleep
		{100 * time.Microsecond, 2},  // 1.3 ms
		{10 * time.Millisecond, 3},   // a long gap: one sleep, not several
		{0, 3},
	} {
		now = now.Add(step.advance)
		b.Spend()
		if slept != step.want {
			t.Fatalf("after +%v: slept %d times, want %d", step.advance, slept, step.want)
		}
	}
	if b.Slept != 3 {
		t.Errorf("Slept = %d, want 3", b.Slept)
	}
	var none *Budget
	none.Spend() // must not panic
}

// TestApplyBudget: Apply returns a Budget only when a real-time limit is in
// force (a priority, and the rlimit set).
func TestApplyBudget(t *testing.T) {
	saved := osCalls
	t.Cleanup(func() { osCalls = saved })
	osCalls.lockThread = func() {}
	osCalls.setRR = func(int) error { return nil }
	osCalls.rttime = func(uint64) error { return nil }
	osCalls.watchXCPU = func(chan<- os.Signal) {}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if b := Apply(log, config.Realtime{}); b != nil {
		t.Errorf("no priority: Budget %v, want nil", b)
	}
	if b := Apply(log, config.Realtime{Priority: 20}); b == nil || b.every != 1250*time.Microsecond {
		t.Errorf("priority 20: Budget %+v, want one sleeping every 1.25 ms", b)
	}
	osCalls.rttime = func(uint64) error { return errors.New("EPERM") }
	if b := Apply(log, config.Realtime{Priority: 20}); b != nil {
		t.Errorf("rlimit not set: Budget %v, want nil", b)
	}
}
