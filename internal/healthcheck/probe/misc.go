package probe

import (
	"context"
	"fmt"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/healthcheck"
	"github.com/gokeepalived/gokeepalived/internal/track"
)

// Misc is MISC_CHECK: the script, as the script security gate passed it,
// runs in its own process group and is killed at Timeout. Exit 0 passes;
// with Dynamic, exit 2..255 passes too and sets the real server's weight
// to the status minus 2; anything else fails.
type Misc struct {
	Script  track.Checked
	Timeout time.Duration
	Dynamic bool
	Exec    track.Execer // nil: track.OSExec
}

// Probe runs the script once.
func (p Misc) Probe(ctx context.Context, _ healthcheck.Target) healthcheck.Result {
	start := time.Now()
	ex := p.Exec
	if ex == nil {
		ex = track.OSExec
	}
	o := ex.Exec(ctx, track.Command{Script: p.Script, Timeout: p.Timeout})
	return miscResult(start, o, p.Dynamic)
}

// miscResult maps a script's outcome to a Result in keepalived's terms.
func miscResult(start time.Time, o track.Outcome, dynamic bool) healthcheck.Result {
	switch {
	case o.Err != nil:
		return fail(start, "MISC_CHECK: "+o.Err.Error())
	case o.TimedOut:
		return fail(start, "MISC_CHECK timed out")
	case o.Signal != 0:
		return fail(start, fmt.Sprintf("MISC_CHECK failed due to signal %d", int(o.Signal)))
	case o.ExitCode == 0:
		return pass(start, "MISC_CHECK succeeded")
	case dynamic && o.ExitCode >= 2 && o.ExitCode <= 255:
		r := pass(start, fmt.Sprintf("MISC_CHECK succeeded (exit %d: weight %d)", o.ExitCode, o.ExitCode-2))
		r.Weight, r.N = healthcheck.WeightSet, o.ExitCode-2
		return r
	}
	return fail(start, fmt.Sprintf("MISC_CHECK failed, exited with status %d", o.ExitCode))
}

// Refused is the probe of a checker whose script the gate refused: it
// always fails with the gate's reason, so the real server is down and
// says why rather than being silently up.
type Refused struct{ Reason string }

// Probe fails.
func (p Refused) Probe(context.Context, healthcheck.Target) healthcheck.Result {
	return healthcheck.Result{Reason: p.Reason}
}
