package reload

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/config"
)

// slowReads stands in for prepareReload: each read announces itself on
// started and waits for release, returning a plan that names the read.
type slowReads struct {
	started chan int
	release chan struct{}
	reads   atomic.Int32
	fail    error
}

func newSlowReads() *slowReads {
	return &slowReads{started: make(chan int, 16), release: make(chan struct{})}
}

func (s *slowReads) prepare() (*Plan, error) {
	n := int(s.reads.Add(1))
	s.started <- n
	<-s.release
	return &Plan{Conf: &config.Config{Global: config.GlobalDefs{RouterID: fmt.Sprint("read ", n)}}}, s.fail
}

func waitRead(t *testing.T, s *slowReads, want int) {
	t.Helper()
	select {
	case n := <-s.started:
		if n != want {
			t.Fatalf("read %d started, want read %d", n, want)
		}
	case <-time.After(5 * time.Second):
		t.Fatalf("read %d did not start", want)
	}
}

func outcome(t *testing.T, w chan error) error {
	t.Helper()
	select {
	case err := <-w:
		return err
	case <-time.After(5 * time.Second):
		t.Fatal("no outcome")
		return nil
	}
}

// TestReloaderCoalesces: requests arriving while a configuration is being
// read make one more read, whose result alone is committed (the last one
// wins), and every caller gets that outcome.
func TestReloaderCoalesces(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r, s := NewWorker(), newSlowReads()
	var committed []string
	var superseded atomic.Int32
	commit := func(p *Plan, err error) error {
		committed = append(committed, p.Conf.Global.RouterID)
		return errors.New("outcome of " + p.Conf.Global.RouterID)
	}
	go r.Run(ctx, s.prepare, commit, func() { superseded.Add(1) })

	w1, w2, w3 := make(chan error, 1), make(chan error, 1), make(chan error, 1)
	r.Request(w1)
	waitRead(t, s, 1)
	r.Request(w2)
	r.Request(nil) // a SIGHUP
	r.Request(w3)
	s.release <- struct{}{}
	waitRead(t, s, 2)
	s.release <- struct{}{}
	for i, w := range []chan error{w1, w2, w3} {
		if err := outcome(t, w); err == nil || err.Error() != "outcome of read 2" {
			t.Errorf("caller %d got %v, want the outcome of read 2", i+1, err)
		}
	}
	if got := s.reads.Load(); got != 2 {
		t.Errorf("%d reads for 4 requests during one read, want 2", got)
	}
	if len(committed) != 1 || committed[0] != "read 2" || superseded.Load() != 1 {
		t.Errorf("committed %v with %d superseded, want only read 2 and 1 superseded", committed, superseded.Load())
	}
}

// TestReloaderRefusalReachesCaller: a read that fails is committed with
// its error (so the loop records it) and the caller gets it.
func TestReloaderRefusalReachesCaller(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r, s := NewWorker(), newSlowReads()
	s.fail = errors.New("k.conf:1:1: bad")
	go r.Run(ctx, s.prepare, func(_ *Plan, err error) error { return err }, func() {})
	w := make(chan error, 1)
	r.Request(w)
	waitRead(t, s, 1)
	s.release <- struct{}{}
	if err := outcome(t, w); !errors.Is(err, s.fail) {
		t.Errorf("caller got %v, want %v", err, s.fail)
	}
}

// TestReloaderStopsDuringRead: when the daemon stops while a
// configuration is being read, nothing is committed and every caller,
// also one that asked meanwhile, is told the daemon is stopping.
func TestReloaderStopsDuringRead(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	r, s := NewWorker(), newSlowReads()
	var commits atomic.Int32
	done := make(chan struct{})
	go func() {
		r.Run(ctx, s.prepare, func(*Plan, error) error { commits.Add(1); return nil }, func() {})
		close(done)
	}()
	w1, w2 := make(chan error, 1), make(chan error, 1)
	r.Request(w1)
	waitRead(t, s, 1)
	r.Request(w2)
	cancel()
	s.release <- struct{}{}
	for i, w := range []chan error{w1, w2} {
		if err := outcome(t, w); !errors.Is(err, ErrStopping) {
			t.Errorf("caller %d got %v, want %v", i+1, err, ErrStopping)
		}
	}
	<-done
	if n := commits.Load(); n != 0 {
		t.Errorf("%d reloads committed after the daemon stopped, want 0", n)
	}
}
