package daemon

import (
	"context"
	"strings"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/track"
)

// procTracker is one vrrp_track_process in use.
type procTracker struct {
	conf  *config.TrackProcess
	state track.State
}

// usedTrackProcesses returns the vrrp_track_processes some instance or
// sync group tracks, in configuration order.
func (d *Daemon) usedTrackProcesses() []*config.TrackProcess {
	used := map[string]bool{}
	for _, ci := range d.conf.Instances {
		for _, r := range ci.TrackProcesses {
			used[r.Name] = true
		}
	}
	for _, g := range d.conf.SyncGroups {
		for _, r := range g.TrackProcesses {
			used[r.Name] = true
		}
	}
	var out []*config.TrackProcess
	for _, p := range d.conf.TrackProcesses {
		if used[p.Name] {
			out = append(out, p)
		}
	}
	return out
}

// trackProcess converts a vrrp_track_process block to track's matcher.
func trackProcess(p *config.TrackProcess) track.Process {
	return track.Process{
		Name: p.Name, Command: p.Process, Params: p.Params, ParamMatch: p.ParamMatch,
		FullCommand: p.FullCommand, Quorum: p.Quorum, QuorumMax: p.QuorumMax,
		ForkDelay: p.ForkDelay, TerminateDelay: p.TerminateDelay,
	}
}

// startProcesses scans /proc once for the initial states and starts one
// watcher polling for every used vrrp_track_process. A process that is not
// running counts as down (below quorum); its absence at start is reported
// once.
func (d *Daemon) startProcesses(ctx context.Context, gen int) {
	d.trk.procs = map[string]*procTracker{}
	confs := d.usedTrackProcesses()
	if len(confs) == 0 {
		return
	}
	procs := make([]track.Process, len(confs))
	for i, p := range confs {
		procs[i] = trackProcess(p)
	}
	w, err := track.NewProcessWatcher(procs, "", d.log)
	if err != nil {
		d.log.Error("vrrp_track_process: cannot scan processes; every tracked process counts as down", "err", err)
		for _, p := range confs {
			d.trk.procs[p.Name] = &procTracker{conf: p, state: track.StateDown}
		}
		return
	}
	for _, p := range confs {
		st := w.State(p.Name)
		d.trk.procs[p.Name] = &procTracker{conf: p, state: st}
		if st != track.StateUp && d.trk.reportOnce("process "+p.Name) {
			d.log.Warn("tracked process is not running (or below quorum) at start; it counts as down",
				"track_process", p.Name, "process", strings.Join(append([]string{p.Process}, p.Params...), " "), "quorum", p.Quorum)
		}
	}
	go w.Run(ctx, func(name string, s track.State) {
		d.do(ctx, func() { d.processChanged(gen, name, s) })
	})
}

// processChanged applies a new state of vrrp_track_process name.
func (d *Daemon) processChanged(gen int, name string, s track.State) {
	pt := d.trk.procs[name]
	if gen != d.trk.gen || pt == nil || pt.state == s {
		return
	}
	pt.state = s
	d.refreshAll()
}
