package daemon

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/bgp/announcer"
	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/control"
	"github.com/gokeepalived/gokeepalived/internal/demux"
	"github.com/gokeepalived/gokeepalived/internal/dynif"
	"github.com/gokeepalived/gokeepalived/internal/host"
	"github.com/gokeepalived/gokeepalived/internal/logging"
	"github.com/gokeepalived/gokeepalived/internal/lvs/half"
	"github.com/gokeepalived/gokeepalived/internal/metrics"
	"github.com/gokeepalived/gokeepalived/internal/noaccept"
	"github.com/gokeepalived/gokeepalived/internal/notify"
	"github.com/gokeepalived/gokeepalived/internal/notify/policy"
	"github.com/gokeepalived/gokeepalived/internal/realtime"
	"github.com/gokeepalived/gokeepalived/internal/reload"
	"github.com/gokeepalived/gokeepalived/internal/route"
	"github.com/gokeepalived/gokeepalived/internal/system"
	"github.com/gokeepalived/gokeepalived/internal/trackers"
	"github.com/gokeepalived/gokeepalived/internal/vinst"
	"github.com/gokeepalived/gokeepalived/internal/vmac"
)

// Config configures a Daemon. The command line fills it.
type Config struct {
	// File is the keepalived.conf path (-f).
	File string
	// ConfigID selects @id lines (-i); empty means the short host name.
	ConfigID string
	// Logger receives everything the daemon says. Required.
	Logger *slog.Logger
	// SocketPath is the control API's unix socket; empty disables it. One
	// that another daemon serves stops the start (claim.go).
	SocketPath string
	// MetricsAddr is a TCP address for /metrics; empty means the config's
	// prometheus_listen, and both empty disables it.
	MetricsAddr string
	// DontReleaseVRRP keeps the VIPs on the interfaces at exit (-V).
	DontReleaseVRRP bool
	// DontReleaseIPVS leaves the LVS balancer state in the kernel at exit (-I).
	DontReleaseIPVS bool
	// PIDFiles are written with our pid and locked at start, and removed
	// at exit (keepalived's -p and -r: one process plays both roles). One
	// that another live daemon holds stops the start (claim.go).
	PIDFiles []string
	// Version is reported by the control API.
	Version string
	// DumpDir is where USR1/USR2/JSON dumps go; empty means /tmp, as
	// keepalived.
	DumpDir string
	// Ready is called once every instance has started (systemd READY).
	Ready func()
	// Reloading is called when a reload starts reading the configuration,
	// and Reloaded when it ends, whether it was applied, refused or
	// superseded by a newer request (systemd RELOADING=1, then READY=1).
	// Both are called off the loop.
	Reloading, Reloaded func()
	// Stopping is called when the daemon starts to stop (systemd
	// STOPPING=1).
	Stopping func()
	// Watchdog, when set with WatchdogInterval > 0, is called from the
	// loop every WatchdogInterval (systemd WATCHDOG=1): a stuck loop stops
	// calling it.
	Watchdog         func()
	WatchdogInterval time.Duration
	// LoadConfig reads File at start and at each reload; nil means
	// config.Load. The command hands its own first read back through it,
	// so that start-up reads the file once, and tests pass slow readers.
	LoadConfig func(path string, o config.Options) (*config.Config, []config.Diagnostic)
	// CheckersOnly (-C) runs only the LVS half, VRRPOnly (-P) only VRRP.
	CheckersOnly, VRRPOnly bool
}

// Daemon is a running gokeepalived. Build it with New, run it with Run.
type Daemon struct {
	cfg  Config
	log  *slog.Logger
	sys  sysDeps
	conf *config.Config

	insts []*vinst.Instance
	units []*vinst.Unit
	rx    *demux.Table // the VRRP sockets and which instance an advert is for
	loop  loopState
	rel   reloadState
	trk   trackState
	fx    sysEffects
	ann   announcers
}

// loopState is the loop's own machinery and what reaches into it: the
// requests of the control socket and timers, the loop's timer, the send
// buffer and the servers that ask the loop for snapshots.
type loopState struct {
	ctx       context.Context
	reqCh     chan func()
	timer     system.LoopTimer // the loop's one timer (armTimer)
	pass      vinst.Pass       // the timers by deadline and a pass's batch (batch.go)
	armedAt   time.Time        // the deadline timer is armed to; zero once it fired
	stopping  bool
	startedAt time.Time
	txBuf     []byte           // the advert being sent, shared by all instances
	rt        *realtime.Budget // sleeps now and then under vrrp_rt_priority (nil without)

	ctl            *control.Server // the control socket, bound by claim
	metricsHandler http.Handler    // set by startServers, before ctl serves
}

// reloadState is the reload worker (package reload) and what status says
// about the last reload.
type reloadState struct {
	worker   *reload.Worker // reads and plans reloads off the loop
	loadedAt time.Time
	lastAt   time.Time
	err      string
}

// trackState is the running trackers (package trackers) and the script
// gate, with the channel their results reach the loop on.
type trackState struct {
	ch   chan trackEvent
	set  *trackers.Set // vrrp_script, track_file, vrrp_track_process; made by trackers()
	gate trackers.Gate
}

// sysEffects are the system-side effects beyond VIPs, each owned by its
// package and opened on first use: routes and rules, VMACs, no_accept's
// drop set, the debounced interface states, and the LVS half (whose
// ha_suspend follows the VIPs).
type sysEffects struct {
	rtes *route.Table // static entries, virtual routes and rules (routes())
	vm   *vmac.Manager
	fw   *noaccept.Firewall
	ifs  *dynif.Watcher // interfaces and addresses that come and go
	lvs  *half.Half     // the LVS half; nil when not run
}

// announcers are what state changes reach: notify scripts, the notify
// policy (FIFO priority lines, mails), the FIFOs, the metrics and the BGP
// speaker (routes follow the instances' states).
type announcers struct {
	notifier *notify.Notifier
	notes    *policy.Policy
	fifos    []*notify.FIFO
	metrics  *metrics.Metrics
	bgp      *announcer.Announcer // the BGP side; nil without bgp_speaker
}

// New loads the configuration and takes over sys (OpenSystem in
// production, fakes in tests): the daemon closes it when it stops, New
// when it fails. It fails with the fatal diagnostics when keepalived would
// refuse the configuration (config.Refuses); other problems are logged.
func New(cfg Config, sys System) (*Daemon, error) {
	if err := sys.Check(); err != nil {
		sys.Close()
		return nil, err
	}
	if cfg.Logger == nil {
		sys.Close()
		return nil, errors.New("daemon: no logger")
	}
	conf, err := loadConfig(cfg)
	if err != nil {
		sys.Close()
		return nil, err
	}
	d := &Daemon{
		cfg:  cfg,
		log:  cfg.Logger,
		conf: half.Halves(conf, cfg.CheckersOnly, cfg.VRRPOnly), // -C, -P
		sys:  depsOf(sys),
		rx:   demux.New(sys.OpenConn, cfg.Logger),
		fx:   sysEffects{fw: noaccept.New(sys.OpenFirewall, cfg.Logger)},
		trk:  trackState{ch: make(chan trackEvent, 256)},
		loop: loopState{reqCh: make(chan func())},
		rel:  reloadState{worker: reload.NewWorker()},
	}
	d.fx.ifs = dynif.New(dynif.Deps{Log: d.log, Links: d.sys.links, Addrs: d.sys.addrs,
		Insts: func() []*vinst.Instance { return d.insts }, Delays: func() []config.UpDownDelay { return d.conf.InterfaceUpDownDelays },
		Bind: d.rx.Bind, Unbind: d.rx.Unbind, Refresh: d.refreshEffects, RefreshAll: d.refreshAll, Post: d.post})
	return d, nil
}

// ErrConfig is wrapped by New's error when the configuration cannot be
// read or has errors (keepalived exits 6 then, "not configured").
var ErrConfig = reload.ErrConfig

// loadConfig reads cfg.File through cfg.LoadConfig (reload.Load).
func loadConfig(cfg Config) (*config.Config, error) {
	return reload.Load(cfg.File, cfg.ConfigID, cfg.Logger, cfg.LoadConfig)
}

// Run runs the daemon until ctx is done or SIGTERM/SIGINT, then stops every
// instance gracefully (priority 0, VIPs removed unless DontReleaseVRRP).
func (d *Daemon) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	d.loop.ctx = ctx
	d.rx.Start(ctx)
	d.rx.LogUnknown = d.conf.Global.LogUnknownVRIDs
	d.rx.RxBufs = d.conf.Global.RxBufs
	d.loop.startedAt = time.Now()
	d.rel.loadedAt = d.loop.startedAt
	release, err := d.claim() // claim.go: pid files and control socket, before any change
	if err != nil {
		return err
	}
	defer release()

	sigs := make(chan os.Signal, 8)
	defer d.sys.Signals(sigs)()

	linkCh, err := d.sys.links.Watch(ctx)
	if err != nil {
		return fmt.Errorf("watch links: %w", err)
	}
	d.runStartupScript() // startstop.go: before anything starts, as keepalived
	d.startNotifier()
	if err := d.startAll(); err != nil {
		d.shutdown()
		return err
	}
	// On the loop's goroutine, after the start-up's bulk work (sockets,
	// lookups and stale VIPs for every instance), which a real-time thread
	// would have to do within vrrp_rlimit_rttime.
	d.loop.rt = realtime.Apply(d.log, d.conf.Global.Realtime)
	go d.rel.worker.Run(ctx, d.prepareReload, d.commitReload, d.reloadSuperseded)
	stopServers := d.startServers(ctx)
	defer stopServers()
	if d.cfg.Ready != nil {
		d.cfg.Ready()
	}
	d.startWatchdog(ctx)
	d.log.Info("Startup complete", "instances", len(d.insts), "config", d.cfg.File)

	// The loop's one timer (in production a timerfd: loopTimer).
	timer, err := d.sys.NewTimer()
	if err != nil {
		d.shutdown()
		return fmt.Errorf("loop timer: %w", err)
	}
	d.loop.timer = timer
	defer timer.Close()
	for {
		d.loop.rt.Spend()
		d.bgpSync() // bgp.go: routes follow every event's outcome
		d.armTimer()
		select {
		case <-ctx.Done():
			d.shutdown()
			return nil
		case s := <-sigs:
			if d.handleSignal(s) {
				d.shutdown()
				return nil
			}
		case s := <-d.rx.Ready():
			d.receiveReady(s) // rx.go: every packet the socket has queued
		case ev := <-d.trk.ch:
			d.trackerChanged(ev)
		case ev, ok := <-linkCh:
			if !ok {
				linkCh = nil
				continue
			}
			d.linkChanged(ev)
		case fn := <-d.loop.reqCh:
			fn()
		case <-timer.C():
			d.loop.armedAt = time.Time{} // re-armed even if the deadline stays
			d.receiveQueued()            // rx.go: adverts already queued count before the timers
		}
		d.fireTimers(time.Now())
	}
}

// handleSignal acts on one signal and reports whether to stop.
func (d *Daemon) handleSignal(s os.Signal) bool {
	switch s {
	case syscall.SIGTERM, syscall.SIGINT:
		d.log.Info("Stopping", "signal", s.String(), logging.Parent)
		return true
	case syscall.SIGHUP:
		d.rel.worker.Request(nil) // read and planned off the loop; refusals are logged
	case syscall.SIGUSR1:
		d.dump(control.DataFile, control.WriteData)
		d.dumpLVS() // lvs.go
	case syscall.SIGUSR2:
		d.dump(control.StatsFile, control.WriteStats)
	case host.SigStatsClear:
		d.dump(control.StatsFile, control.WriteStats)
		vinst.ClearStats(d.insts)
	case host.SigJSON:
		v := d.conf.Global.JSONVersion
		d.dump(control.JSONFile, func(w io.Writer, s control.Snapshot) error { return control.WriteJSON(w, s, v) })
	}
	return false
}

// dump writes one of keepalived's dump files (mode 0600, written to a
// temporary file and renamed, so a planted symlink is never followed).
func (d *Daemon) dump(name string, write func(io.Writer, control.Snapshot) error) {
	if d.cfg.DumpDir != "" {
		name = filepath.Join(d.cfg.DumpDir, filepath.Base(name))
	}
	snap := d.snapshot()
	if err := control.DumpFile(name, func(w io.Writer) error { return write(w, snap) }); err != nil {
		d.log.Error("write dump", "file", name, "err", err)
		return
	}
	d.log.Info("dump written", "file", name)
}

// startServers starts the metrics (metrics.Start) and the control API
// bound by claim.
func (d *Daemon) startServers(ctx context.Context) (stop func()) {
	addr := d.cfg.MetricsAddr
	if addr == "" {
		addr = d.conf.Global.PrometheusListen
	}
	var stopMetrics func()
	d.ann.metrics, d.loop.metricsHandler, stopMetrics = metrics.Start(ctx, d.cfg.Version, sourceFunc(d.Snapshot), addr, d.log)
	if d.loop.ctl == nil {
		return stopMetrics
	}
	go d.loop.ctl.Serve()
	return func() { d.loop.ctl.Close(); stopMetrics() }
}

// do runs fn on the loop and waits for it, or gives up when the daemon
// stops or ctx ends.
func (d *Daemon) do(ctx context.Context, fn func()) bool {
	done := make(chan struct{})
	wrapped := func() { fn(); close(done) }
	select {
	case d.loop.reqCh <- wrapped:
	case <-ctx.Done():
		return false
	case <-d.loop.ctx.Done():
		return false
	}
	select {
	case <-done:
		return true
	case <-d.loop.ctx.Done():
		return false
	}
}

// post runs fn on the loop (from a timer or watcher goroutine); it gives
// up when the daemon stops.
func (d *Daemon) post(fn func()) {
	select {
	case d.loop.reqCh <- fn:
	case <-d.loop.ctx.Done():
	}
}

// Snapshot returns the daemon's state, taken on the loop (control.Source).
func (d *Daemon) Snapshot() control.Snapshot {
	var s control.Snapshot
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	d.do(ctx, func() { s = d.snapshot() })
	return s
}

// Reload reloads the configuration as SIGHUP does (control.Reloader) and
// waits for the outcome. The loop keeps running meanwhile.
func (d *Daemon) Reload(ctx context.Context) error {
	done := make(chan error, 1)
	d.rel.worker.Request(done)
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return fmt.Errorf("reload still under way: %w", ctx.Err())
	case <-d.loop.ctx.Done():
		return reload.ErrStopping
	}
}

type sourceFunc func() control.Snapshot

func (f sourceFunc) Snapshot() control.Snapshot { return f() }
