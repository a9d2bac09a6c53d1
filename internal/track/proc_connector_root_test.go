package track

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"slices"
	"syscall"
	"testing"
	"time"
)

// needConnector skips the test when the kernel's process events connector
// cannot be used here for a reason outside the code under test.
func needConnector(tb testing.TB) {
	tb.Helper()
	if os.Geteuid() != 0 {
		tb.Skip("the process events connector needs root (CAP_NET_ADMIN to bind its multicast group)")
	}
	c, err := openProcConnector()
	switch {
	case errors.Is(err, syscall.EPROTONOSUPPORT):
		tb.Skipf("kernel without CONFIG_PROC_EVENTS: %v", err)
	case errors.Is(err, syscall.ECONNREFUSED):
		tb.Skipf("not in the initial network namespace, where the connector lives: %v", err)
	case err != nil:
		tb.Fatalf("open connector as root: %v", err)
	}
	c.Close()
}

// sleeper starts `sleep arg`, an argument unique to this run so nothing
// else matches it.
func sleeper(tb testing.TB, arg string) *exec.Cmd {
	tb.Helper()
	cmd := exec.Command("sleep", arg)
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd
}

// TestProcessWatcherConnectorReal starts and kills a real process and
// checks that the connector, not a poll, reports both: the poll interval
// is an hour.
func TestProcessWatcherConnectorReal(t *testing.T) {
	needConnector(t)
	arg := fmt.Sprintf("%d.%d", 40000+os.Getpid()%10000, time.Now().UnixNano()%1000)
	procs := []Process{{Name: "mine", Command: "sleep", Params: []string{arg}, Quorum: 1}}
	w, err := NewProcessWatcher(procs, "", discardLog())
	if err != nil {
		t.Fatal(err)
	}
	if got := w.Source(); got != ProcessSourceConnector {
		t.Fatalf("source %v, want %v", got, ProcessSourceConnector)
	}
	w.Interval = time.Hour
	changes := runWatcher(t, w)

	start := time.Now()
	cmd := sleeper(t, arg)
	nextChange(t, changes, "mine UP")
	up := time.Since(start)
	if got := w.Count("mine"); got != 1 {
		t.Errorf("count = %d, want 1", got)
	}

	start = time.Now()
	cmd.Process.Kill()
	nextChange(t, changes, "mine DOWN")
	down := time.Since(start)
	cmd.Wait()
	if got := w.Count("mine"); got != 0 {
		t.Errorf("count = %d, want 0", got)
	}
	if got := w.Source(); got != ProcessSourceConnector {
		t.Errorf("source %v, want %v", got, ProcessSourceConnector)
	}
	t.Logf("connector: start seen after %v, kill seen after %v (poll interval 1 h)", up, down)
}

// TestProcessWatcherConnectorForkQuorum has a shell fork two sleeps; the
// fork and exec events bring the count to the quorum of 2, the shell
// itself never counts.
func TestProcessWatcherConnectorForkQuorum(t *testing.T) {
	needConnector(t)
	arg := fmt.Sprintf("%d.%d", 50000+os.Getpid()%10000, time.Now().UnixNano()%1000)
	procs := []Process{{Name: "two", Command: "sleep", Params: []string{arg}, Quorum: 2, QuorumMax: 2}}
	w, err := NewProcessWatcher(procs, "", discardLog())
	if err != nil {
		t.Fatal(err)
	}
	w.Interval = time.Hour
	changes := runWatcher(t, w)
	sh := exec.Command("sh", "-c", "sleep "+arg+" & sleep "+arg+" & wait")
	sh.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := sh.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Kill(-sh.Process.Pid, syscall.SIGKILL); sh.Wait() })
	nextChange(t, changes, "two UP")
	syscall.Kill(-sh.Process.Pid, syscall.SIGKILL)
	nextChange(t, changes, "two DOWN")
}

// BenchmarkProcessDetect measures how long after a tracked process is
// killed the watcher reports it down: through the connector, and by the
// 1 s poll the watcher falls back to (about half the interval on average,
// the whole interval at worst). ns/op includes starting the process.
func BenchmarkProcessDetect(b *testing.B) {
	needConnector(b)
	for _, src := range []ProcessSource{ProcessSourceConnector, ProcessSourcePoll} {
		b.Run(src.String(), func(b *testing.B) {
			arg := fmt.Sprintf("%d.%d", 60000+os.Getpid()%10000, time.Now().UnixNano()%1000)
			procs := []Process{{Name: "mine", Command: "sleep", Params: []string{arg}, Quorum: 1}}
			var open func() (procEventSource, error)
			if src == ProcessSourceConnector {
				open = func() (procEventSource, error) { return openProcConnector() }
			}
			w, err := newProcessWatcher(procs, "/proc", discardLog(), open)
			if err != nil {
				b.Fatal(err)
			}
			changes := runWatcher(b, w)
			var lat []time.Duration
			for b.Loop() {
				cmd := sleeper(b, arg)
				nextChange(b, changes, "mine UP")
				if src == ProcessSourcePoll {
					// The up was seen at a tick: kill at a random
					// phase, not right after one.
					time.Sleep(rand.N(w.Interval))
				}
				start := time.Now()
				cmd.Process.Kill()
				nextChange(b, changes, "mine DOWN")
				lat = append(lat, time.Since(start))
				cmd.Wait()
			}
			slices.Sort(lat)
			var sum time.Duration
			for _, d := range lat {
				sum += d
			}
			b.ReportMetric(float64(sum.Microseconds())/float64(len(lat)), "µs-mean/detect")
			b.ReportMetric(float64(lat[len(lat)-1].Microseconds()), "µs-max/detect")
		})
	}
}
