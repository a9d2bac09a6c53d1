package probe

import (
	"context"
	"fmt"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/healthcheck"
)

// DefaultMaxReply is keepalived's max_reply_length.
const DefaultMaxReply = 255

// UDP is UDP_CHECK: the payload is sent to the server. Without
// require_reply the check fails only on an ICMP error (port unreachable)
// within the timeout; with it, a reply of the allowed length, matching
// the expected bytes outside the mask, must arrive in time (lengths are
// checked only when reply bytes are given, as keepalived).
type UDP struct {
	Spec    healthcheck.UDPSpec
	Timeout time.Duration
}

// Probe sends one datagram to t.
func (p UDP) Probe(ctx context.Context, t healthcheck.Target) healthcheck.Result {
	start := time.Now()
	c, release, err := connect(ctx, "udp", t, p.Timeout)
	if err != nil {
		return fail(start, "UDP connect: "+why(err))
	}
	defer release()
	if _, err := c.Write(p.Spec.Payload); err != nil {
		return fail(start, "UDP send: "+why(err))
	}
	maxLen := p.Spec.MaxReply
	if maxLen <= 0 {
		maxLen = DefaultMaxReply
	}
	buf := make([]byte, max(maxLen, len(p.Spec.Reply))+1)
	n, err := c.Read(buf)
	switch {
	case err != nil && why(err) == "timeout" && !p.Spec.RequireReply && ctx.Err() == nil:
		return pass(start, "UDP no error")
	case err != nil:
		return fail(start, "UDP read: "+why(err))
	case !p.Spec.RequireReply || p.Spec.Reply == nil:
		return pass(start, "UDP reply")
	case n < p.Spec.MinReply || n > maxLen:
		return fail(start, fmt.Sprintf("UDP reply of %d bytes, want %d-%d", n, p.Spec.MinReply, maxLen))
	case !replyMatches(buf[:n], p.Spec.Reply, p.Spec.ReplyMask):
		return fail(start, "UDP reply data mismatch")
	}
	return pass(start, "UDP reply")
}

// replyMatches compares the reply with want bit by bit, ignoring the bits
// set in mask, over the shorter of the two (keepalived's rule).
func replyMatches(got, want, mask []byte) bool {
	for i, w := range want[:min(len(want), len(got))] {
		m := byte(0)
		if i < len(mask) {
			m = mask[i]
		}
		if (got[i]^w)&^m != 0 {
			return false
		}
	}
	return true
}
