package system

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// Timer is a one-shot timer backed by a Linux timerfd and the runtime's
// network poller, so it fires within microseconds of its deadline. Go's own
// timers wake the poller with millisecond resolution, which delayed adverts
// due a fraction of a millisecond away by up to a whole millisecond.
type Timer struct {
	f    *os.File
	c    chan struct{}
	once sync.Once
}

var (
	_ LoopTimer = (*Timer)(nil)
	_ LoopTimer = (*RuntimeTimer)(nil)
)

// NewTimer returns a stopped Timer. Close releases it.
func NewTimer() (*Timer, error) {
	fd, err := unix.TimerfdCreate(unix.CLOCK_MONOTONIC, unix.TFD_NONBLOCK|unix.TFD_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("timerfd: %w", err)
	}
	t := &Timer{f: os.NewFile(uintptr(fd), "timerfd"), c: make(chan struct{}, 1)}
	go t.run()
	return t, nil
}

// C receives a value each time the timer fires.
func (t *Timer) C() <-chan struct{} { return t.c }

// Reset arms the timer to fire after d (at once when d ≤ 0), replacing any
// earlier setting.
func (t *Timer) Reset(d time.Duration) error {
	if d <= 0 {
		d = 1 // timerfd treats a zero value as "disarm"
	}
	spec := unix.ItimerSpec{Value: unix.NsecToTimespec(int64(d))}
	rc, err := t.f.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if err := rc.Control(func(fd uintptr) { serr = unix.TimerfdSettime(int(fd), 0, &spec, nil) }); err != nil {
		return err
	}
	return serr
}

// Close stops the timer; C receives nothing more.
func (t *Timer) Close() error {
	var err error
	t.once.Do(func() { err = t.f.Close() })
	return err
}

// run reads expirations (blocking in the poller, not in a thread) and
// turns each into one value on C, dropping it when one is already waiting.
func (t *Timer) run() {
	var buf [8]byte
	for {
		if _, err := t.f.Read(buf[:]); err != nil {
			if errors.Is(err, os.ErrClosed) {
				return
			}
			continue
		}
		select {
		case t.c <- struct{}{}:
		default:
		}
	}
}

// RuntimeTimer is a LoopTimer on the Go runtime's timers: millisecond
// wake-ups, but it needs nothing from the kernel, and inside a
// testing/synctest bubble it runs on the bubble's virtual clock.
type RuntimeTimer struct {
	t *time.Timer
	c chan struct{}
}

// NewRuntimeTimer returns a stopped RuntimeTimer.
func NewRuntimeTimer() *RuntimeTimer {
	rt := &RuntimeTimer{c: make(chan struct{}, 1)}
	rt.t = time.AfterFunc(time.Hour, rt.fire)
	rt.t.Stop()
	return rt
}

func (t *RuntimeTimer) fire() {
	select {
	case t.c <- struct{}{}:
	default:
	}
}

// C receives a value each time the timer fires.
func (t *RuntimeTimer) C() <-chan struct{} { return t.c }

// Reset arms the timer to fire after d, replacing any earlier setting.
func (t *RuntimeTimer) Reset(d time.Duration) error {
	t.t.Reset(max(d, 0))
	return nil
}

// Close stops the timer.
func (t *RuntimeTimer) Close() error {
	t.t.Stop()
	return nil
}
