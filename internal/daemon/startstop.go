package daemon

import (
	"github.com/gokeepalived/gokeepalived/internal/track"
	"github.com/gokeepalived/gokeepalived/internal/trackers"
)

// runStartupScript runs global_defs' startup_script, as keepalived's
// parent does before it starts anything: through the script gate, as the
// script user, waiting for it to end. At startup_script_timeout (default
// 10 s) it is killed (trackers.RunStartStop); the daemon then starts
// whatever the script's outcome.
func (d *Daemon) runStartupScript() {
	g := d.conf.Global
	trackers.RunStartStop(d.checkScript, d.sys.Exec, d.log, track.KindStartup, g.StartupScript, g.StartupScriptTimeout)
}

// runShutdownScript runs shutdown_script of the configuration in force
// (the last reload's) once every instance has stopped and its addresses
// are gone, and waits for it the same way.
func (d *Daemon) runShutdownScript() {
	g := d.conf.Global
	trackers.RunStartStop(d.checkScript, d.sys.Exec, d.log, track.KindShutdown, g.ShutdownScript, g.ShutdownScriptTimeout)
}
