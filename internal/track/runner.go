package track

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// Script is one vrrp_script block, as the config engine produces it.
type Script struct {
	Name     string
	Cmd      Checked       // the `script` line, passed by the Gate
	Interval time.Duration // default 1 s
	Timeout  time.Duration // 0: same as Interval
	Rise     int           // default 1
	Fall     int           // default 1
	InitFail bool
}

// Result is one finished run of a script, with the tracker's state after it.
type Result struct {
	Name    string
	OK      bool
	Outcome Outcome
	State   State // tracker state after this run
	Changed bool  // State changed with this run
}

// Runner runs one Script every Interval and feeds a Tracker. A run is never
// started while the previous one is still going (that tick is skipped, not
// queued), and a hanging run never delays other Runners: each has its own
// goroutine.
type Runner struct {
	s       Script
	log     *slog.Logger
	exec    Execer
	tracker *Tracker
	report  func(Result)

	skipped   uint64
	lastErr   string // start error reported last, to report it once
	lastState State
}

// NewRunner returns a Runner for s. report is called from the Runner's
// goroutine after every run, in order; it must not block for long. exec is
// OSExec in production.
func NewRunner(s Script, exec Execer, log *slog.Logger, report func(Result)) *Runner {
	if s.Interval <= 0 {
		s.Interval = time.Second
	}
	if s.Timeout <= 0 {
		s.Timeout = s.Interval
	}
	t := NewTracker(s.Rise, s.Fall, s.InitFail)
	return &Runner{
		s: s, exec: exec, tracker: t, report: report, lastState: t.State(),
		log: log.With("script", s.Name),
	}
}

// State returns the tracker's state; call it before Run (for the initial
// state, e.g. StateDown with init_fail), not concurrently with it: Results
// carry the state from then on.
func (r *Runner) State() State { return r.tracker.State() }

// Run runs the script at once and then every Interval until ctx is done.
// On return no run of this script is left: a running one is killed.
func (r *Runner) Run(ctx context.Context) {
	results := make(chan Outcome, 1)
	running := false
	tick := time.NewTicker(r.s.Interval)
	defer tick.Stop()
	start := func() {
		if running {
			r.skipped++
			r.log.Info("track script is already running, skipping this run", "skipped", r.skipped)
			return
		}
		running = true
		go func() {
			t0 := time.Now()
			o := r.exec.Exec(ctx, Command{Script: r.s.Cmd, Timeout: r.s.Timeout})
			o.Took = time.Since(t0)
			results <- o
		}()
	}
	start()
	for {
		select {
		case <-ctx.Done():
			if running {
				<-results // Exec kills the group when ctx is done
			}
			return
		case <-tick.C:
			start()
		case o := <-results:
			running = false
			r.finish(o)
		}
	}
}

func (r *Runner) finish(o Outcome) {
	r.logOutcome(o)
	ok := o.OK()
	changed := r.tracker.Observe(ok)
	st := r.tracker.State()
	if changed {
		r.log.Info(scriptLine(r.s.Name, st, o), "from", r.lastState, "to", st, "last", o.String())
		r.lastState = st
	}
	r.report(Result{Name: r.s.Name, OK: ok, Outcome: o, State: st, Changed: changed})
}

// logOutcome reports a start failure once (again only when it changes or
// after the script started working), and timeouts and output at Debug.
func (r *Runner) logOutcome(o Outcome) {
	if o.Err != nil {
		if msg := o.Err.Error(); msg != r.lastErr {
			r.log.Warn("track script cannot run; counting it as failing", "err", o.Err)
			r.lastErr = msg
		}
		return
	}
	if r.lastErr != "" {
		r.log.Info("track script runs again")
		r.lastErr = ""
	}
	if o.TimedOut {
		r.log.Debug("track script timed out and was killed", "timeout", r.s.Timeout)
	}
	if len(o.Output) > 0 {
		r.log.Debug("track script output", "result", o.String(), "output", string(o.Output), "dropped_bytes", o.Dropped)
	}
}

// scriptLine is keepalived's line for script name reaching state st after
// outcome o: "VRRP_Script(chk) succeeded", "... failed (exited with status
// 1)", "... failed (due to signal 9)" or "... timed_out".
func scriptLine(name string, st State, o Outcome) string {
	p := "VRRP_Script(" + name + ") "
	switch {
	case st == StateUp:
		return p + "succeeded"
	case o.TimedOut:
		return p + "timed_out"
	case o.Signal != 0:
		return fmt.Sprintf("%sfailed (due to signal %d)", p, int(o.Signal))
	case o.Err == nil:
		return fmt.Sprintf("%sfailed (exited with status %d)", p, o.ExitCode)
	}
	return p + "failed"
}
