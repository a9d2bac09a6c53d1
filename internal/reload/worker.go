package reload

import (
	"context"
	"errors"
	"sync"
)

// ErrStopping answers reload requests the daemon will not serve because it
// is stopping.
var ErrStopping = errors.New("daemon is stopping: reload not applied")

// Worker runs reloads on its own goroutine, so that reading and planning
// a new configuration (a deep include tree, a slow filesystem, an include
// that is a FIFO) never holds up the loop: the loop only applies finished
// plans. Requests coalesce: one arriving while a configuration is being
// read makes the reader read again when it is done and drop what it read,
// so the last request wins and several requests cost one more read; every
// caller waiting meanwhile gets the outcome of that last read.
type Worker struct {
	kick    chan struct{} // one pending request, buffered
	mu      sync.Mutex
	waiters []chan<- error // callers waiting for the next outcome
}

func NewWorker() *Worker { return &Worker{kick: make(chan struct{}, 1)} }

// request asks for a reload; done, if not nil, receives its outcome once
// (it must have room for one value).
func (r *Worker) Request(done chan<- error) {
	if done != nil {
		r.mu.Lock()
		r.waiters = append(r.waiters, done)
		r.mu.Unlock()
	}
	select {
	case r.kick <- struct{}{}:
	default: // one is already pending: it covers this one too
	}
}

// pending reports whether a request arrived since the last one was taken.
func (r *Worker) pending() bool { return len(r.kick) > 0 }

func (r *Worker) take() []chan<- error {
	r.mu.Lock()
	defer r.mu.Unlock()
	w := r.waiters
	r.waiters = nil
	return w
}

// putBack returns waiters of a superseded read to the head of the queue.
func (r *Worker) putBack(w []chan<- error) {
	r.mu.Lock()
	r.waiters = append(w, r.waiters...)
	r.mu.Unlock()
}

// run serves requests until ctx ends. prepare reads and plans off the
// loop; commit hands the result to the loop (which applies it or records
// the error) and returns the outcome. A prepared result that a newer
// request has superseded is dropped (discard releases it) without being
// committed. When ctx ends, waiting callers get ErrStopping; a read under
// way is not interrupted (config.Load cannot be), but its result is
// dropped.
func (r *Worker) Run(ctx context.Context, prepare func() (*Plan, error),
	commit func(*Plan, error) error, superseded func()) {
	for {
		select {
		case <-ctx.Done():
			r.answer(r.take(), ErrStopping)
			return
		case <-r.kick:
		}
		waiters := r.take()
		p, err := prepare()
		switch {
		case ctx.Err() != nil:
			r.answer(append(waiters, r.take()...), ErrStopping)
			return
		case r.pending():
			r.putBack(waiters)
			superseded()
		default:
			r.answer(waiters, commit(p, err))
		}
	}
}

func (r *Worker) answer(waiters []chan<- error, err error) {
	for _, w := range waiters {
		w <- err
	}
}
