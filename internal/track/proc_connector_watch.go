package track

import (
	"context"
	"errors"
	"time"
)

// procBatch is what one ReadEvents returned.
type procBatch struct {
	evs []ProcEvent
	err error
}

// runEvents applies process events until ctx is done or the source fails
// (its error is returned). Lost or malformed events trigger a full /proc
// rescan; fork and terminate delays are served by a timer.
func (w *ProcessWatcher) runEvents(ctx context.Context, onChange func(name string, s State)) error {
	batches := make(chan procBatch)
	done := make(chan struct{})
	defer close(done)
	defer w.events.Close() // runs first: unblocks the reader
	go func() {
		for {
			evs, err := w.events.ReadEvents()
			select {
			case batches <- procBatch{evs, err}:
			case <-done:
				return
			}
			if err != nil && !errors.Is(err, errProcEventsLost) && !errors.Is(err, ErrProcEventTruncated) {
				return
			}
		}
	}()
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case b := <-batches:
			for _, ev := range b.evs {
				w.table.apply(ev)
			}
			switch {
			case errors.Is(b.err, errProcEventsLost), errors.Is(b.err, ErrProcEventTruncated):
				w.Log.Warn("process events lost: rescanning /proc", "err", b.err)
				if err := w.rescan(); err != nil {
					return err
				}
			case b.err != nil:
				return b.err
			}
		case <-timer.C:
		}
		if next := w.update(time.Now(), onChange); !next.IsZero() {
			timer.Reset(time.Until(next))
		} else {
			timer.Stop()
		}
	}
}
