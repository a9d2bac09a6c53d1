package system

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Timer is a one-shot timer backed by a Linux timerfd and the runtime's
// network poller, so it fires within microseconds of its deadline. Go's own
// timers wake the poller with millisecond resolution, which delayed adverts
// due a fraction of a millisecond away by up to a whole millisecond.
//
// Its system calls (timerfd_settime, read of a readable non-blocking
// timerfd) never block, so they are made raw: a blocking-call entry would
// wake the runtime's sysmon thread on an idle daemon, which then polls
// every 20 µs until the process is idle again — most of an idle round's
// CPU time.
type Timer struct {
	f    *os.File
	rc   syscall.RawConn
	c    chan struct{}
	once sync.Once
	buf  [8]byte // the expiration count read by run

	// Reset's arguments and result, passed through rc.Control to
	// settime (bound once) so that a re-arm allocates nothing.
	spec    unix.ItimerSpec
	errno   syscall.Errno
	settime func(fd uintptr)
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
	rc, err := t.f.SyscallConn()
	if err != nil {
		t.f.Close()
		return nil, fmt.Errorf("timerfd: %w", err)
	}
	t.rc, t.settime = rc, t.settimeRaw
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
	t.spec = unix.ItimerSpec{Value: unix.NsecToTimespec(int64(d))}
	if err := t.rc.Control(t.settime); err != nil {
		return err
	}
	if t.errno != 0 {
		return fmt.Errorf("timerfd_settime: %w", t.errno)
	}
	return nil
}

// settimeRaw arms the timerfd to t.spec (Reset, through rc.Control).
func (t *Timer) settimeRaw(fd uintptr) {
	_, _, t.errno = unix.RawSyscall6(unix.SYS_TIMERFD_SETTIME, fd, 0, uintptr(unsafe.Pointer(&t.spec)), 0, 0, 0)
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
	for {
		if err := t.rc.Read(t.readRaw); err != nil {
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

// readRaw is the poller callback of run: it reads the expiration count,
// and reports false (wait for the poller) while there is none.
func (t *Timer) readRaw(fd uintptr) bool {
	_, _, errno := unix.RawSyscall(unix.SYS_READ, fd, uintptr(unsafe.Pointer(&t.buf[0])), uintptr(len(t.buf)))
	return errno != unix.EAGAIN
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
