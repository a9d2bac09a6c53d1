package system

import (
	"context"
	"log/slog"
)

// subscription is the plumbing of one netlink subscription: the channel
// that stops it, and where its errors go.
type subscription struct {
	done chan struct{}
	errc chan error
}

func newSubscription() *subscription {
	return &subscription{done: make(chan struct{}), errc: make(chan error, 1)}
}

// onError is the subscription's ErrorCallback: it keeps the first error
// not yet logged and drops the rest.
func (s *subscription) onError(err error) {
	select {
	case s.errc <- err:
	default:
	}
}

// relay converts netlink updates into events on a new channel until ctx is
// done or the updates end, logging subscription errors as what; then it
// stops the subscription and closes the channel.
func relay[U, E any](ctx context.Context, s *subscription, log *slog.Logger, what string, updates <-chan U, conv func(U) E) <-chan E {
	out := make(chan E, 16)
	go func() {
		defer close(out)
		defer close(s.done)
		for {
			select {
			case <-ctx.Done():
				return
			case err := <-s.errc:
				log.Warn(what+" error", "err", err)
			case u, ok := <-updates:
				if !ok {
					return
				}
				select {
				case out <- conv(u):
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return out
}
