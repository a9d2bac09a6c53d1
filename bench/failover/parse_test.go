package main

import (
	"encoding/hex"
	"net/netip"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A VRRPv2 advert and a gratuitous ARP as keepalived 2.2.7 sends them
// (shape of ../../shared/vectors), and near misses.
const (
	advertV2 = "01005e000012 020000000102 0800" +
		"45c00028 0001 0000 ff70 0000 c0a80102 e0000012" +
		"2133640101 01 0000 c0a80106 0000000000000000"
	garp = "ffffffffffff 020000000103 0806" +
		"0001 0800 06 04 0001 020000000103 c0a8010a ffffffffffff c0a8010a"
	arpRequest = "ffffffffffff 020000000104 0806" +
		"0001 0800 06 04 0001 020000000104 c0a80104 000000000000 c0a8010a"
	udp = "020000000102 020000000104 0800" +
		"45000020 0001 0000 4011 0000 c0a80104 c0a8010a 1e611e61 000c 0000 31323334"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		name string
		in   string
		keep int // bytes of the frame to keep; 0 keeps all
		want frameInfo
	}{
		{"advert", advertV2, 0, frameInfo{Kind: kindAdvert, SrcMAC: [6]byte{2, 0, 0, 0, 1, 2}, VRID: 0x33, Priority: 0x64}},
		{"garp", garp, 0, frameInfo{Kind: kindGARP, SrcMAC: [6]byte{2, 0, 0, 0, 1, 3}, IP: netip.MustParseAddr("192.168.1.10")}},
		{"plain ARP request", arpRequest, 0, frameInfo{SrcMAC: [6]byte{2, 0, 0, 0, 1, 4}}},
		{"udp", udp, 0, frameInfo{SrcMAC: [6]byte{2, 0, 0, 0, 1, 4}}},
		{"truncated advert", advertV2, 14 + 20 + 3, frameInfo{SrcMAC: [6]byte{2, 0, 0, 0, 1, 2}}},
		{"short", "0102", 0, frameInfo{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := mustHex(t, tt.in)
			if tt.keep > 0 {
				b = b[:tt.keep]
			}
			got := classify(b)
			if diff := cmp.Diff(tt.want, got, cmp.Comparer(func(a, b netip.Addr) bool { return a == b })); diff != "" {
				t.Errorf("classify (-want +got):\n%s", diff)
			}
		})
	}
}

func FuzzClassify(f *testing.F) {
	for _, s := range []string{advertV2, garp, arpRequest, udp} {
		f.Add(mustHex(f, s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		fi := classify(b)
		if fi.Kind != kindOther && len(b) < 14+28 {
			t.Fatalf("%v from a %d-byte frame", fi.Kind, len(b))
		}
	})
}

func TestParseStat(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    procStat
		wantErr bool
	}{
		{"plain", "123 (keepalived) S 7 123 123 0 -1 4194560 1 0 0 0 250 30 0 0 20 0 1 0 1 1 1", procStat{PPid: 7, CPU: 2800 * time.Millisecond}, false},
		{"name with spaces and parens", "9 (a b) (c)) R 1 9 9 0 -1 0 0 0 0 0 1 2 0", procStat{PPid: 1, CPU: 30 * time.Millisecond}, false},
		{"no name", "9 a R 1", procStat{}, true},
		{"too short", "9 (x) R 1 2 3", procStat{}, true},
		{"bad utime", "9 (x) R 1 9 9 0 -1 0 0 0 0 0 x 2 0", procStat{}, true},
		{"huge", "9 (x) R 1 9 9 0 -1 0 0 0 0 0 4611686018427387903 0 0", procStat{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseStat([]byte(tt.in))
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("parseStat (-want +got):\n%s", diff)
			}
		})
	}
}

func FuzzParseStat(f *testing.F) {
	f.Add([]byte("123 (keepalived) S 7 123 123 0 -1 4194560 1 0 0 0 250 30 0"))
	f.Fuzz(func(t *testing.T, b []byte) {
		st, err := parseStat(b)
		if err == nil && st.CPU < 0 {
			t.Fatalf("negative cpu %v", st.CPU)
		}
	})
}

func TestParseVmRSS(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    int64
		wantErr bool
	}{
		{"present", "Name:\tx\nVmPeak:\t 1 kB\nVmRSS:\t   10240 kB\nThreads: 1\n", 10240, false},
		{"last line", "Name:\tx\nVmRSS: 7 kB", 7, false},
		{"kernel thread", "Name:\tkthreadd\nThreads: 1\n", 0, false},
		{"empty", "VmRSS:\n", 0, true},
		{"negative", "VmRSS: -1 kB\n", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseVmRSS([]byte(tt.in))
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("parseVmRSS (-want +got):\n%s", diff)
			}
		})
	}
}

func FuzzParseVmRSS(f *testing.F) {
	f.Add([]byte("Name:\tx\nVmRSS:\t   10240 kB\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if kb, err := parseVmRSS(b); err == nil && kb < 0 {
			t.Fatalf("negative rss %d", kb)
		}
	})
}

func TestParseAnswer(t *testing.T) {
	type res struct {
		Name string
		Seq  uint64
		OK   bool
	}
	tests := []struct {
		in   string
		want res
	}{
		{"a 42", res{"a", 42, true}},
		{"client 0", res{"client", 0, true}},
		{" 42", res{}},
		{"a", res{}},
		{"a x", res{}},
		{"a 1 2", res{}},
	}
	for _, tt := range tests {
		name, seq, ok := parseAnswer([]byte(tt.in))
		if diff := cmp.Diff(tt.want, res{name, seq, ok}); diff != "" {
			t.Errorf("parseAnswer(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

func FuzzParseAnswer(f *testing.F) {
	f.Add([]byte("a 42"))
	f.Fuzz(func(t *testing.T, b []byte) {
		name, _, ok := parseAnswer(b)
		if ok && (name == "" || len(name) >= len(b)) {
			t.Fatalf("name %q from %q", name, b)
		}
	})
}

func TestParseRollup(t *testing.T) {
	tests := []struct {
		name, in string
		want     rollup
		wantErr  bool
	}{
		{"kernel's layout", "5561-7ffd ---p 00000000 00:00 0   [rollup]\nRss:                1712 kB\nPss:                 244 kB\nPss_Anon:            116 kB\nAnonymous:           116 kB\nLocked:                0 kB\n",
			rollup{RSS: 1712, PSS: 244, Anon: 116}, false},
		{"missing fields read 0", "Rss: 10 kB\n", rollup{RSS: 10}, false},
		{"empty value", "Pss:\n", rollup{}, true},
		{"negative", "Anonymous: -3 kB\n", rollup{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseRollup([]byte(tt.in))
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("parseRollup (-want +got):\n%s", diff)
			}
		})
	}
}

func FuzzParseRollup(f *testing.F) {
	f.Add([]byte("Rss: 1712 kB\nPss: 244 kB\nAnonymous: 116 kB\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if r, err := parseRollup(b); err == nil && (r.RSS < 0 || r.PSS < 0 || r.Anon < 0) {
			t.Fatalf("negative %+v", r)
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
			got, err := parseSchedstat([]byte(tt.in))
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("parseSchedstat(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func FuzzParseSchedstat(f *testing.F) {
	f.Add([]byte("2214302 105871 43\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if d, err := parseSchedstat(b); err == nil && d < 0 {
			t.Fatalf("negative run time %v", d)
		}
	})
}

// TestCPUTimeCountsEveryThread: the run time of this process summed over
// its threads grows by at least what a busy thread of its own burned, and
// is read at nanosecond, not clock-tick, resolution.
func TestCPUTimeCountsEveryThread(t *testing.T) {
	pids := []int{os.Getpid()}
	before := cpuTime(pids)
	if before <= 0 {
		t.Fatalf("cpuTime of this process = %v, want > 0", before)
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
			d, _ := parseSchedstat(b)
			return d
		}
		start := self()
		for deadline := time.Now().Add(10 * time.Second); self()-start < 20*time.Millisecond && time.Now().Before(deadline); {
		}
		own := self() - start
		done <- sample{own, cpuTime(pids)}
	}()
	s := <-done
	if s.own < 20*time.Millisecond {
		t.Fatalf("the busy thread's own schedstat grew by only %v", s.own)
	}
	if s.total-before < s.own {
		t.Errorf("cpuTime grew by %v while one thread alone ran %v", s.total-before, s.own)
	}
	if s.total%(10*time.Millisecond) == 0 && before%(10*time.Millisecond) == 0 {
		t.Errorf("cpuTime %v and %v are whole clock ticks: not read from schedstat", before, s.total)
	}
}
