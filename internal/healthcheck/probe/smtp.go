package probe

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/healthcheck"
)

// DefaultHelo is keepalived's SMTP_CHECK helo_name.
const DefaultHelo = "smtpchecker.keepalived.org"

// SMTP is SMTP_CHECK: the server must greet with 220 and answer HELO with
// 250; the probe then says QUIT.
type SMTP struct {
	Helo    string
	Timeout time.Duration
}

// Probe talks to the SMTP server at t.
func (p SMTP) Probe(ctx context.Context, t healthcheck.Target) healthcheck.Result {
	start := time.Now()
	c, release, err := connect(ctx, "tcp", t, p.Timeout)
	if err != nil {
		return fail(start, "SMTP connect: "+why(err))
	}
	defer release()
	br := bufio.NewReaderSize(&stepReader{ctx: ctx, c: c, d: p.Timeout}, 1024)
	if code, err := smtpReply(br); err != nil || code != 220 {
		return fail(start, smtpWhy("greeting", 220, code, err))
	}
	helo := p.Helo
	if helo == "" {
		helo = DefaultHelo
	}
	step(ctx, c, p.Timeout)
	if _, err := io.WriteString(c, "HELO "+helo+"\r\n"); err != nil {
		return fail(start, "SMTP send HELO: "+why(err))
	}
	if code, err := smtpReply(br); err != nil || code != 250 {
		return fail(start, smtpWhy("HELO", 250, code, err))
	}
	_, _ = io.WriteString(c, "QUIT\r\n")
	return pass(start, "SMTP success")
}

func smtpWhy(what string, want, code int, err error) string {
	if err != nil {
		return fmt.Sprintf("SMTP %s: %s", what, why(err))
	}
	return fmt.Sprintf("SMTP %s: status %d, want %d", what, code, want)
}

// smtpReply reads one reply, skipping continuation lines ("220-..."), and
// returns its code.
func smtpReply(br *bufio.Reader) (int, error) {
	for range 100 {
		line, err := br.ReadSlice('\n')
		if err != nil {
			return 0, err
		}
		if len(line) < 4 {
			return 0, fmt.Errorf("short reply %q", line)
		}
		code, err := strconv.Atoi(string(line[:3]))
		if err != nil {
			return 0, fmt.Errorf("bad reply %q", line)
		}
		if line[3] != '-' {
			return code, nil
		}
	}
	return 0, fmt.Errorf("reply too long")
}
