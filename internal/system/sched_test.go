//go:build linux

package system

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/gokeepalived/gokeepalived/internal/lab"
)

// statusField returns field name of a /proc status file.
func statusField(t *testing.T, path, name string) string {
	t.Helper()
	v, err := lab.ProcField(path, name)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestSetRTTimeLimit(t *testing.T) {
	var orig unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_RTTIME, &orig); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Setrlimit(unix.RLIMIT_RTTIME, &orig) })
	if err := SetRTTimeLimit(20000); err != nil {
		t.Fatal(err)
	}
	var got unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_RTTIME, &got); err != nil {
		t.Fatal(err)
	}
	if want := (unix.Rlimit{Cur: 10000, Max: 20000}); got != want {
		t.Errorf("RLIMIT_RTTIME = %+v, want %+v", got, want)
	}
}

func TestSetProcessAffinity(t *testing.T) {
	var orig unix.CPUSet
	if err := unix.SchedGetaffinity(0, &orig); err != nil {
		t.Fatal(err)
	}
	first := -1
	var all []int
	for c := range 1024 {
		if orig.IsSet(c) {
			all = append(all, c)
			if first < 0 {
				first = c
			}
		}
	}
	// Threads held by goroutines, so the process has several.
	release := make(chan struct{})
	for range 4 {
		go func() {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			<-release
		}()
	}
	defer close(release)
	t.Cleanup(func() { SetProcessAffinity(all) })
	if err := SetProcessAffinity([]int{first}); err != nil {
		t.Fatal(err)
	}
	tasks, _ := filepath.Glob("/proc/self/task/*/status")
	if len(tasks) < 2 {
		t.Fatalf("%d threads, want several", len(tasks))
	}
	for _, p := range tasks {
		if got, want := statusField(t, p, "Cpus_allowed_list"), fmt.Sprint(first); got != want {
			t.Errorf("%s: Cpus_allowed_list %s, want %s", p, got, want)
		}
	}
}

func TestSetThreadRR(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root (CAP_SYS_NICE) for SCHED_RR")
	}
	type result struct {
		attr     *unix.SchedAttr
		err      error
		childPol uint32
	}
	ch := make(chan result)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread ends with the goroutine
		if err := SetThreadRR(5); err != nil {
			ch <- result{err: err}
			return
		}
		a, err := unix.SchedGetAttr(0, 0)
		// A process started from this thread is back at SCHED_OTHER.
		out, _ := exec.Command("sh", "-c", "cat /proc/self/sched | grep '^policy'").Output()
		var pol uint32 = 99
		fmt.Sscanf(strings.TrimSpace(strings.TrimPrefix(strings.ReplaceAll(string(out), " ", ""), "policy:")), "%d", &pol)
		ch <- result{attr: a, err: err, childPol: pol}
	}()
	r := <-ch
	if r.err != nil {
		t.Fatal(r.err)
	}
	if r.attr.Policy != unix.SCHED_RR || r.attr.Priority != 5 {
		t.Errorf("policy %d priority %d, want SCHED_RR (%d) 5", r.attr.Policy, r.attr.Priority, unix.SCHED_RR)
	}
	if r.childPol != 0 {
		t.Errorf("child process policy %d, want SCHED_OTHER (0): SCHED_RESET_ON_FORK missing", r.childPol)
	}
}

// TestLockMemory runs the test binary again to lock its memory, so this
// process stays unlocked.
func TestLockMemory(t *testing.T) {
	if os.Getenv("GK_LOCKMEM_CHILD") != "" {
		if err := LockMemory(); err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
		fmt.Println(statusField(t, "/proc/self/status", "VmLck"))
		os.Exit(0)
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root (or a large RLIMIT_MEMLOCK) for mlockall")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestLockMemory$")
	cmd.Env = append(os.Environ(), "GK_LOCKMEM_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	var kb int
	if _, err := fmt.Sscanf(strings.TrimSpace(string(out)), "%d kB", &kb); err != nil || kb == 0 {
		t.Errorf("VmLck after LockMemory: %q, want > 0 kB", out)
	}
}
