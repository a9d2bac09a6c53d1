package trackers

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/track"
)

// defaultStartStopTimeout is keepalived's startup_script_timeout and
// shutdown_script_timeout when a script is set without one.
const defaultStartStopTimeout = 10 * time.Second

// RunStartStop runs global_defs' startup_script or shutdown_script s
// (kind), as keepalived's parent does: through check (the script gate),
// as the script user, waiting for it to end. At timeout (default 10 s)
// its process group gets SIGTERM, then SIGKILL 2 s later; the outcome is
// logged and nothing else depends on it.
func RunStartStop(check func(track.Spec, config.Pos) (track.Checked, error), exec track.Execer, log *slog.Logger,
	kind track.ScriptKind, s *config.Script, timeout time.Duration) {
	if s == nil {
		return
	}
	name := kind.String() + "_script"
	cmd, err := check(track.Spec{Kind: kind, Name: name, Argv: s.Cmd, User: s.User, Group: s.Group}, s.Pos)
	if err != nil {
		return
	}
	if timeout <= 0 {
		timeout = defaultStartStopTimeout
	}
	log.Info("Running "+kind.String()+" script "+cmd.Path(), "timeout", timeout)
	o := exec.Exec(context.Background(), track.Command{Script: cmd, Timeout: timeout})
	switch {
	case o.TimedOut:
		log.Warn(kind.String()+" script timed out", "script", cmd.Path(), "timeout", timeout)
	case o.Err != nil:
		log.Warn("Call of "+kind.String()+" script "+cmd.Path()+" failed", "err", o.Err)
	case !o.OK():
		log.Warn(fmt.Sprintf("%s script failed, %s", kind, o), "script", cmd.Path(), "output", string(o.Output))
	default:
		log.Info(kind.String()+" script succeeded", "script", cmd.Path())
	}
}
