package daemon

import (
	"fmt"
	"github.com/gokeepalived/gokeepalived/internal/effect"
	"strings"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/control"
	"github.com/gokeepalived/gokeepalived/internal/track"
)

// otherTrackers describes the tracked interfaces, files and processes for
// the control snapshot (the scripts are described by snapshot).
func (d *Daemon) otherTrackers() []control.Tracker {
	var out []control.Tracker
	users := func(pick func(ci *config.Instance) []config.TrackRef, pickG func(g *config.SyncGroup) []config.TrackRef, name string) []string {
		var names []string
		for _, ci := range d.conf.Instances {
			if hasRef(pick(ci), name) {
				names = append(names, ci.Name)
			}
		}
		for _, g := range d.conf.SyncGroups {
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
		if l, err := d.sys.links.Lookup(r.Name); err == nil && l.Up {
			status = "GOOD"
		}
		out = append(out, control.Tracker{Name: r.Name, Kind: "interface", Status: status, Target: r.Name,
			Weight: r.Weight.Value, Instances: users(ifRefs, ifRefsG, r.Name)})
	}
	for _, ci := range d.conf.Instances {
		for _, r := range ci.TrackInterfaces {
			addIf(r)
		}
	}
	for _, g := range d.conf.SyncGroups {
		for _, r := range g.TrackInterfaces {
			addIf(r)
		}
	}
	for _, f := range d.usedTrackFiles() {
		ft := d.trk.files[f.Name]
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
	for _, p := range d.usedTrackProcesses() {
		pt := d.trk.procs[p.Name]
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

// otherTrackRefs lists an instance's track_file and track_process entries
// for its status.
func (d *Daemon) otherTrackRefs(ci *config.Instance) []control.TrackRef {
	var out []control.TrackRef
	for _, r := range ci.TrackFiles {
		if ft := d.trk.files[r.Name]; ft != nil {
			out = append(out, control.TrackRef{Name: r.Name, Kind: "file", Weight: effect.Weight(r, ft.conf.Weight).Value})
		}
	}
	for _, r := range ci.TrackProcesses {
		if pt := d.trk.procs[r.Name]; pt != nil {
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
