package daemon

import (
	"fmt"
	"net/http"

	"github.com/gokeepalived/gokeepalived/internal/control"
	"github.com/gokeepalived/gokeepalived/internal/runfile"
)

// claim makes this process the daemon of its pid files and control
// socket, before it changes anything on the system: a pid file another
// live daemon holds (*runfile.RunningError) or a control socket another
// daemon serves (control.ErrBusy) stops the start here, so a second
// daemon never runs its stale-VIP cleanup against the first one's VIPs.
// release gives both back, removing only the files this process made.
func (d *Daemon) claim() (release func(), err error) {
	closePIDs, err := runfile.WritePIDs(d.cfg.PIDFiles, d.log.Warn)
	if err != nil {
		return nil, err
	}
	release = func() {
		if d.loop.ctl != nil {
			d.loop.ctl.Close()
		}
		closePIDs()
	}
	if d.cfg.SocketPath != "" {
		srv, err := control.Listen(control.Config{
			Path:     d.cfg.SocketPath,
			Source:   sourceFunc(d.Snapshot),
			Reloader: control.ReloaderFunc(d.Reload),
			// Served only once startServers has built the handler.
			Metrics: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { d.loop.metricsHandler.ServeHTTP(w, r) }),
			Logger:  d.log,
		})
		if err != nil {
			release()
			return nil, fmt.Errorf("control socket: %w", err)
		}
		d.loop.ctl = srv
	}
	return release, nil
}
