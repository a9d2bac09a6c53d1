package trackers

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

// usedFiles returns the track_files some instance or sync group tracks,
// in configuration order.
func (s *Set) usedFiles() []*config.TrackFile {
	return used(s.conf, s.conf.TrackFiles, func(t *config.Tracking) []config.TrackRef { return t.TrackFiles },
		func(f *config.TrackFile) string { return f.Name })
}

// startFiles applies init_file, reads every used track file and watches
// each with its own inotify watcher, so one missing directory does not
// stop the others. A file that cannot be watched keeps the value 0 (as
// keepalived counts an unreadable file) and is reported once.
func (s *Set) startFiles(ctx context.Context, gen int) {
	s.files = map[string]*fileTracker{}
	for _, f := range s.usedFiles() {
		ft := &fileTracker{conf: f}
		s.files[f.Name] = ft
		if f.InitFile {
			if err := track.InitFile(f.File, f.InitValue, f.Overwrite); err != nil {
				s.cfg.Log.Error("track_file init_file", "track_file", f.Name, "err", err)
			}
		}
		w, err := track.NewFileWatcher(map[string]string{f.Name: f.File}, s.cfg.Log)
		if err != nil {
			ft.watchErr = err.Error()
			if s.reportOnce("file " + f.Name) {
				s.cfg.Log.Error("track_file cannot be watched; its value stays 0", "track_file", f.Name, "file", f.File, "err", err)
			}
			continue
		}
		ft.value = w.Value(f.Name)
		s.cfg.Log.Info("tracked file", "track_file", f.Name, "file", f.File, "value", ft.value)
		name := f.Name
		go func() {
			err := w.Run(ctx, func(_ string, v int) {
				s.cfg.Post(ctx, func() { s.fileChanged(gen, name, v) })
			})
			if err != nil {
				s.cfg.Log.Error("track_file watcher stopped", "track_file", name, "err", err)
			}
		}()
	}
}

// fileChanged applies a new value of track_file name.
func (s *Set) fileChanged(gen int, name string, v int) {
	ft := s.files[name]
	if gen != s.gen || ft == nil || ft.value == v {
		return
	}
	s.cfg.Log.Info("tracked file value changed", "track_file", name, "from", ft.value, "to", v)
	ft.value = v
	s.cfg.Changed()
}
