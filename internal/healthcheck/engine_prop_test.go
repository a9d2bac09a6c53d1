package healthcheck

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// TestEngineProperties drives random servers with random, flapping probe
// results in virtual time and checks keepalived's rules hold on every
// seed: no transition without a probe result that causes it, a checker
// goes down only after retry+1 consecutive failures (one at start), up
// only on a success, a server is up exactly while all its checkers are,
// one probe at a time per checker, and no probe earlier than its delay.
func TestEngineProperties(t *testing.T) {
	seeds := 2000
	if testing.Short() {
		seeds = 200
	}
	for seed := range uint64(seeds) {
		if err := checkSeed(seed); err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
	}
}

type propChecker struct {
	spec     *Check
	up       bool
	hasRun   bool
	fails    int // consecutive failures
	inflight bool
	lastDone time.Time
	lastOK   bool
	launchAt time.Time
}

func checkSeed(seed uint64) error {
	rnd := rand.New(rand.NewPCG(seed, 1))
	var servers []RealServer
	for range 1 + rnd.IntN(4) {
		rs := RealServer{Weight: 1 + rnd.IntN(10)}
		for range 1 + rnd.IntN(3) {
			rs.Checks = append(rs.Checks, Check{Kind: TCP, Timing: Timing{
				DelayLoop: time.Duration(1+rnd.IntN(10)) * time.Second, ConnectTimeout: time.Second,
				Retry: rnd.IntN(4), DelayBeforeRetry: time.Duration(rnd.IntN(3000)) * time.Millisecond,
				Warmup: time.Duration(rnd.IntN(5)) * time.Second, Alpha: rnd.IntN(3) == 0}})
		}
		servers = append(servers, rs)
	}
	e := NewEngine(servers, seed)
	model := make([][]propChecker, len(servers))
	for i := range servers {
		for j := range servers[i].Checks {
			c := &servers[i].Checks[j]
			model[i] = append(model[i], propChecker{spec: c, up: !c.Timing.Alpha})
		}
	}
	serverUp := func(i int) bool {
		for _, c := range model[i] {
			if !c.up {
				return false
			}
		}
		return true
	}
	type flight struct {
		at time.Time
		id ID
	}
	var inflight []flight
	now := t0
	if outs := e.Step(now, Start{}); len(outs) != 0 {
		return fmt.Errorf("Start output %v", outs)
	}
	pFail := rnd.Float64()
	for step := 0; step < 1000; step++ {
		next := e.Deadline()
		for _, f := range inflight {
			if next.IsZero() || f.at.Before(next) {
				next = f.at
			}
		}
		if next.IsZero() {
			return fmt.Errorf("nothing scheduled")
		}
		if next.Before(now) {
			return fmt.Errorf("deadline %v in the past (now %v)", next, now)
		}
		now = next
		if len(inflight) > 0 && !inflight[0].at.After(now) {
			f := inflight[0]
			inflight = inflight[1:]
			m := &model[f.id.RS][f.id.Check]
			r := Result{OK: rnd.Float64() >= pFail, Reason: fmt.Sprint("r", step)}
			wasUp, checkerWasUp := serverUp(f.id.RS), m.up
			outs := e.Step(now, Done{ID: f.id, Result: r})
			m.inflight = false
			if r.OK {
				m.fails = 0
			} else {
				m.fails++
			}
			for _, o := range outs {
				switch o := o.(type) {
				case CheckerState:
					if o.ID != f.id {
						return fmt.Errorf("result of %v changed checker %v", f.id, o.ID)
					}
					if o.Up == m.up {
						return fmt.Errorf("%v: transition to the state it was in (%v)", o.ID, o.Up)
					}
					if o.Up && !r.OK {
						return fmt.Errorf("%v up on a failure", o.ID)
					}
					if !o.Up {
						need := m.spec.Timing.Retry + 1
						if !m.hasRun {
							need = 1
						}
						if r.OK || m.fails < need {
							return fmt.Errorf("%v down after %d failures, want %d", o.ID, m.fails, need)
						}
					}
					m.up = o.Up
				case ServerState:
					if o.RS != f.id.RS {
						return fmt.Errorf("result of %v changed server %d", f.id, o.RS)
					}
					if o.Initial {
						if o.Up || m.hasRun || !m.spec.Timing.Alpha {
							return fmt.Errorf("initial %+v not from a first alpha failure", o)
						}
						continue
					}
					if o.Up == wasUp {
						return fmt.Errorf("server %d: transition to the state it was in", o.RS)
					}
				case Weight:
				default:
					return fmt.Errorf("Done output %T", o)
				}
			}
			if checkerWasUp && m.hasRun && !r.OK && m.fails <= m.spec.Timing.Retry && !m.up {
				return fmt.Errorf("%v: down after %d failures with retry %d", f.id, m.fails, m.spec.Timing.Retry)
			}
			if checkerWasUp && !r.OK && m.fails > m.spec.Timing.Retry && m.up {
				return fmt.Errorf("%v: still up after %d failures with retry %d", f.id, m.fails, m.spec.Timing.Retry)
			}
			m.hasRun, m.lastDone, m.lastOK = true, now, r.OK
			for i := range servers {
				if e.ServerUp(i) != serverUp(i) {
					return fmt.Errorf("server %d: engine says up=%v, its checkers say %v", i, e.ServerUp(i), serverUp(i))
				}
			}
			continue
		}
		for _, o := range e.Step(now, Tick{}) {
			l, ok := o.(Launch)
			if !ok {
				return fmt.Errorf("Tick output %T: a transition without a result", o)
			}
			m := &model[l.ID.RS][l.ID.Check]
			if m.inflight {
				return fmt.Errorf("%v launched while its probe is out", l.ID)
			}
			if m.hasRun {
				gap := now.Sub(m.lastDone)
				min := m.spec.Timing.DelayLoop
				if !m.lastOK && m.up && m.fails > 0 {
					min = m.spec.Timing.DelayBeforeRetry
				}
				if gap < min {
					return fmt.Errorf("%v launched %v after its last result, delay is %v", l.ID, gap, min)
				}
			}
			m.inflight = true
			lat := time.Duration(rnd.IntN(1500)) * time.Millisecond
			inflight = append(inflight, flight{at: now.Add(lat), id: l.ID})
			sortFlights(inflight, func(a, b int) bool { return inflight[a].at.Before(inflight[b].at) })
		}
	}
	return nil
}

func sortFlights[T any](s []T, less func(a, b int) bool) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && less(j, j-1); j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}
