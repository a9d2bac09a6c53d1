package director

import (
	"context"
	"net/netip"
	"sync"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/healthcheck"
)

// Status is a snapshot of the LVS half.
type Status struct {
	Backend string
	// PlaneError is why the plane refused the last state ("" when it
	// took it).
	PlaneError     string
	VirtualServers []VirtualServer
}

// VirtualServer is one virtual server's state.
type VirtualServer struct {
	Name string
	// QuorumUp is the quorum state; WeightSum the live weight it weighs
	// against Quorum ± Hysteresis.
	QuorumUp   bool
	WeightSum  int
	Quorum     int
	Hysteresis int
	// Services is how many kernel services are installed for it (0 under
	// ha_suspend while its address is elsewhere).
	Services    int
	RealServers []RealServer
}

// RealServer is one real server's state.
type RealServer struct {
	Addr     netip.AddrPort
	Up       bool
	Weight   int // effective weight (misc_dynamic, FILE_CHECK)
	Checkers []Checker
}

// Checker is the last result of one checker.
type Checker struct {
	Kind    string
	HasRun  bool
	OK      bool
	Reason  string
	Latency time.Duration
	At      time.Time
}

// Status returns the latest snapshot; safe from any goroutine.
func (d *Director) Status() Status {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.status
}

// publish refreshes Status from g.
func (d *Director) publish(g *gen, planErr error) {
	st := Status{Backend: d.cfg.Backend}
	if planErr != nil {
		st.PlaneError = planErr.Error()
	}
	installed := map[string]int{}
	for _, s := range g.core.state.Services {
		installed[s.VS]++
	}
	i := 0
	for _, v := range g.core.conf.VirtualServers {
		name := v.String()
		vs := VirtualServer{Name: fifoVS(v), QuorumUp: g.core.quorum[name], WeightSum: g.core.weightSum(v),
			Quorum: v.Quorum, Hysteresis: v.Hysteresis, Services: installed[name]}
		for range v.RealServers {
			s := g.core.servers[i]
			h := g.core.health[s.key]
			vs.RealServers = append(vs.RealServers, RealServer{Addr: s.key.Addr, Up: h.Alive, Weight: h.Weight,
				Checkers: g.results.checkers(i)})
			i++
		}
		st.VirtualServers = append(st.VirtualServers, vs)
	}
	d.mu.Lock()
	d.status = st
	d.mu.Unlock()
}

// results keeps the last result of every checker, written by the probe
// workers and read by publish.
type results struct {
	mu   sync.Mutex
	last [][]Checker
}

func newResults(hcs []healthcheck.RealServer) *results {
	r := &results{last: make([][]Checker, len(hcs))}
	for i := range hcs {
		r.last[i] = make([]Checker, len(hcs[i].Checks))
		for j, c := range hcs[i].Checks {
			r.last[i][j].Kind = c.Kind.String()
		}
	}
	return r
}

// record wraps p so that its results are kept.
func (r *results) record(i, j int, p healthcheck.Prober) healthcheck.Prober {
	return healthcheck.ProberFunc(func(ctx context.Context, t healthcheck.Target) healthcheck.Result {
		res := p.Probe(ctx, t)
		r.mu.Lock()
		c := &r.last[i][j]
		c.HasRun, c.OK, c.Reason, c.Latency, c.At = true, res.OK, res.Reason, res.Latency, time.Now()
		r.mu.Unlock()
		return res
	})
}

func (r *results) checkers(i int) []Checker {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Checker(nil), r.last[i]...)
}
