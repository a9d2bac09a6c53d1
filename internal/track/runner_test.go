package track

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
)

func discardLog() *slog.Logger { return slog.New(slog.DiscardHandler) }

// fakeExec answers each run with the next outcome after its delay.
type fakeExec struct {
	mu     sync.Mutex
	steps  []fakeStep
	starts []time.Duration // start times since t0
	t0     time.Time
}

type fakeStep struct {
	delay time.Duration
	out   Outcome
	hang  bool
}

func (f *fakeExec) Exec(ctx context.Context, c Command) Outcome {
	f.mu.Lock()
	f.starts = append(f.starts, time.Since(f.t0))
	st := fakeStep{out: Outcome{ExitCode: 0}}
	if len(f.steps) > 0 {
		st, f.steps = f.steps[0], f.steps[1:]
	}
	f.mu.Unlock()
	if st.hang {
		<-ctx.Done()
		return Outcome{ExitCode: -1, TimedOut: true}
	}
	select {
	case <-time.After(st.delay):
		return st.out
	case <-ctx.Done():
		return Outcome{ExitCode: -1, TimedOut: true}
	}
}

func TestRunnerSkipsLateRuns(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &fakeExec{t0: time.Now(), steps: []fakeStep{{delay: 2500 * time.Millisecond}}}
		ctx, cancel := context.WithCancel(context.Background())
		r := NewRunner(Script{Name: "chk", Interval: time.Second}, f, discardLog(), func(Result) {})
		done := make(chan struct{})
		go func() { r.Run(ctx); close(done) }()
		time.Sleep(5500 * time.Millisecond)
		cancel()
		<-done
		// 0 s: starts and runs 2.5 s; ticks at 1 s and 2 s are skipped;
		// then one run per tick.
		want := []time.Duration{0, 3 * time.Second, 4 * time.Second, 5 * time.Second}
		if diff := cmp.Diff(want, f.starts); diff != "" {
			t.Errorf("start times (-want +got):\n%s", diff)
		}
	})
}

func TestRunnerResults(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fail := Outcome{ExitCode: 1}
		okk := Outcome{ExitCode: 0}
		f := &fakeExec{t0: time.Now(), steps: []fakeStep{{out: okk}, {out: fail}, {out: fail}, {out: okk}, {out: okk}}}
		ctx, cancel := context.WithCancel(context.Background())
		type res struct {
			OK      bool
			State   State
			Changed bool
		}
		var got []res
		r := NewRunner(Script{Name: "chk", Interval: time.Second, Rise: 2, Fall: 2}, f, discardLog(), func(r Result) {
			got = append(got, res{r.OK, r.State, r.Changed})
		})
		done := make(chan struct{})
		go func() { r.Run(ctx); close(done) }()
		time.Sleep(4500 * time.Millisecond)
		cancel()
		<-done
		want := []res{
			{true, StateUp, true},
			{false, StateUp, false},
			{false, StateDown, true},
			{true, StateDown, false},
			{true, StateUp, true},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("results (-want +got):\n%s", diff)
		}
	})
}

func TestRunnerHangingScriptDoesNotBlockOthers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		hang := &fakeExec{t0: time.Now(), steps: []fakeStep{{hang: true}}}
		fine := &fakeExec{t0: time.Now()}
		ctx, cancel := context.WithCancel(context.Background())
		var mu sync.Mutex
		counts := map[string]int{}
		report := func(r Result) { mu.Lock(); counts[r.Name]++; mu.Unlock() }
		var wg sync.WaitGroup
		for _, r := range []*Runner{
			NewRunner(Script{Name: "hang", Interval: time.Second, Timeout: time.Hour}, hang, discardLog(), report),
			NewRunner(Script{Name: "fine", Interval: time.Second}, fine, discardLog(), report),
		} {
			wg.Go(func() { r.Run(ctx) })
		}
		time.Sleep(10*time.Second + time.Millisecond)
		cancel()
		wg.Wait()
		// The hanging run is killed by cancel and never reported.
		if diff := cmp.Diff(map[string]int{"fine": 11}, counts); diff != "" {
			t.Errorf("results per script (-want +got):\n%s", diff)
		}
	})
}

func TestRunnerReportsStartFailureOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		missing := Outcome{ExitCode: -1, Err: errors.New("start /x: no such file or directory")}
		f := &fakeExec{t0: time.Now(), steps: []fakeStep{{out: missing}, {out: missing}, {out: missing}, {out: Outcome{}}, {out: missing}}}
		var buf bytes.Buffer
		log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo}))
		var oks []bool
		ctx, cancel := context.WithCancel(context.Background())
		r := NewRunner(Script{Name: "chk", Cmd: Fake("/x"), Interval: time.Second}, f, log, func(r Result) { oks = append(oks, r.OK) })
		done := make(chan struct{})
		go func() { r.Run(ctx); close(done) }()
		time.Sleep(4500 * time.Millisecond)
		cancel()
		<-done
		if diff := cmp.Diff([]bool{false, false, false, true, false}, oks); diff != "" {
			t.Errorf("ok per run (-want +got):\n%s", diff)
		}
		// Reported at the first failure and again after it had recovered.
		if n := strings.Count(buf.String(), "cannot run"); n != 2 {
			t.Errorf("start failure reported %d times, want 2; log:\n%s", n, buf.String())
		}
	})
}

func TestRunnerRealScripts(t *testing.T) {
	// A real hanging script must not delay a real fast one.
	hang := writeScript(t, "sleep 60")
	fast := writeScript(t, "exit 0")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	results := make(chan Result, 100)
	report := func(r Result) { results <- r }
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	for _, s := range []Script{
		{Name: "hang", Cmd: raw(hang), Interval: 50 * time.Millisecond, Timeout: time.Hour},
		{Name: "fast", Cmd: raw(fast), Interval: 50 * time.Millisecond},
	} {
		r := NewRunner(s, OSExec, discardLog(), report)
		wg.Go(func() { r.Run(ctx) })
	}
	fastRuns := 0
	deadline := time.After(30 * time.Second)
	for fastRuns < 5 {
		select {
		case r := <-results:
			if r.Name == "hang" {
				t.Fatalf("hanging script reported a result: %+v", r)
			}
			if !r.OK {
				t.Fatalf("fast script failed: %v", r.Outcome)
			}
			fastRuns++
		case <-deadline:
			t.Fatalf("only %d fast runs while the other script hangs", fastRuns)
		}
	}
}

// TestRunnerStartFailureCountsTowardsFall: a run that cannot start (the
// script vanished after the start-up check) is one failed run: with fall 3
// an UP script goes DOWN at the third, not at the first.
func TestRunnerStartFailureCountsTowardsFall(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		gone := Outcome{ExitCode: -1, Err: errors.New("start /x: no such file or directory")}
		f := &fakeExec{t0: time.Now(), steps: []fakeStep{{out: Outcome{}}, {out: gone}, {out: gone}, {out: gone}}}
		var states []State
		ctx, cancel := context.WithCancel(context.Background())
		r := NewRunner(Script{Name: "chk", Cmd: Fake("/x"), Interval: time.Second, Fall: 3}, f, discardLog(),
			func(r Result) { states = append(states, r.State) })
		done := make(chan struct{})
		go func() { r.Run(ctx); close(done) }()
		time.Sleep(3500 * time.Millisecond)
		cancel()
		<-done
		if diff := cmp.Diff([]State{StateUp, StateUp, StateUp, StateDown}, states); diff != "" {
			t.Errorf("state per run (-want +got):\n%s", diff)
		}
	})
}

// A script's state change is logged in keepalived's words, so alerts on
// "VRRP_Script(chk) failed" keep working.
func TestScriptLine(t *testing.T) {
	tests := []struct {
		st   State
		o    Outcome
		want string
	}{
		{StateUp, Outcome{}, "VRRP_Script(chk) succeeded"},
		{StateDown, Outcome{ExitCode: 1}, "VRRP_Script(chk) failed (exited with status 1)"},
		{StateDown, Outcome{ExitCode: -1, Signal: syscall.SIGKILL}, "VRRP_Script(chk) failed (due to signal 9)"},
		{StateDown, Outcome{ExitCode: -1, TimedOut: true, Signal: syscall.SIGKILL}, "VRRP_Script(chk) timed_out"},
		{StateDown, Outcome{ExitCode: -1, Err: errors.New("no such file")}, "VRRP_Script(chk) failed"},
	}
	for _, tt := range tests {
		if got := scriptLine("chk", tt.st, tt.o); got != tt.want {
			t.Errorf("scriptLine(chk, %v, %v) = %q, want %q", tt.st, tt.o, got, tt.want)
		}
	}
}

// A tracked process's state change is logged in keepalived's words.
func TestQuorumLine(t *testing.T) {
	tests := []struct {
		st   State
		want string
	}{
		{StateUp, "Quorum gained for tracked process nginx"},
		{StateDown, "Quorum lost for tracked process nginx"},
	}
	for _, tt := range tests {
		if got := quorumLine("nginx", tt.st); got != tt.want {
			t.Errorf("quorumLine(nginx, %v) = %q, want %q", tt.st, got, tt.want)
		}
	}
}
