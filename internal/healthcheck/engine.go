package healthcheck

import (
	"container/heap"
	"math"
	"math/rand/v2"
	"time"
)

// BootstrapDelay is how long after Start the first checks begin (plus a
// random share of warmup), as keepalived's scheduler does.
const BootstrapDelay = time.Second

// ID names one checker: the index of its real server and of the check
// within it, as given to NewEngine.
type ID struct {
	RS    int
	Check int
}

// Event is an input to Engine.Step: Start, Tick, Done or Stop.
type Event interface{ isEvent() }

// Start schedules every checker's first probe.
type Start struct{}

// Tick asks for the probes that are due.
type Tick struct{}

// Done is the result of a probe that a Launch asked for.
type Done struct {
	ID     ID
	Result Result
}

// Stop ends checking; real servers of an omega virtual server that are up
// are reported down.
type Stop struct{}

func (Start) isEvent() {}
func (Tick) isEvent()  {}
func (Done) isEvent()  {}
func (Stop) isEvent()  {}

// Output is what Step asks the caller to do or tells it: Launch,
// CheckerState, ServerState or Weight.
type Output interface{ isOutput() }

// Launch asks the caller to run the probe of ID and report it with Done.
// Budget bounds how long the probe may take.
type Launch struct {
	ID     ID
	Budget time.Duration
}

// CheckerState reports a checker going UP or DOWN. Retries is how many
// failures were tolerated before a DOWN.
type CheckerState struct {
	ID      ID
	Up      bool
	Reason  string
	Retries int
	Latency time.Duration
}

// ServerState reports a real server going UP or DOWN (it is up while all
// its checkers are). Initial marks the first result of an alpha checker
// confirming the server is down (keepalived notifies then too).
type ServerState struct {
	RS      int
	Up      bool
	Reason  string
	Initial bool `json:",omitempty"`
}

// Weight reports a real server's new effective weight (misc_dynamic or
// FILE_CHECK).
type Weight struct {
	RS     int
	Weight int
}

func (Launch) isOutput()       {}
func (CheckerState) isOutput() {}
func (ServerState) isOutput()  {}
func (Weight) isOutput()       {}

// CheckerStatus is a checker's state as the Engine knows it.
type CheckerStatus struct {
	Up      bool
	HasRun  bool
	Reason  string        // the last result's reason
	Latency time.Duration // the last result's latency
	Running bool          // a probe is out
	Next    time.Time     // when the next probe is due (zero while running)
}

type checker struct {
	spec    *Check
	up      bool
	hasRun  bool
	running bool
	retryIt int
	curW    int
	next    time.Time
	gen     uint32 // invalidates stale heap entries
	reason  string
	latency time.Duration
}

type server struct {
	spec    *RealServer
	checks  []checker
	failed  int // checkers not up
	weight  int // effective weight last reported
	stopped bool
}

// Engine runs keepalived's checker state rules for a set of real servers
// in virtual time. It is not safe for concurrent use.
type Engine struct {
	servers []server
	due     dueHeap
	rnd     *rand.Rand
	out     []Output
	stopped bool
}

// NewEngine returns an Engine for servers. seed drives the random warmup.
// Every checker starts UP, or DOWN with alpha; a server is up while none
// of its checkers is down.
func NewEngine(servers []RealServer, seed uint64) *Engine {
	e := &Engine{rnd: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
	e.servers = make([]server, len(servers))
	for i := range servers {
		s := &e.servers[i]
		s.spec = &servers[i]
		s.weight = servers[i].Weight
		s.checks = make([]checker, len(servers[i].Checks))
		for j := range s.checks {
			c := &s.checks[j]
			c.spec = &servers[i].Checks[j]
			c.up = !c.spec.Timing.Alpha
			// keepalived: at start one failure is enough to mark a
			// checker down, retries count only after it has been up.
			c.retryIt = c.spec.Timing.Retry
			if !c.up {
				s.failed++
			}
		}
	}
	return e
}

// ServerUp reports whether real server rs is up.
func (e *Engine) ServerUp(rs int) bool { return e.servers[rs].failed == 0 }

// ServerWeight returns real server rs's effective weight.
func (e *Engine) ServerWeight(rs int) int { return e.servers[rs].weight }

// Checker returns the state of checker id.
func (e *Engine) Checker(id ID) CheckerStatus {
	c := &e.servers[id.RS].checks[id.Check]
	st := CheckerStatus{Up: c.up, HasRun: c.hasRun, Reason: c.reason, Latency: c.latency, Running: c.running}
	if !c.running {
		st.Next = c.next
	}
	return st
}

// Deadline returns when Step(Tick) is next needed; zero when nothing is
// scheduled.
func (e *Engine) Deadline() time.Time {
	for len(e.due) > 0 {
		top := e.due[0]
		c := &e.servers[top.id.RS].checks[top.id.Check]
		if top.gen == c.gen && !c.running && !e.stopped {
			return top.at
		}
		heap.Pop(&e.due)
	}
	return time.Time{}
}

// Step applies ev at now and returns the outputs. The slice is reused by
// the next call.
func (e *Engine) Step(now time.Time, ev Event) []Output {
	e.out = e.out[:0]
	switch ev := ev.(type) {
	case Start:
		e.start(now)
	case Tick:
		e.tick(now)
	case Done:
		e.done(now, ev.ID, ev.Result)
	case Stop:
		e.stop()
	}
	return e.out
}

func (e *Engine) start(now time.Time) {
	for i := range e.servers {
		for j := range e.servers[i].checks {
			c := &e.servers[i].checks[j]
			at := now.Add(BootstrapDelay)
			if w := c.spec.Timing.Warmup; w > 0 {
				at = at.Add(time.Duration(e.rnd.Int64N(int64(w) + 1)))
			}
			e.schedule(ID{i, j}, at)
		}
	}
}

func (e *Engine) schedule(id ID, at time.Time) {
	c := &e.servers[id.RS].checks[id.Check]
	c.gen++
	c.next = at
	heap.Push(&e.due, dueEntry{at: at, id: id, gen: c.gen})
}

func (e *Engine) tick(now time.Time) {
	if e.stopped {
		return
	}
	for len(e.due) > 0 && !e.due[0].at.After(now) {
		top := heap.Pop(&e.due).(dueEntry)
		c := &e.servers[top.id.RS].checks[top.id.Check]
		if top.gen != c.gen || c.running {
			continue
		}
		c.running = true
		e.out = append(e.out, Launch{ID: top.id, Budget: c.spec.Budget()})
	}
}

// done applies keepalived's epilogue: a success resets the retries and
// marks the checker up; a failure of an up (or never run) checker is
// retried after delay_before_retry until retry is used up, then marks it
// down; a failure of a down checker changes nothing.
func (e *Engine) done(now time.Time, id ID, r Result) {
	s := &e.servers[id.RS]
	c := &s.checks[id.Check]
	if !c.running || e.stopped {
		return
	}
	c.running = false
	c.reason, c.latency = r.Reason, r.Latency
	t := &c.spec.Timing
	delay := t.DelayLoop
	switch {
	case r.OK:
		c.retryIt = 0
		e.setWeight(id, r)
		if !c.up {
			e.setChecker(id, true, r, 0)
		}
	case (c.up || !c.hasRun) && c.retryIt >= t.Retry:
		retries := c.retryIt
		if !c.hasRun {
			retries = 0
		}
		c.retryIt = 0
		e.setWeight(id, Result{})
		if c.up {
			e.setChecker(id, false, r, retries)
		} else if !c.hasRun {
			// alpha: the first failure confirms the server is down.
			e.out = append(e.out, ServerState{RS: id.RS, Up: false, Reason: r.Reason, Initial: true})
		}
	case c.up:
		c.retryIt++
		delay = t.DelayBeforeRetry
	}
	c.hasRun = true
	e.schedule(id, now.Add(delay))
}

func (e *Engine) setChecker(id ID, up bool, r Result, retries int) {
	s := &e.servers[id.RS]
	c := &s.checks[id.Check]
	c.up = up
	e.out = append(e.out, CheckerState{ID: id, Up: up, Reason: r.Reason, Retries: retries, Latency: r.Latency})
	was := s.failed == 0
	if up {
		s.failed--
	} else {
		s.failed++
	}
	if now := s.failed == 0; now != was {
		e.out = append(e.out, ServerState{RS: id.RS, Up: now, Reason: r.Reason})
	}
}

// setWeight records the checker's share of the weight after r (zero for a
// failure) and reports the server's new effective weight if it changed.
func (e *Engine) setWeight(id ID, r Result) {
	s := &e.servers[id.RS]
	c := &s.checks[id.Check]
	switch r.Weight {
	case WeightSet:
		c.curW = r.N - s.spec.Weight
	case WeightAdd:
		c.curW = r.N
	default:
		c.curW = 0
	}
	w := int64(s.spec.Weight)
	for i := range s.checks {
		w += int64(s.checks[i].curW)
	}
	w = min(max(w, 0), math.MaxInt32)
	if int(w) != s.weight {
		s.weight = int(w)
		e.out = append(e.out, Weight{RS: id.RS, Weight: s.weight})
	}
}

func (e *Engine) stop() {
	if e.stopped {
		return
	}
	e.stopped = true
	for i := range e.servers {
		s := &e.servers[i]
		if s.spec.Omega && s.failed == 0 {
			e.out = append(e.out, ServerState{RS: i, Up: false, Reason: "shutdown"})
		}
	}
}

type dueEntry struct {
	at  time.Time
	id  ID
	gen uint32
}

type dueHeap []dueEntry

func (h dueHeap) Len() int { return len(h) }
func (h dueHeap) Less(i, j int) bool {
	if !h[i].at.Equal(h[j].at) {
		return h[i].at.Before(h[j].at)
	}
	if h[i].id.RS != h[j].id.RS {
		return h[i].id.RS < h[j].id.RS
	}
	return h[i].id.Check < h[j].id.Check
}
func (h dueHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *dueHeap) Push(x any)   { *h = append(*h, x.(dueEntry)) }
func (h *dueHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
