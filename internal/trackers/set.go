package trackers

import (
	"context"
	"log/slog"
	"slices"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/effect"
	"github.com/gokeepalived/gokeepalived/internal/system"
	"github.com/gokeepalived/gokeepalived/internal/track"
)

// Config configures a Set.
type Config struct {
	Log *slog.Logger
	// Check passes a script through the script gate; a refusal is logged
	// by it and returned.
	Check func(track.Spec, config.Pos) (track.Checked, error)
	// Results receives each script run, for the loop to pass to Result.
	Results chan<- Event
	// Post runs fn on the loop, giving up when ctx ends; false when it
	// did not run.
	Post func(ctx context.Context, fn func()) bool
	// Changed is called on the loop when a file's or process's state
	// changed.
	Changed func()
	// Lookup finds an interface by name (track_interface's status and
	// the report of missing ones).
	Lookup func(name string) (system.Link, error)
	// Exec runs the scripts; nil is track.OSExec (the daemon's System
	// passes its own, so the in-process harness can fake scripts).
	Exec track.Execer
}

// Event is one run of a vrrp_script.
type Event struct {
	Script string
	Result track.Result
}

// Set is the running trackers of one configuration.
type Set struct {
	cfg     Config
	conf    *config.Config
	ctx     context.Context // the runners' parent
	scripts map[string]*scriptRunner

	cancel   context.CancelFunc // the file and process watchers
	gen      int                // bumped at each (re)start; stale callbacks are ignored
	files    map[string]*fileTracker
	procs    map[string]*procTracker
	reported map[string]bool
}

// scriptRunner is one running vrrp_script, or one the gate refused.
type scriptRunner struct {
	conf   *config.VRRPScript
	cancel context.CancelFunc
	state  track.State
	last   track.Result
	lastAt time.Time
	// disabled is why the gate refused the script: it never runs and, as
	// in keepalived, is taken out of tracking (its weight never applies).
	disabled string
}

// New returns a Set that runs nothing yet.
func New(cfg Config) *Set {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Exec == nil {
		cfg.Exec = track.OSExec
	}
	return &Set{cfg: cfg, scripts: map[string]*scriptRunner{}}
}

// Start starts the trackers c uses, until ctx ends or Stop. The first
// file and process values are read before it returns, so the instances
// start with them.
func (s *Set) Start(ctx context.Context, c *config.Config) {
	s.ctx, s.conf = ctx, c
	for _, sc := range s.usedScripts() {
		s.startScript(sc)
	}
	s.startWatchers()
}

// Reload moves the Set to c: the vrrp_scripts whose definition changed
// restart, the ones no longer used stop and new ones start; unchanged ones
// keep running with their state. The file and process watchers restart.
func (s *Set) Reload(c *config.Config) {
	s.conf = c
	want := map[string]*config.VRRPScript{}
	for _, sc := range s.usedScripts() {
		want[sc.Name] = sc
	}
	for name, sr := range s.scripts {
		if sc := want[name]; sc != nil && sameScript(sr.conf, sc) {
			sr.conf = sc
			delete(want, name)
			continue
		}
		sr.cancel()
		delete(s.scripts, name)
	}
	for _, sc := range s.usedScripts() {
		if want[sc.Name] != nil {
			s.startScript(sc)
		}
	}
	s.startWatchers()
}

// Stop stops every runner (their processes are killed) and watcher.
func (s *Set) Stop() {
	for name, sr := range s.scripts {
		sr.cancel()
		delete(s.scripts, name)
	}
	if s.cancel != nil {
		s.cancel()
		s.cancel = nil
	}
}

// Result records a script run and reports whether the script is known
// and whether its state changed.
func (s *Set) Result(ev Event) (known, changed bool) {
	sr := s.scripts[ev.Script]
	if sr == nil {
		return false, false
	}
	sr.last, sr.lastAt = ev.Result, time.Now()
	if ev.Result.State == sr.state {
		return true, false
	}
	sr.state = ev.Result.State
	return true, true
}

// Script returns a vrrp_script's state (effect.States); false when it
// is not running or the gate refused it.
func (s *Set) Script(name string) (effect.Tracker, bool) {
	sr := s.scripts[name]
	if sr == nil || sr.disabled != "" {
		return effect.Tracker{}, false
	}
	return effect.Tracker{State: sr.state, Weight: sr.conf.Weight}, true
}

// File returns a track_file's value (effect.States).
func (s *Set) File(name string) (effect.FileValue, bool) {
	ft := s.files[name]
	if ft == nil {
		return effect.FileValue{}, false
	}
	return effect.FileValue{Value: ft.value, Weight: ft.conf.Weight}, true
}

// Process returns a vrrp_track_process's state (effect.States).
func (s *Set) Process(name string) (effect.Tracker, bool) {
	pt := s.procs[name]
	if pt == nil {
		return effect.Tracker{}, false
	}
	return effect.Tracker{State: pt.state, Weight: pt.conf.Weight}, true
}

// usedScripts returns the vrrp_scripts some instance or group tracks.
func (s *Set) usedScripts() []*config.VRRPScript {
	return used(s.conf, s.conf.Scripts, func(t *config.Tracking) []config.TrackRef { return t.TrackScripts },
		func(sc *config.VRRPScript) string { return sc.Name })
}

// used returns the entries of all that some instance, sync group or
// anycast_group tracks (pick says through which list), in configuration order.
func used[T any](c *config.Config, all []T, pick func(*config.Tracking) []config.TrackRef, name func(T) string) []T {
	names := map[string]bool{}
	for _, ci := range c.Instances {
		for _, r := range pick(&ci.Tracking) {
			names[r.Name] = true
		}
	}
	for _, g := range c.SyncGroups {
		for _, r := range pick(&g.Tracking) {
			names[r.Name] = true
		}
	}
	for _, g := range c.AnycastGroups { // issue 16: health-gated BGP announcements
		for _, r := range pick(&g.Tracking) {
			names[r.Name] = true
		}
	}
	var out []T
	for _, x := range all {
		if names[name(x)] {
			out = append(out, x)
		}
	}
	return out
}

// startScript starts the runner of sc.
func (s *Set) startScript(sc *config.VRRPScript) {
	ctx, cancel := context.WithCancel(s.ctx)
	sr := &scriptRunner{conf: sc, cancel: cancel, state: track.StateInit}
	if sc.InitFail {
		sr.state = track.StateDown
	}
	s.scripts[sc.Name] = sr
	cmd, err := s.cfg.Check(track.TrackSpec(sc), sc.Pos)
	if err != nil {
		sr.disabled = err.Error()
		return
	}
	r := track.NewRunner(track.Script{
		Name: sc.Name, Cmd: cmd, Interval: sc.Interval, Timeout: sc.Timeout,
		Rise: sc.Rise, Fall: sc.Fall, InitFail: sc.InitFail,
	}, s.cfg.Exec, s.cfg.Log, func(res track.Result) {
		select {
		case s.cfg.Results <- Event{Script: sc.Name, Result: res}:
		case <-ctx.Done():
		}
	})
	go r.Run(ctx)
}

// reportOnce reports whether key has not been reported yet, and marks it.
func (s *Set) reportOnce(key string) bool {
	if s.reported == nil {
		s.reported = map[string]bool{}
	}
	if s.reported[key] {
		return false
	}
	s.reported[key] = true
	return true
}

// startWatchers (re)starts the track_file and vrrp_track_process watchers
// and reports tracked interfaces that do not exist.
func (s *Set) startWatchers() {
	if s.cancel != nil {
		s.cancel()
	}
	s.gen++
	ctx, cancel := context.WithCancel(s.ctx)
	s.cancel = cancel
	s.startFiles(ctx, s.gen)
	s.startProcesses(ctx, s.gen)
	s.reportMissingInterfaces()
}

// reportMissingInterfaces warns once per name about a track_interface
// naming an interface that does not exist: it counts as down (FAULT with
// weight 0) until it appears, as keepalived counts a missing interface.
func (s *Set) reportMissingInterfaces() {
	seen := map[string]bool{}
	check := func(owner string, refs []config.TrackRef) {
		for _, r := range refs {
			if seen[r.Name] {
				continue
			}
			seen[r.Name] = true
			if _, err := s.lookup(r.Name); err != nil && s.reportOnce("interface "+r.Name) {
				s.cfg.Log.Warn("tracked interface does not exist; it counts as down until it appears",
					"track_interface", r.Name, "tracked_by", owner, "err", err)
			}
		}
	}
	for _, ci := range s.conf.Instances {
		check(ci.Name, ci.TrackInterfaces)
	}
	for _, g := range s.conf.SyncGroups {
		check(g.Name, g.TrackInterfaces)
	}
}

func (s *Set) lookup(name string) (system.Link, error) {
	if s.cfg.Lookup == nil {
		return system.Link{}, system.ErrNoInterface
	}
	return s.cfg.Lookup(name)
}

// sameScript reports whether a and b define the same script, wherever
// they are written.
func sameScript(a, b *config.VRRPScript) bool {
	type identity struct {
		name, user, group string
		interval, timeout time.Duration
		weight            config.Weight
		rise, fall        int
		initFail          bool
	}
	id := func(s *config.VRRPScript) identity {
		return identity{s.Name, s.User, s.Group, s.Interval, s.Timeout, s.Weight, s.Rise, s.Fall, s.InitFail}
	}
	return id(a) == id(b) && slices.Equal(a.Cmd, b.Cmd)
}
