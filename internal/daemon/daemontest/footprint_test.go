package daemontest

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/daemon"
	"github.com/gokeepalived/gokeepalived/internal/logging"
)

// footprintConfig is n masters (advert_int 1, one VIP each) spread over
// ifaces interfaces eth0, eth1, ..., VRIDs 1..255 on each.
func footprintConfig(n, ifaces int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, `vrrp_instance VI_%d {
    state MASTER
    interface eth%d
    virtual_router_id %d
    priority 100
    advert_int 1
    virtual_ipaddress {
        10.%d.%d.%d/32
    }
}
`, i+1, i%ifaces, i/ifaces+1, i%ifaces, (i/ifaces)/250, (i/ifaces)%250+1)
	}
	return b.String()
}

// liveHeap is the heap still in use after two full collections.
func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// footprintRun starts one daemon of n instances on a node of its own,
// takes it through a reload and an interface failing and coming back,
// and returns the live heap it holds once idle. settle is how long each
// step is given; profile, when set, is a heap profile written while the
// daemon is idle.
func footprintRun(tb testing.TB, n, ifaces int, settle time.Duration, profile string) uint64 {
	tb.Helper()
	dir := tb.TempDir()
	lan := NewLAN()
	lan.closed = true // the transcript is not what is measured
	node := lan.AddNode("A", netip.MustParseAddr("192.168.1.2"), filepath.Join(dir, "A.conf"))
	for i := 1; i < ifaces; i++ {
		name := fmt.Sprintf("eth%d", i)
		if err := node.changeLink(name, "add"); err != nil {
			tb.Fatal(err)
		}
		node.table.Set(node.ifaces[name].Index, netip.MustParsePrefix(fmt.Sprintf("192.168.%d.2/24", 10+i)))
	}
	if err := os.WriteFile(node.file, []byte(footprintConfig(n, ifaces)), 0o600); err != nil {
		tb.Fatal(err)
	}
	base := liveHeap()
	log := slog.New(logging.New(logging.Config{Console: io.Discard}))
	d, err := daemon.New(daemon.Config{File: node.file, Logger: log, DumpDir: dir}, node.system())
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	defer func() {
		cancel()
		<-done
	}()
	time.Sleep(settle)
	if err := node.Signal(syscall.SIGHUP); err != nil {
		tb.Fatal(err)
	}
	time.Sleep(settle)
	for _, how := range []string{"down", "up"} {
		if err := node.changeLink("eth0", how); err != nil {
			tb.Fatal(err)
		}
		time.Sleep(settle)
	}
	live := liveHeap()
	if profile != "" {
		f, err := os.Create(profile)
		if err != nil {
			tb.Fatal(err)
		}
		if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
			tb.Fatal(err)
		}
		f.Close()
	}
	select {
	case err := <-done:
		tb.Fatalf("daemon ended during the run: %v", err)
	default:
	}
	return live - min(live, base)
}

// BenchmarkDaemonHeap reports the live heap a daemon holds per instance,
// idle after a reload and a failover (as the footprint part of the
// benchmark runs it): the heap of n instances less that of one, over
// n-1, so the daemon's fixed cost is left out. It runs in real time,
// about 4 × 5 s per size. GK_HEAPPROFILE=file writes the heap profile of
// the largest size's daemon while it idles. Nothing is asserted: the
// figures go in docs/BENCHMARKS.md.
func BenchmarkDaemonHeap(b *testing.B) {
	const settle = 5 * time.Second // Master_Down_Interval at advert_int 1 is 3.6 s
	if os.Getenv("GK_HEAPPROFILE") != "" {
		runtime.MemProfileRate = 1 // every allocation, not one per 512 KiB
	}
	for _, c := range []struct{ n, ifaces int }{{255, 1}, {1000, 4}} {
		b.Run(fmt.Sprintf("instances=%d", c.n), func(b *testing.B) {
			var one, many uint64
			for b.Loop() {
				one = footprintRun(b, 1, 1, settle, "")
				prof := ""
				if c.n == 1000 {
					prof = os.Getenv("GK_HEAPPROFILE")
				}
				many = footprintRun(b, c.n, c.ifaces, settle, prof)
			}
			b.ReportMetric(float64(many-min(many, one))/float64(c.n-1), "heap-B/instance")
			b.ReportMetric(float64(one)/1024, "heap-KiB/daemon")
		})
	}
}
