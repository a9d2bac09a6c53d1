package trackers

import (
	"fmt"
	"strings"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/control"
	"github.com/gokeepalived/gokeepalived/internal/effect"
	"github.com/gokeepalived/gokeepalived/internal/track"
)

// Status describes every tracker for the control snapshot: the scripts,
// then the tracked interfaces, files and processes.
func (s *Set) Status() []control.Tracker {
	out := s.scriptStatus()
	users := func(pick func(ci *config.Instance) []config.TrackRef, pickG func(g *config.SyncGroup) []config.TrackRef, name string) []string {
		var names []string
		for _, ci := range s.conf.Instances {
			if hasRef(pick(ci), name) {
				names = append(names, ci.Name)
			}
		}
		for _, g := range s.conf.SyncGroups {
			if hasRef(pickG(g), name) {
				names = append(names, g.Name)
			}
		}
		return names
	}
	ifRefs := func(ci *config.Instance) []config.TrackRef { return ci.TrackInterfaces }
	ifRefsG := func(g *config.SyncGroup) []config.TrackRef { return g.TrackInterfaces }
	seen := map[string]bool{}
	addIf := func(r config.TrackRef) {
		if seen[r.Name] {
			return
		}
		seen[r.Name] = true
		status := "BAD"
		if l, err := s.lookup(r.Name); err == nil && l.Up {
			status = "GOOD"
		}
		out = append(out, control.Tracker{Name: r.Name, Kind: "interface", Status: status, Target: r.Name,
			Weight: r.Weight.Value, Instances: users(ifRefs, ifRefsG, r.Name)})
	}
	for _, ci := range s.conf.Instances {
		for _, r := range ci.TrackInterfaces {
			addIf(r)
		}
	}
	for _, g := range s.conf.SyncGroups {
		for _, r := range g.TrackInterfaces {
			addIf(r)
		}
	}
	for _, f := range s.usedFiles() {
		ft := s.files[f.Name]
		if ft == nil {
			continue
		}
		status := "GOOD"
		if track.FileEffect(ft.value, track.Weight{Value: f.Weight.Value, Reverse: f.Weight.Reverse}).Fault {
			status = "BAD"
		}
		target := fmt.Sprintf("%s (value %d)", f.File, ft.value)
		if ft.watchErr != "" {
			target = fmt.Sprintf("%s (value %d, not watched: %s)", f.File, ft.value, ft.watchErr)
		}
		out = append(out, control.Tracker{Name: f.Name, Kind: "file", Status: status, Target: target,
			Weight: f.Weight.Value, Instances: users(
				func(ci *config.Instance) []config.TrackRef { return ci.TrackFiles },
				func(g *config.SyncGroup) []config.TrackRef { return g.TrackFiles }, f.Name)})
	}
	for _, p := range s.usedProcesses() {
		pt := s.procs[p.Name]
		if pt == nil {
			continue
		}
		out = append(out, control.Tracker{Name: p.Name, Kind: "process", Status: trackerStatus(pt.state),
			Target: strings.Join(append([]string{p.Process}, p.Params...), " "), Weight: p.Weight.Value,
			Instances: users(
				func(ci *config.Instance) []config.TrackRef { return ci.TrackProcesses },
				func(g *config.SyncGroup) []config.TrackRef { return g.TrackProcesses }, p.Name)})
	}
	return out
}

// Refs lists an instance's tracked scripts, interfaces, files and
// processes for its status.
func (s *Set) Refs(ci *config.Instance) []control.TrackRef {
	var out []control.TrackRef
	for _, r := range ci.TrackScripts {
		w := r.Weight.Value
		if !r.Weight.Set {
			if sr := s.scripts[r.Name]; sr != nil {
				w = sr.conf.Weight.Value
			}
		}
		out = append(out, control.TrackRef{Name: r.Name, Kind: "script", Weight: w})
	}
	for _, r := range ci.TrackInterfaces {
		out = append(out, control.TrackRef{Name: r.Name, Kind: "interface", Weight: r.Weight.Value})
	}
	for _, r := range ci.TrackFiles {
		if ft := s.files[r.Name]; ft != nil {
			out = append(out, control.TrackRef{Name: r.Name, Kind: "file", Weight: effect.Weight(r, ft.conf.Weight).Value})
		}
	}
	for _, r := range ci.TrackProcesses {
		if pt := s.procs[r.Name]; pt != nil {
			out = append(out, control.TrackRef{Name: r.Name, Kind: "process", Weight: effect.Weight(r, pt.conf.Weight).Value})
		}
	}
	return out
}

func hasRef(refs []config.TrackRef, name string) bool {
	for _, r := range refs {
		if r.Name == name {
			return true
		}
	}
	return false
}

// scriptStatus describes the vrrp_scripts in use, in configuration order.
func (s *Set) scriptStatus() []control.Tracker {
	var out []control.Tracker
	for _, sc := range s.conf.Scripts {
		sr := s.scripts[sc.Name]
		if sr == nil {
			continue
		}
		t := control.Tracker{Name: sc.Name, Kind: "script", Status: trackerStatus(sr.state),
			Target: strings.Join(sc.Cmd, " "), Weight: sc.Weight.Value, Interval: control.Duration(sc.Interval),
			Timeout: control.Duration(sc.Timeout), Rise: sc.Rise, Fall: sc.Fall,
			LastRun: sr.lastAt, LastExitCode: sr.last.Outcome.ExitCode, LastDuration: control.Duration(sr.last.Outcome.Took),
			LastError: scriptError(sr)}
		if sr.disabled != "" { // refused by the script gate, not tracked
			t.Status, t.Disabled = "DISABLED", sr.disabled
		}
		for _, ci := range s.conf.Instances {
			for _, r := range ci.TrackScripts {
				if r.Name == sc.Name {
					t.Instances = append(t.Instances, ci.Name)
				}
			}
		}
		out = append(out, t)
	}
	return out
}

// scriptError is a script's error as status shows it: why the gate
// refused it, or why its last run ended without an exit status of its own
// (not started, timed out, killed by a signal); "" otherwise.
func scriptError(sr *scriptRunner) string {
	if sr.disabled != "" {
		return "refused: " + sr.disabled
	}
	if o := sr.last.Outcome; o.Err != nil || o.TimedOut || o.Signal != 0 {
		return o.String()
	}
	return ""
}

func trackerStatus(s track.State) string {
	switch s {
	case track.StateUp:
		return "GOOD"
	case track.StateDown:
		return "BAD"
	}
	return "INIT"
}
