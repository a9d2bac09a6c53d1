package system

import (
	"testing"
	"testing/synctest"
	"time"
)

func TestTimerFiresAndRearms(t *testing.T) {
	tm, err := NewTimer()
	if err != nil {
		t.Skipf("no timerfd here: %v", err)
	}
	defer tm.Close()
	for _, d := range []time.Duration{200 * time.Microsecond, 0, 5 * time.Millisecond} {
		start := time.Now()
		if err := tm.Reset(d); err != nil {
			t.Fatal(err)
		}
		select {
		case <-tm.C():
			if got := time.Since(start); got < d {
				t.Errorf("Reset(%s) fired after %s, before its time", d, got)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("Reset(%s) never fired", d)
		}
	}
	// A re-arm replaces the earlier deadline: a far one, then a near one.
	if err := tm.Reset(time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := tm.Reset(time.Millisecond); err != nil {
		t.Fatal(err)
	}
	select {
	case <-tm.C():
	case <-time.After(5 * time.Second):
		t.Fatal("re-armed timer never fired")
	}
}

// BenchmarkTimerLateness reports how late the timer fires for a 300 µs
// wait (ns/op is the wait plus the lateness).
func BenchmarkTimerLateness(b *testing.B) {
	tm, err := NewTimer()
	if err != nil {
		b.Skip(err)
	}
	defer tm.Close()
	for b.Loop() {
		tm.Reset(300 * time.Microsecond)
		<-tm.C()
	}
}

// BenchmarkGoTimerLateness is the same wait with the runtime's timer.
func BenchmarkGoTimerLateness(b *testing.B) {
	t := time.NewTimer(time.Hour)
	for b.Loop() {
		t.Reset(300 * time.Microsecond)
		<-t.C
	}
}

// TestRuntimeTimer: in virtual time, the timer fires exactly at its
// deadline, a re-arm replaces the earlier deadline, and a closed timer
// stays quiet.
func TestRuntimeTimer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tm := NewRuntimeTimer()
		start := time.Now()
		tm.Reset(time.Hour)
		tm.Reset(3 * time.Second)
		<-tm.C()
		if got := time.Since(start); got != 3*time.Second {
			t.Errorf("fired after %v, want 3s", got)
		}
		tm.Reset(time.Second)
		tm.Close()
		time.Sleep(2 * time.Second)
		select {
		case <-tm.C():
			t.Error("closed timer fired")
		default:
		}
	})
}

// TestTimerRearmAllocatesNothing: the loop re-arms its timer after events
// that move the earliest deadline; a re-arm allocates nothing (it made a
// RawConn and a closure each before).
func TestTimerRearmAllocatesNothing(t *testing.T) {
	tm, err := NewTimer()
	if err != nil {
		t.Skipf("no timerfd here: %v", err)
	}
	defer tm.Close()
	if allocs := testing.AllocsPerRun(100, func() {
		if err := tm.Reset(time.Hour); err != nil {
			t.Fatal(err)
		}
	}); allocs != 0 {
		t.Errorf("Reset allocates %.1f times, want 0", allocs)
	}
}
