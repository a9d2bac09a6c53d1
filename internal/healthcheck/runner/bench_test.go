package runner

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/healthcheck"
)

// BenchmarkRunnerTCP measures the checker's cost with real TCP_CHECK
// probes against loopback listeners: 1,000 and 10,000 real servers,
// delay_loop 5 s, over a 6 s window. It reports probes per second, CPU
// time per probe and in total, heap in use and the most probes in
// flight (pool 256). Run: go test -run X -bench RunnerTCP -benchtime 1x.
func BenchmarkRunnerTCP(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			var addrs []netip.AddrPort
			for range 8 {
				l, err := net.Listen("tcp", "127.0.0.1:0")
				if err != nil {
					b.Fatal(err)
				}
				defer l.Close()
				go func() {
					for {
						c, err := l.Accept()
						if err != nil {
							return
						}
						c.Close()
					}
				}()
				addrs = append(addrs, netip.MustParseAddrPort(l.Addr().String()))
			}
			servers := make([]healthcheck.RealServer, n)
			for i := range servers {
				c := healthcheck.Check{Kind: healthcheck.TCP, Target: healthcheck.Target{Addr: addrs[i%len(addrs)]},
					Timing: healthcheck.Timing{DelayLoop: 5 * time.Second, ConnectTimeout: 5 * time.Second, Retry: 1,
						DelayBeforeRetry: time.Second, Warmup: 5 * time.Second}}
				servers[i] = healthcheck.RealServer{Name: fmt.Sprint(i), Weight: 1, Checks: []healthcheck.Check{c}}
			}
			for range b.N {
				runtime.GC()
				var ru0, ru1 syscall.Rusage
				syscall.Getrusage(syscall.RUSAGE_SELF, &ru0)
				r, _ := New(Config{Servers: servers})
				ctx, cancel := context.WithTimeout(context.Background(), 6*time.Second)
				var downs int
				var heap uint64
				done := make(chan struct{})
				go func() {
					defer close(done)
					for ev := range r.Events() {
						if s, ok := ev.Output.(healthcheck.ServerState); ok && !s.Up {
							downs++
						}
					}
				}()
				go func() {
					time.Sleep(5 * time.Second)
					var ms runtime.MemStats
					runtime.ReadMemStats(&ms)
					heap = ms.HeapInuse
				}()
				start := time.Now()
				r.Run(ctx)
				<-done
				cancel()
				el := time.Since(start)
				syscall.Getrusage(syscall.RUSAGE_SELF, &ru1)
				cpu := time.Duration(syscall.TimevalToNsec(ru1.Utime) + syscall.TimevalToNsec(ru1.Stime) -
					syscall.TimevalToNsec(ru0.Utime) - syscall.TimevalToNsec(ru0.Stime))
				st := r.Stats()
				b.ReportMetric(float64(st.Probes)/el.Seconds(), "probes/s")
				b.ReportMetric(float64(cpu.Microseconds())/float64(max(st.Probes, 1)), "cpu-µs/probe")
				b.ReportMetric(100*cpu.Seconds()/el.Seconds(), "cpu-%")
				b.ReportMetric(float64(heap)/(1<<20), "heap-MiB")
				b.ReportMetric(float64(st.MaxInFlight), "max-inflight")
				if downs > 0 {
					b.Errorf("%d healthy servers reported down", downs)
				}
			}
		})
	}
}
