// Package runner drives a healthcheck.Engine with real probes: one loop
// goroutine owns the Engine and its timer, a fixed pool of workers runs
// the probes it launches (so 10,000 real servers never mean 10,000
// goroutines or sockets at once), and every state change goes out on a
// channel. That channel is the seam the daemon's loop plugs into.
//
// It must not decide state (the Engine does) nor touch the data plane.
package runner

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/healthcheck"
	"github.com/gokeepalived/gokeepalived/internal/healthcheck/probe"
)

// DefaultConcurrency bounds the probes in flight when Config leaves it 0.
const DefaultConcurrency = 256

// Config says what a Runner checks and how.
type Config struct {
	Servers []healthcheck.RealServer
	// Probers, when set, holds one Prober per check of every server
	// (tests); otherwise probe.New builds them with Env.
	Probers     [][]healthcheck.Prober
	Env         probe.Env
	Concurrency int    // probes in flight at most; 0: DefaultConcurrency
	Seed        uint64 // drives the warmup spread
	Log         *slog.Logger
	// EventBuffer is the capacity of the Events channel; 0: 1024.
	EventBuffer int
}

// Event is an Engine output (CheckerState, ServerState or Weight) and
// when it happened.
type Event struct {
	At     time.Time
	Output healthcheck.Output
}

// Stats counts what the Runner has done.
type Stats struct {
	Probes      int64 // probes finished
	InFlight    int64 // probes running now
	MaxInFlight int64 // most probes ever running at once
}

// Runner runs the checks of Config.Servers until its context ends.
type Runner struct {
	cfg     Config
	probers [][]healthcheck.Prober
	events  chan Event
	log     *slog.Logger

	probes, inflight, maxInflight atomic.Int64
}

type job struct {
	id     healthcheck.ID
	budget time.Duration
}

type result struct {
	id healthcheck.ID
	r  healthcheck.Result
}

// New builds the probes of every check. A checker that cannot run (its
// script refused by the gate, say) still gets a probe that fails with the
// reason, and the reason is returned among the errors.
func New(cfg Config) (*Runner, []error) {
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = DefaultConcurrency
	}
	if cfg.EventBuffer <= 0 {
		cfg.EventBuffer = 1024
	}
	r := &Runner{cfg: cfg, probers: cfg.Probers, events: make(chan Event, cfg.EventBuffer), log: cfg.Log}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	var errs []error
	if r.probers == nil {
		r.probers = make([][]healthcheck.Prober, len(cfg.Servers))
		for i := range cfg.Servers {
			s := &cfg.Servers[i]
			for j := range s.Checks {
				p, err := probe.New(&s.Checks[j], cfg.Env)
				if err != nil {
					errs = append(errs, fmt.Errorf("%s %s: %w", s.Name, s.Checks[j].Kind, err))
				}
				r.probers[i] = append(r.probers[i], p)
			}
		}
	}
	return r, errs
}

// Events returns the channel state changes arrive on. It is closed when
// Run returns.
func (r *Runner) Events() <-chan Event { return r.events }

// Stats returns the counters; safe to call at any time.
func (r *Runner) Stats() Stats {
	return Stats{Probes: r.probes.Load(), InFlight: r.inflight.Load(), MaxInFlight: r.maxInflight.Load()}
}

// Run checks until ctx ends, then stops the Engine (omega servers are
// reported down), waits for the probes in flight to return and closes
// Events. Events not taken by then are dropped once the channel is full.
func (r *Runner) Run(ctx context.Context) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	e := healthcheck.NewEngine(r.cfg.Servers, r.cfg.Seed)
	jobs := make(chan job)
	done := make(chan result, r.cfg.Concurrency)
	var wg sync.WaitGroup
	for range r.cfg.Concurrency {
		wg.Go(func() { r.work(ctx, jobs, done) })
	}
	l := loop{r: r}
	l.handle(e.Step(time.Now(), healthcheck.Start{}))
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		rearm(timer, e.Deadline())
		var jobCh chan job
		var next job
		if len(l.pending) > 0 {
			jobCh, next = jobs, l.pending[0]
		}
		var outCh chan Event
		var head Event
		if len(l.out) > 0 {
			outCh, head = r.events, l.out[0]
		}
		select {
		case <-ctx.Done():
			l.handle(e.Step(time.Now(), healthcheck.Stop{}))
			close(jobs)
			wg.Wait()
			l.flush()
			close(r.events)
			return
		case jobCh <- next:
			l.pending = l.pending[1:]
		case outCh <- head:
			l.out = l.out[1:]
		case d := <-done:
			l.handle(e.Step(time.Now(), healthcheck.Done{ID: d.id, Result: d.r}))
		case <-timer.C:
			l.handle(e.Step(time.Now(), healthcheck.Tick{}))
		}
	}
}

// work runs probes until jobs is closed. Each probe gets the check's
// budget as a deadline; the result always goes back, so the Engine never
// waits for a checker forever.
func (r *Runner) work(ctx context.Context, jobs <-chan job, done chan<- result) {
	for j := range jobs {
		n := r.inflight.Add(1)
		for m := r.maxInflight.Load(); n > m && !r.maxInflight.CompareAndSwap(m, n); m = r.maxInflight.Load() {
		}
		pctx, cancel := context.WithTimeout(ctx, j.budget)
		c := &r.cfg.Servers[j.id.RS].Checks[j.id.Check]
		res := r.probers[j.id.RS][j.id.Check].Probe(pctx, c.Target)
		cancel()
		r.inflight.Add(-1)
		r.probes.Add(1)
		if ctx.Err() != nil {
			continue // stopping: the loop no longer reads results
		}
		done <- result{id: j.id, r: res}
	}
}

// loop holds the Runner loop's queues: launches waiting for a worker and
// events waiting for the reader.
type loop struct {
	r       *Runner
	pending []job
	out     []Event
}

func (l *loop) handle(outs []healthcheck.Output) {
	now := time.Now()
	for _, o := range outs {
		switch o := o.(type) {
		case healthcheck.Launch:
			l.pending = append(l.pending, job{id: o.ID, budget: o.Budget})
		default:
			l.logOutput(o)
			l.out = append(l.out, Event{At: now, Output: o})
		}
	}
}

// flush hands what it can of the remaining events to the channel.
func (l *loop) flush() {
	for _, ev := range l.out {
		select {
		case l.r.events <- ev:
		default:
			return
		}
	}
}

func (l *loop) logOutput(o healthcheck.Output) {
	s := l.r.cfg.Servers
	switch o := o.(type) {
	case healthcheck.CheckerState:
		rs := &s[o.ID.RS]
		l.r.log.Info("checker state", "rs", rs.Name, "vs", rs.VS, "checker", rs.Checks[o.ID.Check].Kind.String(),
			"up", o.Up, "reason", o.Reason, "retries", o.Retries)
	case healthcheck.ServerState:
		l.r.log.Info("real server state", "rs", s[o.RS].Name, "vs", s[o.RS].VS, "up", o.Up, "reason", o.Reason)
	case healthcheck.Weight:
		l.r.log.Info("real server weight", "rs", s[o.RS].Name, "vs", s[o.RS].VS, "weight", o.Weight)
	}
}

func rearm(t *time.Timer, at time.Time) {
	d := time.Hour
	if !at.IsZero() {
		d = max(time.Until(at), 0)
	}
	t.Reset(d)
}
