package trackers

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

// usedProcesses returns the vrrp_track_processes some instance or sync
// group tracks, in configuration order.
func (s *Set) usedProcesses() []*config.TrackProcess {
	return used(s.conf, s.conf.TrackProcesses, func(t *config.Tracking) []config.TrackRef { return t.TrackProcesses },
		func(p *config.TrackProcess) string { return p.Name })
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
func (s *Set) startProcesses(ctx context.Context, gen int) {
	s.procs = map[string]*procTracker{}
	confs := s.usedProcesses()
	if len(confs) == 0 {
		return
	}
	procs := make([]track.Process, len(confs))
	for i, p := range confs {
		procs[i] = trackProcess(p)
	}
	w, err := track.NewProcessWatcher(procs, "", s.cfg.Log)
	if err != nil {
		s.cfg.Log.Error("vrrp_track_process: cannot scan processes; every tracked process counts as down", "err", err)
		for _, p := range confs {
			s.procs[p.Name] = &procTracker{conf: p, state: track.StateDown}
		}
		return
	}
	for _, p := range confs {
		st := w.State(p.Name)
		s.procs[p.Name] = &procTracker{conf: p, state: st}
		if st != track.StateUp && s.reportOnce("process "+p.Name) {
			s.cfg.Log.Warn("tracked process is not running (or below quorum) at start; it counts as down",
				"track_process", p.Name, "process", strings.Join(append([]string{p.Process}, p.Params...), " "), "quorum", p.Quorum)
		}
	}
	go w.Run(ctx, func(name string, st track.State) {
		s.cfg.Post(ctx, func() { s.processChanged(gen, name, st) })
	})
}

// processChanged applies a new state of vrrp_track_process name.
func (s *Set) processChanged(gen int, name string, st track.State) {
	pt := s.procs[name]
	if gen != s.gen || pt == nil || pt.state == st {
		return
	}
	pt.state = st
	s.cfg.Changed()
}
