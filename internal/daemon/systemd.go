package daemon

import (
	"context"
	"time"
)

// startWatchdog calls Config.Watchdog every WatchdogInterval until ctx
// ends. The call runs on the loop (through d.do), so a loop that is stuck
// stops the pings and systemd's watchdog restarts the daemon.
func (d *Daemon) startWatchdog(ctx context.Context) {
	ping, every := d.cfg.Watchdog, d.cfg.WatchdogInterval
	if ping == nil || every <= 0 {
		return
	}
	go func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				d.do(ctx, ping)
			}
		}
	}()
}

// hook calls f if it is set.
func hook(f func()) {
	if f != nil {
		f()
	}
}
