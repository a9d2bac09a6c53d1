package daemon

import (
	"context"
	"fmt"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/track"
)

// defaultStartStopTimeout is keepalived's startup_script_timeout and
// shutdown_script_timeout when a script is set without one.
const defaultStartStopTimeout = 10 * time.Second

// runStartupScript runs global_defs' startup_script, as keepalived's
// parent does before it starts anything: through the script gate, as the
// script user, waiting for it to end. At startup_script_timeout (default
// 10 s) its process group gets SIGTERM, then SIGKILL 2 s later; the daemon
// then starts whatever the script's outcome.
func (d *Daemon) runStartupScript() {
	g := d.conf.Global
	d.runStartStop(track.KindStartup, g.StartupScript, g.StartupScriptTimeout)
}

// runShutdownScript runs shutdown_script of the configuration in force
// (the last reload's) once every instance has stopped and its addresses
// are gone, and waits for it the same way.
func (d *Daemon) runShutdownScript() {
	g := d.conf.Global
	d.runStartStop(track.KindShutdown, g.ShutdownScript, g.ShutdownScriptTimeout)
}

func (d *Daemon) runStartStop(kind track.ScriptKind, s *config.Script, timeout time.Duration) {
	if s == nil {
		return
	}
	name := kind.String() + "_script"
	cmd, err := d.checkScript(track.Spec{Kind: kind, Name: name, Argv: s.Cmd, User: s.User, Group: s.Group}, s.Pos)
	if err != nil {
		return
	}
	if timeout <= 0 {
		timeout = defaultStartStopTimeout
	}
	d.log.Info("Running "+kind.String()+" script "+cmd.Path(), "timeout", timeout)
	o := d.sys.Exec.Exec(context.Background(), track.Command{Script: cmd, Timeout: timeout})
	switch {
	case o.TimedOut:
		d.log.Warn(kind.String()+" script timed out", "script", cmd.Path(), "timeout", timeout)
	case o.Err != nil:
		d.log.Warn("Call of "+kind.String()+" script "+cmd.Path()+" failed", "err", o.Err)
	case !o.OK():
		d.log.Warn(fmt.Sprintf("%s script failed, %s", kind, o), "script", cmd.Path(), "output", string(o.Output))
	default:
		d.log.Info(kind.String()+" script succeeded", "script", cmd.Path())
	}
}
