package daemon

import (
	"context"
	"fmt"
	"slices"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/notify"
	"github.com/gokeepalived/gokeepalived/internal/track"
)

// trackers holds what the loop knows about track_file and
// vrrp_track_process trackers, the once-only reports, and smtp_alert's
// mailer. It is owned by the loop; watcher goroutines reach it only
// through d.do.
type trackers struct {
	cancel   context.CancelFunc
	gen      int // bumped at each (re)start; stale callbacks are ignored
	files    map[string]*fileTracker
	procs    map[string]*procTracker
	reported map[string]bool
	mailer   *notify.Mailer
	mailed   map[notify.Kind]map[string]notify.State
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
	d.startMailer()
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

// refWeight is the weight a track_* reference (script, interface, file or
// process; an instance's own or its sync group's) uses: its own when
// written, else the tracker's. Sync groups change nothing here, as in
// keepalived the loader decides: it writes weight 0 on a member's own
// weighted entries (unless sync_group_tracking_weight), and keeps the
// weights on the group's entries, clearing them only when a member is an
// address owner (config: checkSyncGroupWeights, checkGroupTrackerWeights).
func refWeight(r config.TrackRef, def config.Weight) track.Weight {
	w := def
	if r.Weight.Set {
		w = r.Weight
	}
	return track.Weight{Value: w.Value, Reverse: w.Reverse}
}

// trackWeight is refWeight for the status code's callers; the sync group
// no longer changes anything (see refWeight).
func trackWeight(r config.TrackRef, def config.Weight, _ *config.SyncGroup) track.Weight {
	return refWeight(r, def)
}

// extraEffects adds the effects of vi's track_file and track_process
// trackers (its own and its sync group's) to want.
func (d *Daemon) extraEffects(vi *vinst, want map[string]trackEffect) {
	g := d.syncGroupOf(vi)
	files := slices.Clone(vi.conf.TrackFiles)
	procs := slices.Clone(vi.conf.TrackProcesses)
	if g != nil {
		files = append(files, g.TrackFiles...)
		procs = append(procs, g.TrackProcesses...)
	}
	for _, r := range files {
		ft := d.trk.files[r.Name]
		if ft == nil {
			continue
		}
		e := track.FileEffect(ft.value, refWeight(r, ft.conf.Weight))
		want["track_file "+r.Name] = trackEffect{delta: e.Delta, fault: e.Fault}
	}
	for _, r := range procs {
		pt := d.trk.procs[r.Name]
		if pt == nil {
			continue
		}
		e := refWeight(r, pt.conf.Weight).Effect(pt.state)
		want["track_process "+r.Name] = trackEffect{delta: e.Delta, fault: e.Fault}
	}
}

// applyTracked adds the file and process effects to want, applies them
// all to vi's machine, and announces a change of the effective priority
// (notify_priority_changes).
func (d *Daemon) applyTracked(vi *vinst, want map[string]trackEffect) {
	d.extraEffects(vi, want)
	before := vi.m.EffectivePriority()
	d.applyEffects(vi, want)
	if after := vi.m.EffectivePriority(); after != before {
		vi.log.Info(fmt.Sprintf("(%s) Changing effective priority from %d to %d", vi.conf.Name, before, after), "from", before, "to", after)
		d.priorityChanged(vi)
	}
}

// refreshAll recomputes every instance's tracker effects.
func (d *Daemon) refreshAll() {
	for _, vi := range d.insts {
		d.refreshEffects(vi)
	}
}
