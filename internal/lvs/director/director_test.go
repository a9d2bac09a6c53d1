package director

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/healthcheck"
	"github.com/gokeepalived/gokeepalived/internal/lvs"
	"github.com/gokeepalived/gokeepalived/internal/track"
)

// lab is a Director with fake probes, plane, scripts and FIFO, in
// virtual time (run it inside synctest.Test).
type lab struct {
	t    *testing.T
	mu   sync.Mutex
	down map[netip.Addr]bool
	// states are what the plane was given, with when.
	states  []stamped
	closed  bool
	lines   []string
	scripts []string
	d       *Director
}

type stamped struct {
	at time.Time
	s  lvs.State
}

func (l *lab) Apply(s lvs.State) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.states = append(l.states, stamped{time.Now(), s})
	return nil
}

func (l *lab) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.closed = true
	return nil
}

func (l *lab) setDown(a string, down bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.down[netip.MustParseAddr(a)] = down
}

// prober fails like a server that does not answer: after connect_timeout.
func (l *lab) prober(_ *healthcheck.RealServer, c *healthcheck.Check) healthcheck.Prober {
	return healthcheck.ProberFunc(func(ctx context.Context, t healthcheck.Target) healthcheck.Result {
		l.mu.Lock()
		down := l.down[t.Addr.Addr()]
		l.mu.Unlock()
		if !down {
			return healthcheck.Result{OK: true, Latency: time.Millisecond}
		}
		select {
		case <-time.After(c.Timing.ConnectTimeout):
		case <-ctx.Done():
		}
		return healthcheck.Result{Reason: "timeout", Latency: c.Timing.ConnectTimeout}
	})
}

// wait lets d pass in virtual time, then lets every goroutine settle.
func wait(d time.Duration) {
	time.Sleep(d)
	synctest.Wait()
}

func loadConf(t *testing.T, body string) *config.Config {
	t.Helper()
	cfg, diags := config.LoadBytes("t.conf", []byte("global_defs {\n enable_script_security\n}\n"+body), config.Options{ConfigID: "x"})
	if config.HasErrors(diags) {
		t.Fatalf("config: %v", diags)
	}
	return cfg
}

func start(t *testing.T, conf *config.Config, follow bool) *lab {
	l := &lab{t: t, down: map[netip.Addr]bool{}}
	l.d = Start(Config{Conf: conf, Plane: l, Backend: "fake", NewProber: l.prober, FollowAddrs: follow,
		Script: func(s *config.Script) (track.Checked, bool) { return track.Fake(s.Cmd...), true },
		Exec: track.ExecFunc(func(_ context.Context, c track.Command) track.Outcome {
			l.mu.Lock()
			l.scripts = append(l.scripts, c.Script.String())
			l.mu.Unlock()
			return track.Outcome{}
		}),
		FIFO: func(line string) {
			l.mu.Lock()
			l.lines = append(l.lines, line)
			l.mu.Unlock()
		}})
	return l
}

// dests lists the destinations of the last state, "addr:port/weight".
func (l *lab) dests() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.states) == 0 {
		return nil
	}
	return destsOf(l.states[len(l.states)-1].s)
}

func destsOf(s lvs.State) []string {
	var out []string
	for _, svc := range s.Services {
		for _, d := range svc.Dests {
			out = append(out, fmt.Sprintf("%s:%d/%d", d.Addr, d.Port, d.Weight))
		}
	}
	return out
}

// firstWithout returns when the plane was first given a state without dest
// after since.
func (l *lab) firstWithout(since time.Time, dest string) time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, st := range l.states {
		if !st.at.Before(since) && !slices.Contains(destsOf(st.s), dest) {
			return st.at
		}
	}
	return time.Time{}
}

func (l *lab) take() (lines, scripts []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	lines, scripts = l.lines, l.scripts
	l.lines, l.scripts = nil, nil
	return lines, scripts
}

const threeRS = `virtual_server 10.0.0.100 80 {
  protocol TCP
  lb_algo rr
  lb_kind NAT
  delay_loop 3
  quorum 2
  quorum_up "/bin/quorum up"
  quorum_down "/bin/quorum down"
  %s
  sorry_server 10.0.9.9 80
  real_server 10.0.2.11 80 {
    notify_down "/bin/rs down 11"
    notify_up "/bin/rs up 11"
    TCP_CHECK {
      connect_timeout 1
      retry 1
      delay_before_retry 1
    }
  }
  real_server 10.0.2.12 80 {
    TCP_CHECK {
      connect_timeout 1
      retry 1
      delay_before_retry 1
    }
  }
  real_server 10.0.2.13 80 {
    TCP_CHECK {
      connect_timeout 1
      retry 1
      delay_before_retry 1
    }
  }
  %s
}
`

func threeConf(t *testing.T, vsOpts, extra string) *config.Config {
	return loadConf(t, fmt.Sprintf(threeRS, vsOpts, extra))
}

// TestFailedServerLeavesWithinBound kills a real server at a random
// moment of its check cycle and checks, in virtual time, that it leaves
// the plane within delay_loop + (retry+1)·connect_timeout +
// retry·delay_before_retry, is announced (FIFO line, notify_down), and
// comes back after its check passes.
func TestFailedServerLeavesWithinBound(t *testing.T) {
	const bound = 3*time.Second + 2*time.Second + 1*time.Second
	for _, offset := range []time.Duration{0, 700 * time.Millisecond, 1500 * time.Millisecond, 2900 * time.Millisecond} {
		t.Run(offset.String(), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				l := start(t, threeConf(t, "", ""), false)
				defer l.d.Stop(time.Second)
				wait(10*time.Second + offset)
				want := []string{"10.0.2.11:80/1", "10.0.2.12:80/1", "10.0.2.13:80/1"}
				if got := l.dests(); !slices.Equal(got, want) {
					t.Fatalf("before: dests %v, want %v", got, want)
				}
				l.take()
				killed := time.Now()
				l.setDown("10.0.2.11", true)
				wait(bound + time.Second)
				at := l.firstWithout(killed, "10.0.2.11:80/1")
				if at.IsZero() || at.Sub(killed) > bound {
					t.Fatalf("removed after %v (zero: never), want at most %v", at.Sub(killed), bound)
				}
				lines, scripts := l.take()
				if want := []string{"RS [10.0.2.11]:tcp:80 [10.0.0.100]:tcp:80 DOWN"}; !slices.Equal(lines, want) {
					t.Errorf("FIFO lines %q, want %q", lines, want)
				}
				if want := []string{"/bin/rs down 11"}; !slices.Equal(scripts, want) {
					t.Errorf("scripts %q, want %q", scripts, want)
				}
				l.setDown("10.0.2.11", false)
				wait(4 * time.Second) // delay_loop + a check
				if got := l.dests(); !slices.Equal(got, want) {
					t.Errorf("after recovery: dests %v, want %v", got, want)
				}
				if lines, _ := l.take(); !slices.Contains(lines, "RS [10.0.2.11]:tcp:80 [10.0.0.100]:tcp:80 UP") {
					t.Errorf("recovery lines %q lack RS UP", lines)
				}
			})
		})
	}
}

// TestQuorumAndSorryServer takes the servers down one by one: below
// quorum 2 the sorry server replaces the pool, quorum_down runs and the
// FIFO says VS DOWN; one server back brings the quorum up again.
func TestQuorumAndSorryServer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := start(t, threeConf(t, "", ""), false)
		defer l.d.Stop(time.Second)
		time.Sleep(5 * time.Second)
		l.setDown("10.0.2.11", true)
		l.setDown("10.0.2.12", true)
		wait(10 * time.Second)
		if got, want := l.dests(), []string{"10.0.9.9:80/1"}; !slices.Equal(got, want) {
			t.Fatalf("below quorum: dests %v, want %v", got, want)
		}
		lines, scripts := l.take()
		if !slices.Contains(lines, "VS [10.0.0.100]:tcp:80 DOWN") || !slices.Contains(scripts, "/bin/quorum down") {
			t.Errorf("quorum down not announced: lines %q scripts %q", lines, scripts)
		}
		st := l.d.Status()
		if vs := st.VirtualServers[0]; vs.QuorumUp || vs.WeightSum != 1 || vs.RealServers[0].Up || !vs.RealServers[2].Up {
			t.Errorf("status %+v", vs)
		}
		if c := st.VirtualServers[0].RealServers[0].Checkers[0]; !c.HasRun || c.OK || c.Reason != "timeout" || c.Latency != time.Second {
			t.Errorf("checker status %+v", c)
		}
		l.setDown("10.0.2.12", false)
		wait(5 * time.Second)
		if got, want := l.dests(), []string{"10.0.2.12:80/1", "10.0.2.13:80/1"}; !slices.Equal(got, want) {
			t.Errorf("quorum back: dests %v, want %v", got, want)
		}
		lines, scripts = l.take()
		if !slices.Contains(lines, "VS [10.0.0.100]:tcp:80 UP") || !slices.Contains(scripts, "/bin/quorum up") {
			t.Errorf("quorum up not announced: lines %q scripts %q", lines, scripts)
		}
	})
}

// TestHASuspendFollowsAddrs installs the service only while the VIP is
// held, and the checkers' findings carry across.
func TestHASuspendFollowsAddrs(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := start(t, threeConf(t, "ha_suspend", ""), true)
		defer l.d.Stop(time.Second)
		wait(5 * time.Second)
		if got := l.dests(); got != nil {
			t.Fatalf("VIP not held: dests %v, want none", got)
		}
		if n := l.d.Status().VirtualServers[0].Services; n != 0 {
			t.Errorf("status services %d, want 0", n)
		}
		l.d.SetAddrs(map[netip.Addr]bool{netip.MustParseAddr("10.0.0.100"): true})
		synctest.Wait()
		if got := l.dests(); len(got) != 3 {
			t.Fatalf("VIP held: dests %v, want the three servers", got)
		}
		l.d.SetAddrs(map[netip.Addr]bool{})
		synctest.Wait()
		if got := l.dests(); got != nil {
			t.Errorf("VIP gone: dests %v, want none", got)
		}
	})
}

// TestReloadByDifference adds a fourth real server: the survivors keep
// their state (a failed one stays out and is not announced again), the
// new one joins, and nothing else is announced.
func TestReloadByDifference(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := start(t, threeConf(t, "", ""), false)
		defer l.d.Stop(time.Second)
		time.Sleep(3 * time.Second)
		l.setDown("10.0.2.13", true)
		wait(10 * time.Second)
		l.take()
		n := len(l.states)
		l.d.Reload(threeConf(t, "", "real_server 10.0.2.14 80 {\n TCP_CHECK {\n connect_timeout 1\n }\n}"))
		synctest.Wait()
		want := []string{"10.0.2.11:80/1", "10.0.2.12:80/1", "10.0.2.14:80/1"}
		l.mu.Lock()
		for _, st := range l.states[n:] {
			if got := destsOf(st.s); !slices.Equal(got, want) {
				t.Errorf("during reload: dests %v, want %v", got, want)
			}
		}
		l.mu.Unlock()
		// The survivor recovers before its first check under the new
		// configuration: it must still come back (it restarts down).
		l.setDown("10.0.2.13", false)
		wait(10 * time.Second)
		if got := l.dests(); len(got) != 4 {
			t.Errorf("survivor back: dests %v, want four", got)
		}
		if lines, scripts := l.take(); !slices.Equal(lines, []string{"RS [10.0.2.13]:tcp:80 [10.0.0.100]:tcp:80 UP"}) || len(scripts) != 0 {
			t.Errorf("reload announced %q %q, want only the survivor's UP", lines, scripts)
		}
	})
}

// TestStopOmega: at stop, real servers of an omega virtual server are
// announced down, and the plane removes its state.
func TestStopOmega(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := start(t, threeConf(t, "omega", ""), false)
		wait(5 * time.Second)
		l.take()
		l.d.Stop(time.Second)
		lines, scripts := l.take()
		if !slices.Contains(lines, "RS [10.0.2.11]:tcp:80 [10.0.0.100]:tcp:80 DOWN") || !slices.Contains(scripts, "/bin/rs down 11") ||
			!slices.Contains(lines, "VS [10.0.0.100]:tcp:80 DOWN") {
			t.Errorf("omega stop: lines %q scripts %q", lines, scripts)
		}
		if !l.closed {
			t.Error("plane not closed at stop")
		}
	})
}

func TestFIFONames(t *testing.T) {
	c := loadConf(t, `virtual_server_group G {
  10.0.0.1 80
}
virtual_server group G {
  protocol TCP
  lb_algo rr
  lb_kind NAT
  real_server 10.0.0.2 80 {
  }
}
virtual_server fwmark 7 {
  lb_algo rr
  lb_kind NAT
  real_server 10.0.0.2 80 {
  }
}`)
	var got []string
	for _, v := range c.VirtualServers {
		got = append(got, fifoVS(v))
	}
	if want := "[G]:0 FWM 7"; strings.Join(got, " ") != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestOpenPlaneFailsClosed: lvs_backend ipvs on a kernel without IPVS is
// an error saying why, never a silent fallback to nftables.
func TestOpenPlaneFailsClosed(t *testing.T) {
	if _, err := os.Stat("/proc/net/ip_vs"); err == nil {
		t.Skip("this kernel has IPVS: the failure cannot be shown here")
	}
	p, _, err := OpenPlane(config.BackendIPVS)
	if err == nil || p != nil || !strings.Contains(err.Error(), "lvs_backend ipvs: IPVS not available: /proc/net/ip_vs is absent") {
		t.Errorf("OpenPlane(ipvs) = %v, %v; want a refusal naming /proc/net/ip_vs", p, err)
	}
	if _, _, err := OpenPlane("xdp"); err == nil {
		t.Error("unknown backend accepted")
	}
}
