package procfs

import (
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseStat(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    Stat
		wantErr bool
	}{
		{"plain", "123 (keepalived) S 7 123 123 0 -1 4194560 1 0 0 0 250 30 0 0 20 0 1 0 1 1 1", Stat{PPid: 7, CPU: 2800 * time.Millisecond}, false},
		{"name with spaces and parens", "9 (a b) (c)) R 1 9 9 0 -1 0 0 0 0 0 1 2 0", Stat{PPid: 1, CPU: 30 * time.Millisecond}, false},
		{"no name", "9 a R 1", Stat{}, true},
		{"too short", "9 (x) R 1 2 3", Stat{}, true},
		{"bad utime", "9 (x) R 1 9 9 0 -1 0 0 0 0 0 x 2 0", Stat{}, true},
		{"huge", "9 (x) R 1 9 9 0 -1 0 0 0 0 0 4611686018427387903 0 0", Stat{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseStat([]byte(tt.in))
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseStat (-want +got):\n%s", diff)
			}
		})
	}
}

func FuzzParseStat(f *testing.F) {
	f.Add([]byte("123 (keepalived) S 7 123 123 0 -1 4194560 1 0 0 0 250 30 0"))
	f.Fuzz(func(t *testing.T, b []byte) {
		st, err := ParseStat(b)
		if err == nil && st.CPU < 0 {
			t.Fatalf("negative cpu %v", st.CPU)
		}
	})
}

func TestParseSchedstat(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    time.Duration
		wantErr bool
	}{
		{"thread", "2214302 105871 43\n", 2214302 * time.Nanosecond, false},
		{"idle thread", "0 0 0\n", 0, false},
		{"empty", "", 0, true},
		{"negative", "-5 0 0\n", 0, true},
		{"not a number", "x 1 2\n", 0, true},
		{"overflow", "99999999999999999999 0 0\n", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseSchedstat([]byte(tt.in))
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("ParseSchedstat(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func FuzzParseSchedstat(f *testing.F) {
	f.Add([]byte("2214302 105871 43\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if d, err := ParseSchedstat(b); err == nil && d < 0 {
			t.Fatalf("negative run time %v", d)
		}
	})
}

// TestCPUTimeCountsEveryThread: the run time of this process summed over
// its threads grows by at least what a busy thread of its own burned, and
// is read at nanosecond, not clock-tick, resolution.
func TestCPUTimeCountsEveryThread(t *testing.T) {
	pids := []int{os.Getpid()}
	before := CPUTime(pids)
	if before <= 0 {
		t.Fatalf("CPUTime of this process = %v, want > 0", before)
	}
	type sample struct{ own, total time.Duration }
	done := make(chan sample)
	go func() {
		runtime.LockOSThread() // one thread throughout
		// Unlocked, the thread goes back to the runtime instead of exiting
		// (an exiting thread takes its run time out of the sum).
		defer runtime.UnlockOSThread()
		self := func() time.Duration {
			b, err := os.ReadFile("/proc/thread-self/schedstat")
			if err != nil {
				return 0
			}
			d, _ := ParseSchedstat(b)
			return d
		}
		start := self()
		for deadline := time.Now().Add(10 * time.Second); self()-start < 20*time.Millisecond && time.Now().Before(deadline); {
		}
		own := self() - start
		done <- sample{own, CPUTime(pids)}
	}()
	s := <-done
	if s.own < 20*time.Millisecond {
		t.Fatalf("the busy thread's own schedstat grew by only %v", s.own)
	}
	if s.total-before < s.own {
		t.Errorf("CPUTime grew by %v while one thread alone ran %v", s.total-before, s.own)
	}
	if s.total%(10*time.Millisecond) == 0 && before%(10*time.Millisecond) == 0 {
		t.Errorf("CPUTime %v and %v are whole clock ticks: not read from schedstat", before, s.total)
	}
}

func TestParseCtxSwitches(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    int64
		wantErr bool
	}{
		{"both", "Name:\tx\nvoluntary_ctxt_switches:\t12\nnonvoluntary_ctxt_switches:\t3\n", 15, false},
		{"none", "Name:\tx\n", 0, true},
		{"bad", "voluntary_ctxt_switches:\tx\n", 0, true},
		{"negative", "voluntary_ctxt_switches:\t-1\n", 0, true},
	}
	for _, tt := range tests {
		got, err := ParseCtxSwitches([]byte(tt.in))
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("%s: ParseCtxSwitches = %d, %v; want %d, error %v", tt.name, got, err, tt.want, tt.wantErr)
		}
	}
}

func FuzzParseCtxSwitches(f *testing.F) {
	f.Add([]byte("voluntary_ctxt_switches:\t12\nnonvoluntary_ctxt_switches:\t3\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if n, err := ParseCtxSwitches(b); err == nil && n < 0 {
			t.Fatalf("negative count %d", n)
		}
	})
}

// TestCtxSwitchesOfThisProcess: this process has switched at least once.
func TestCtxSwitchesOfThisProcess(t *testing.T) {
	if n := CtxSwitches([]int{os.Getpid()}); n <= 0 {
		t.Errorf("CtxSwitches of this process = %d, want > 0", n)
	}
}
