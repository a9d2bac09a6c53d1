package daemon

import (
	"context"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/track"
)

// fileTracker is one track_file in use.
type fileTracker struct {
	conf  *config.TrackFile
	value int
	// watchErr says why the file is not watched (its directory is
	// missing); the value then stays 0.
	watchErr string
}

// usedTrackFiles returns the track_files some instance or sync group
// tracks, in configuration order.
func (d *Daemon) usedTrackFiles() []*config.TrackFile {
	used := map[string]bool{}
	for _, ci := range d.conf.Instances {
		for _, r := range ci.TrackFiles {
			used[r.Name] = true
		}
	}
	for _, g := range d.conf.SyncGroups {
		for _, r := range g.TrackFiles {
			used[r.Name] = true
		}
	}
	var out []*config.TrackFile
	for _, f := range d.conf.TrackFiles {
		if used[f.Name] {
			out = append(out, f)
		}
	}
	return out
}

// startFiles applies init_file, reads every used track file and watches
// each with its own inotify watcher, so one missing directory does not
// stop the others. A file that cannot be watched keeps the value 0 (as
// keepalived counts an unreadable file) and is reported once.
func (d *Daemon) startFiles(ctx context.Context, gen int) {
	d.trk.files = map[string]*fileTracker{}
	for _, f := range d.usedTrackFiles() {
		ft := &fileTracker{conf: f}
		d.trk.files[f.Name] = ft
		if f.InitFile {
			if err := track.InitFile(f.File, f.InitValue, f.Overwrite); err != nil {
				d.log.Error("track_file init_file", "track_file", f.Name, "err", err)
			}
		}
		w, err := track.NewFileWatcher(map[string]string{f.Name: f.File}, d.log)
		if err != nil {
			ft.watchErr = err.Error()
			if d.trk.reportOnce("file " + f.Name) {
				d.log.Error("track_file cannot be watched; its value stays 0", "track_file", f.Name, "file", f.File, "err", err)
			}
			continue
		}
		ft.value = w.Value(f.Name)
		d.log.Info("tracked file", "track_file", f.Name, "file", f.File, "value", ft.value)
		name := f.Name
		go func() {
			err := w.Run(ctx, func(_ string, v int) {
				d.do(ctx, func() { d.fileChanged(gen, name, v) })
			})
			if err != nil {
				d.log.Error("track_file watcher stopped", "track_file", name, "err", err)
			}
		}()
	}
}

// fileChanged applies a new value of track_file name.
func (d *Daemon) fileChanged(gen int, name string, v int) {
	ft := d.trk.files[name]
	if gen != d.trk.gen || ft == nil || ft.value == v {
		return
	}
	d.log.Info("tracked file value changed", "track_file", name, "from", ft.value, "to", v)
	ft.value = v
	d.refreshAll()
}
