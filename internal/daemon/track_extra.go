package daemon

import (
	"context"

	"github.com/gokeepalived/gokeepalived/internal/config"
)

// trackers holds what the loop knows about track_file and
// vrrp_track_process trackers, and the once-only reports. It is owned by the loop; watcher goroutines reach it only
// through d.do.
type trackers struct {
	cancel   context.CancelFunc
	gen      int // bumped at each (re)start; stale callbacks are ignored
	files    map[string]*fileTracker
	procs    map[string]*procTracker
	reported map[string]bool
}

// reportOnce reports whether key has not been reported yet, and marks it.
func (t *trackers) reportOnce(key string) bool {
	if t.reported == nil {
		t.reported = map[string]bool{}
	}
	if t.reported[key] {
		return false
	}
	t.reported[key] = true
	return true
}

// startWatchers (re)starts the track_file and vrrp_track_process watchers
// for the current configuration and reports tracked interfaces that do
// not exist. The first values are read before it returns, so the
// instances start with them.
func (d *Daemon) startWatchers() {
	t := &d.trk
	if t.cancel != nil {
		t.cancel()
	}
	t.gen++
	ctx, cancel := context.WithCancel(d.runCtx)
	t.cancel = cancel
	d.startFiles(ctx, t.gen)
	d.startProcesses(ctx, t.gen)
	d.reportMissingInterfaces()
	if d.notes != nil {
		d.notes.Configure(d.conf) // smtp_alert's mailer
	}
}

// restartWatchers is startWatchers after a reload, followed by a refresh
// of every instance's effects with the new trackers.
func (d *Daemon) restartWatchers() {
	d.startWatchers()
	for _, vi := range d.insts {
		d.refreshEffects(vi)
	}
}

// stopWatchers stops the watchers (at shutdown).
func (d *Daemon) stopWatchers() {
	if d.trk.cancel != nil {
		d.trk.cancel()
		d.trk.cancel = nil
	}
}

// reportMissingInterfaces warns once per name about a track_interface
// naming an interface that does not exist: it counts as down (FAULT with
// weight 0) until it appears, as keepalived counts a missing interface.
func (d *Daemon) reportMissingInterfaces() {
	seen := map[string]bool{}
	check := func(owner string, refs []config.TrackRef) {
		for _, r := range refs {
			if seen[r.Name] {
				continue
			}
			seen[r.Name] = true
			if _, err := d.sys.links.Lookup(r.Name); err != nil && d.trk.reportOnce("interface "+r.Name) {
				d.log.Warn("tracked interface does not exist; it counts as down until it appears",
					"track_interface", r.Name, "tracked_by", owner, "err", err)
			}
		}
	}
	for _, ci := range d.conf.Instances {
		check(ci.Name, ci.TrackInterfaces)
	}
	for _, g := range d.conf.SyncGroups {
		check(g.Name, g.TrackInterfaces)
	}
}

// refreshAll recomputes every instance's tracker effects.
func (d *Daemon) refreshAll() {
	for _, vi := range d.insts {
		d.refreshEffects(vi)
	}
}
