package main

import (
	"bytes"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// lockedBuffer is a log sink the timer goroutine and the test share.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestPageTrimmerCoalesces: start-up and the reloads that follow it
// within the delay make one release, after the last of them; it is
// logged with what it released.
func TestPageTrimmerCoalesces(t *testing.T) {
	var calls atomic.Int32
	var logs lockedBuffer
	p := &pageTrimmer{
		log:          slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		delay:        time.Second,
		releasePages: func() (int64, error) { calls.Add(1); return 4096, nil },
	}
	p.soon() // start-up
	p.soon() // a reload at once
	p.soon() // and another
	for deadline := time.Now().Add(30 * time.Second); calls.Load() == 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no release 30 s after the last call")
		}
	}
	// No call of soon() follows, so no second release can come; wait past
	// the delay to see that none of the three earlier calls made one.
	time.Sleep(2 * p.delay)
	if n := calls.Load(); n != 1 {
		t.Errorf("%d releases for three calls within the delay, want 1", n)
	}
	if got := logs.String(); !strings.Contains(got, "start-up pages released") || !strings.Contains(got, "bytes=4096") {
		t.Errorf("log = %q, want the release and its size", got)
	}
	p.soon() // a later reload: one more release
	for deadline := time.Now().Add(30 * time.Second); calls.Load() < 2; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no release after a later reload")
		}
	}
}

var burstSink [][]byte

// TestHeapReleasedAfterBurst: a collection that follows a burst of
// allocation brings one heap release, the delay later; collections of an
// idle program (nothing allocated since) and the release's own bring none.
func TestHeapReleasedAfterBurst(t *testing.T) {
	var frees atomic.Int32
	p := &pageTrimmer{log: slog.New(slog.DiscardHandler), delay: 50 * time.Millisecond}
	p.freeHeap = func() { frees.Add(1); runtime.GC() } // a release collects, as FreeOSMemory does
	p.watchBursts()
	waitFrees := func(want int32) {
		t.Helper()
		for deadline := time.Now().Add(20 * time.Second); frees.Load() < want; time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%d heap releases, want %d", frees.Load(), want)
			}
		}
	}
	for range 2 * burstBytes / 4096 {
		burstSink = append(burstSink, make([]byte, 4096))
	}
	burstSink = nil
	runtime.GC()
	waitFrees(1)
	for range 5 {
		runtime.GC() // idle: nothing allocated since the release
		time.Sleep(2 * p.delay)
	}
	if n := frees.Load(); n != 1 {
		t.Errorf("%d heap releases after one burst and idle collections, want 1", n)
	}
	for range 2 * burstBytes / 4096 {
		burstSink = append(burstSink, make([]byte, 4096))
	}
	burstSink = nil
	runtime.GC()
	waitFrees(2)
}
