package main

import (
	"bytes"
	"log/slog"
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
