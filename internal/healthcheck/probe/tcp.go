package probe

import (
	"context"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/healthcheck"
)

// TCP is TCP_CHECK: the check passes when a connection is established
// within Timeout.
type TCP struct {
	Timeout time.Duration
}

// Probe connects to t and closes the connection.
func (p TCP) Probe(ctx context.Context, t healthcheck.Target) healthcheck.Result {
	start := time.Now()
	c, err := dial(ctx, "tcp", t, p.Timeout)
	if err != nil {
		return fail(start, "TCP connect: "+why(err))
	}
	c.Close()
	return pass(start, "TCP connect success")
}
