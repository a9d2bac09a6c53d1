package runner

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/healthcheck"
	"github.com/gokeepalived/gokeepalived/internal/healthcheck/probe"
	"github.com/gokeepalived/gokeepalived/internal/track"
)

func fast(kind healthcheck.Kind, addr netip.AddrPort) healthcheck.Check {
	return healthcheck.Check{Kind: kind, Target: healthcheck.Target{Addr: addr},
		Timing: healthcheck.Timing{DelayLoop: 100 * time.Millisecond, ConnectTimeout: 300 * time.Millisecond,
			DelayBeforeRetry: 50 * time.Millisecond}}
}

func listen(t *testing.T, serve func(net.Conn)) netip.AddrPort {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go serve(c)
		}
	}()
	return netip.MustParseAddrPort(l.Addr().String())
}

func fds() int {
	es, _ := os.ReadDir("/proc/self/fd")
	return len(es)
}

// TestRunnerRealProbes runs real probes against loopback servers, one
// healthy and four faulty, and a script that hangs: each faulty one is
// reported down with its reason, the healthy one never, and when the
// runner stops no goroutine or descriptor is left.
func TestRunnerRealProbes(t *testing.T) {
	g0, f0 := runtime.NumGoroutine(), fds()
	t.Cleanup(func() { // runs last, after the listeners closed
		var g, f int
		for range 100 {
			if g, f = runtime.NumGoroutine(), fds(); g <= g0+1 && f <= f0 { // +1: track's process spawner
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
		t.Errorf("leak after Run: goroutines %d -> %d, fds %d -> %d", g0, g, f0, f)
	})
	ok := listen(t, func(c net.Conn) {
		defer c.Close()
		buf := make([]byte, 512)
		c.Read(buf)
		fmt.Fprint(c, "HTTP/1.0 200 OK\r\n\r\nhello")
	})
	err500 := listen(t, func(c net.Conn) {
		defer c.Close()
		c.Read(make([]byte, 512))
		fmt.Fprint(c, "HTTP/1.0 500 Oops\r\n\r\n")
	})
	hang := listen(t, func(c net.Conn) { defer c.Close(); io.Copy(io.Discard, c) })
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	closed := netip.MustParseAddrPort(l.Addr().String())
	l.Close()
	hangScript := t.TempDir() + "/hang.sh"
	os.WriteFile(hangScript, []byte("#!/bin/sh\nsleep 60\n"), 0o755)

	httpCheck := func(a netip.AddrPort, digest string) healthcheck.Check {
		c := fast(healthcheck.HTTP, a)
		c.HTTP = &healthcheck.HTTPSpec{URLs: []healthcheck.URL{{Path: "/", Digest: digest}}}
		return c
	}
	misc := fast(healthcheck.Misc, netip.AddrPort{})
	misc.Misc = &healthcheck.MiscSpec{Argv: []string{hangScript}, Timeout: 200 * time.Millisecond}
	servers := []healthcheck.RealServer{
		{Name: "ok", Checks: []healthcheck.Check{httpCheck(ok, "5d41402abc4b2a76b9719d911017c592"), fast(healthcheck.TCP, ok)}},
		{Name: "500", Checks: []healthcheck.Check{httpCheck(err500, "")}},
		{Name: "hang", Checks: []healthcheck.Check{httpCheck(hang, "")}},
		{Name: "closed", Checks: []healthcheck.Check{fast(healthcheck.TCP, closed)}},
		{Name: "digest", Checks: []healthcheck.Check{httpCheck(ok, "00000000000000000000000000000000")}},
		{Name: "script", Checks: []healthcheck.Check{misc}},
	}
	r, errs := New(Config{Servers: servers, Concurrency: 4, Env: probe.Env{Gate: track.NewGate(track.SecurityConfig{})}})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Second)
	defer cancel()
	go r.Run(ctx)
	down := map[string]string{}
	for ev := range r.Events() {
		if s, ok := ev.Output.(healthcheck.ServerState); ok && !s.Up && s.Reason != "shutdown" {
			down[servers[s.RS].Name] = s.Reason
		}
		if len(down) == len(servers)-1 {
			cancel()
		}
	}
	want := map[string]string{"500": "status code error (500)", "hang": "timeout", "closed": "connection refused",
		"digest": "MD5 digest error", "script": "timed out"}
	for name, reason := range want {
		if !strings.Contains(down[name], reason) {
			t.Errorf("%s: down reason %q, want %q", name, down[name], reason)
		}
	}
	if reason, ok := down["ok"]; ok {
		t.Errorf("healthy server reported down: %s", reason)
	}
	if st := r.Stats(); st.MaxInFlight > 4 || st.InFlight != 0 {
		t.Errorf("stats %+v: concurrency 4 exceeded or probes left running", st)
	}
}

// TestRunnerBoundsConcurrency checks 10,000 real servers with probes
// that take a while: every one is probed, never more than Concurrency at
// once, and the goroutine count stays bounded by the pool.
func TestRunnerBoundsConcurrency(t *testing.T) {
	const n, conc = 10000, 64
	servers := make([]healthcheck.RealServer, n)
	probers := make([][]healthcheck.Prober, n)
	var seen atomic.Int64
	var peakG atomic.Int64
	g0 := runtime.NumGoroutine()
	for i := range servers {
		c := fast(healthcheck.TCP, netip.AddrPort{})
		c.Timing.DelayLoop, c.Timing.Warmup = time.Hour, 200*time.Millisecond
		servers[i] = healthcheck.RealServer{Name: fmt.Sprint(i), Checks: []healthcheck.Check{c}}
		probers[i] = []healthcheck.Prober{healthcheck.ProberFunc(func(ctx context.Context, _ healthcheck.Target) healthcheck.Result {
			if g := int64(runtime.NumGoroutine()); g > peakG.Load() {
				peakG.Store(g)
			}
			time.Sleep(time.Millisecond)
			seen.Add(1)
			return healthcheck.Result{OK: i%2 == 0, Reason: "fake"}
		})}
	}
	r, _ := New(Config{Servers: servers, Probers: probers, Concurrency: conc})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	go r.Run(ctx)
	downs := 0
	for ev := range r.Events() {
		if s, ok := ev.Output.(healthcheck.ServerState); ok && !s.Up {
			if downs++; downs == n/2 {
				cancel()
			}
		}
	}
	if downs != n/2 || seen.Load() < n {
		t.Errorf("%d servers down, %d probed; want %d down of %d", downs, seen.Load(), n/2, n)
	}
	st := r.Stats()
	if st.MaxInFlight > conc {
		t.Errorf("%d probes at once, want at most %d", st.MaxInFlight, conc)
	}
	if peak := peakG.Load(); peak > int64(g0+conc+8) {
		t.Errorf("%d goroutines at peak with a pool of %d", peak, conc)
	}
	t.Logf("10,000 servers: %d probes, at most %d at once, peak %d goroutines", st.Probes, st.MaxInFlight, peakG.Load())
}
