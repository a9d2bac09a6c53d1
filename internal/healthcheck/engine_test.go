package healthcheck

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var t0 = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// sim drives an Engine in virtual time: every Launch is answered after
// latency with the next result of its checker's script (the last one
// repeats). It returns a transcript of the state outputs, one per line,
// with the time since start.
type sim struct {
	e       *Engine
	now     time.Time
	results map[ID][]Result
	latency time.Duration
	log     []string
	launch  map[ID][]time.Time
}

func newSim(servers []RealServer, seed uint64) *sim {
	return &sim{e: NewEngine(servers, seed), now: t0, results: map[ID][]Result{}, launch: map[ID][]time.Time{}}
}

func (s *sim) record(outs []Output) []Launch {
	var ls []Launch
	for _, o := range outs {
		switch o := o.(type) {
		case Launch:
			ls = append(ls, o)
			s.launch[o.ID] = append(s.launch[o.ID], s.now)
		default:
			s.log = append(s.log, fmt.Sprintf("%v %T%+v", s.now.Sub(t0), o, o))
		}
	}
	return ls
}

// run advances to until, answering every launch.
func (s *sim) run(until time.Time) {
	type pending struct {
		at time.Time
		id ID
	}
	var inflight []pending
	for {
		next := s.e.Deadline()
		for _, p := range inflight {
			if next.IsZero() || p.at.Before(next) {
				next = p.at
			}
		}
		if next.IsZero() || next.After(until) {
			s.now = until
			return
		}
		s.now = next
		rest := inflight[:0]
		var ready []pending
		for _, p := range inflight {
			if !p.at.After(s.now) {
				ready = append(ready, p)
			} else {
				rest = append(rest, p)
			}
		}
		inflight = rest
		for _, p := range ready {
			rs := s.results[p.id]
			r := rs[0]
			if len(rs) > 1 {
				s.results[p.id] = rs[1:]
			}
			r.Latency = s.latency
			s.record(s.e.Step(s.now, Done{ID: p.id, Result: r}))
		}
		for _, l := range s.record(s.e.Step(s.now, Tick{})) {
			inflight = append(inflight, pending{at: s.now.Add(s.latency), id: l.ID})
		}
	}
}

// simulate runs one server whose first checker answers with results.
func simulate(rs RealServer, results []Result, until time.Duration) *sim {
	s := newSim([]RealServer{rs}, 1)
	s.results[ID{0, 0}] = results
	s.record(s.e.Step(s.now, Start{}))
	s.run(t0.Add(until))
	return s
}

// grep returns the transcript lines containing sub.
func (s *sim) grep(sub string) []string {
	var out []string
	for _, l := range s.log {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return out
}

func ok() Result             { return Result{OK: true, Reason: "ok"} }
func fail(why string) Result { return Result{Reason: why} }

func tcpServer(retry int, alpha bool) RealServer {
	return RealServer{Name: "[10.0.0.1]:tcp:80", Weight: 5, Checks: []Check{{Kind: TCP,
		Timing: Timing{DelayLoop: 10 * time.Second, ConnectTimeout: 3 * time.Second, Retry: retry,
			DelayBeforeRetry: 2 * time.Second, Alpha: alpha}}}}
}

func TestEngineRules(t *testing.T) {
	tests := []struct {
		name    string
		rs      RealServer
		results []Result
		until   time.Duration
		want    []string
	}{
		{
			name: "healthy server: no transitions", rs: tcpServer(1, false),
			results: []Result{ok()}, until: time.Minute,
		},
		{
			name: "first failure at start is enough, retries or not", rs: tcpServer(3, false),
			results: []Result{fail("refused")}, until: 15 * time.Second,
			want: []string{
				"1s healthcheck.CheckerState{ID:{RS:0 Check:0} Up:false Reason:refused Retries:0 Latency:0s}",
				"1s healthcheck.ServerState{RS:0 Up:false Reason:refused Initial:false}",
			},
		},
		{
			name: "once up, retry failures are retried after delay_before_retry", rs: tcpServer(2, false),
			results: []Result{ok(), fail("timeout"), fail("timeout"), fail("timeout"), ok()}, until: 40 * time.Second,
			want: []string{
				// 1s ok, 11s fail (retry 1), 13s fail (retry 2), 15s fail -> down, 25s ok -> up
				"15s healthcheck.CheckerState{ID:{RS:0 Check:0} Up:false Reason:timeout Retries:2 Latency:0s}",
				"15s healthcheck.ServerState{RS:0 Up:false Reason:timeout Initial:false}",
				"25s healthcheck.CheckerState{ID:{RS:0 Check:0} Up:true Reason:ok Retries:0 Latency:0s}",
				"25s healthcheck.ServerState{RS:0 Up:true Reason:ok Initial:false}",
			},
		},
		{
			name: "a success between failures resets the retries", rs: tcpServer(1, false),
			results: []Result{ok(), fail("x"), ok(), fail("x"), ok()}, until: time.Minute,
		},
		{
			name: "alpha: down until the first success", rs: tcpServer(1, true),
			results: []Result{ok()}, until: 5 * time.Second,
			want: []string{
				"1s healthcheck.CheckerState{ID:{RS:0 Check:0} Up:true Reason:ok Retries:0 Latency:0s}",
				"1s healthcheck.ServerState{RS:0 Up:true Reason:ok Initial:false}",
			},
		},
		{
			name: "alpha: a first failure confirms down once", rs: tcpServer(1, true),
			results: []Result{fail("refused")}, until: 30 * time.Second,
			want: []string{"1s healthcheck.ServerState{RS:0 Up:false Reason:refused Initial:true}"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := simulate(tt.rs, tt.results, tt.until)
			if diff := cmp.Diff(tt.want, s.log); diff != "" {
				t.Errorf("transcript (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEngineSchedule(t *testing.T) {
	s := newSim([]RealServer{tcpServer(2, false)}, 1)
	s.latency = 500 * time.Millisecond
	s.results[ID{0, 0}] = []Result{ok(), fail("x"), fail("x"), fail("x"), fail("x")}
	s.record(s.e.Step(s.now, Start{}))
	s.run(t0.Add(40 * time.Second))
	var got []string
	for _, at := range s.launch[ID{0, 0}] {
		got = append(got, at.Sub(t0).String())
	}
	// delay_loop and delay_before_retry count from the end of a probe.
	want := []string{"1s", "11.5s", "14s", "16.5s", "27s", "37.5s"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("launch times (-want +got):\n%s", diff)
	}
}

func TestEngineWarmupSpreadsFirstChecks(t *testing.T) {
	var servers []RealServer
	for range 100 {
		rs := tcpServer(1, false)
		rs.Checks[0].Timing.Warmup = 10 * time.Second
		servers = append(servers, rs)
	}
	e := NewEngine(servers, 7)
	e.Step(t0, Start{})
	lo, hi := time.Duration(1<<62), time.Duration(0)
	for i := range servers {
		d := e.Checker(ID{i, 0}).Next.Sub(t0)
		lo, hi = min(lo, d), max(hi, d)
	}
	if lo < BootstrapDelay || hi > BootstrapDelay+10*time.Second || hi-lo < 5*time.Second {
		t.Errorf("first checks span [%v, %v], want spread within [1s, 11s]", lo, hi)
	}
}

func TestEngineMultipleCheckers(t *testing.T) {
	rs := tcpServer(0, false)
	rs.Checks = append(rs.Checks, rs.Checks[0])
	s := newSim([]RealServer{rs}, 3)
	s.results[ID{0, 0}] = []Result{ok(), fail("a"), ok()}
	s.results[ID{0, 1}] = []Result{ok(), ok(), fail("b"), ok()}
	s.record(s.e.Step(s.now, Start{}))
	s.run(t0.Add(time.Minute))
	var servers []string
	for _, l := range s.log {
		if strings.Contains(l, "ServerState") {
			servers = append(servers, l[strings.Index(l, "Up:"):])
		}
	}
	// down when the first checker fails, up only when no checker is down.
	want := []string{"Up:false Reason:a Initial:false}", "Up:true Reason:ok Initial:false}",
		"Up:false Reason:b Initial:false}", "Up:true Reason:ok Initial:false}"}
	if diff := cmp.Diff(want, servers); diff != "" {
		t.Errorf("server transitions (-want +got):\n%s", diff)
	}
}

func TestEngineDynamicWeight(t *testing.T) {
	rs := tcpServer(0, false)
	rs.Checks[0].Kind = Misc
	s := simulate(rs, []Result{
		{OK: true, Weight: WeightSet, N: 40}, {OK: true, Weight: WeightSet, N: 40},
		{OK: true}, fail("exit 1"), {OK: true, Weight: WeightSet, N: 0},
	}, 45*time.Second)
	got := s.grep("Weight{")
	want := []string{
		"1s healthcheck.Weight{RS:0 Weight:40}",
		"21s healthcheck.Weight{RS:0 Weight:5}", // exit 0: the configured weight
		"41s healthcheck.Weight{RS:0 Weight:0}", // exit 2: weight 0
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("weights (-want +got):\n%s", diff)
	}
}

func TestEngineFileWeightAdds(t *testing.T) {
	rs := tcpServer(0, false)
	rs.Checks[0].Kind = File
	s := simulate(rs, []Result{{OK: true, Weight: WeightAdd, N: -3}, {OK: true, Weight: WeightAdd, N: -9}}, 15*time.Second)
	if got := s.e.ServerWeight(0); got != 0 {
		t.Errorf("weight 5-9 = %d, want clamped to 0", got)
	}
	if diff := cmp.Diff([]string{"1s healthcheck.Weight{RS:0 Weight:2}", "11s healthcheck.Weight{RS:0 Weight:0}"}, s.log); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestEngineStopOmega(t *testing.T) {
	a, b := tcpServer(1, false), tcpServer(1, false)
	a.Omega = true
	e := NewEngine([]RealServer{a, b}, 1)
	e.Step(t0, Start{})
	got := fmt.Sprint(e.Step(t0, Stop{}))
	if want := "[{0 false shutdown false}]"; got != want {
		t.Errorf("Stop = %s, want %s", got, want)
	}
	if !e.Deadline().IsZero() {
		t.Errorf("Deadline after Stop = %v, want zero", e.Deadline())
	}
	if outs := e.Step(t0.Add(time.Hour), Tick{}); len(outs) != 0 {
		t.Errorf("Tick after Stop launched %v", outs)
	}
}

func TestEngineIgnoresUnaskedResults(t *testing.T) {
	e := NewEngine([]RealServer{tcpServer(0, false)}, 1)
	e.Step(t0, Start{})
	if outs := e.Step(t0, Done{ID: ID{0, 0}, Result: fail("late")}); len(outs) != 0 || !e.ServerUp(0) {
		t.Errorf("a result nobody launched changed state: %v", outs)
	}
}
