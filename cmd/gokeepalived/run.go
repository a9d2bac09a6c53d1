package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/control"
	"github.com/gokeepalived/gokeepalived/internal/daemon"
	"github.com/gokeepalived/gokeepalived/internal/logging"
	"github.com/gokeepalived/gokeepalived/internal/runfile"
)

// envDumpDir, when set, is where the USR1/USR2/JSON dumps go instead of
// /tmp (tests running several daemons on one machine use it).
const envDumpDir = "GOKEEPALIVED_DUMP_DIR"

// defaultPIDFile is the pid file when neither -p nor -r names one: the
// same path as the systemd unit's, so a daemon started by hand and the
// service find each other (keepalived's is /run/keepalived.pid).
const defaultPIDFile = "/run/gokeepalived/gokeepalived.pid"

// Exit codes of the daemon, keepalived's where it has one.
const (
	exitFatal    = 1 // could not start, or stopped on an error
	exitNoConfig = 6 // the configuration cannot be read or has errors (KEEPALIVED_EXIT_NO_CONFIG)
)

// startDaemon is runDaemon; tests replace it so that no test can ever run
// a real daemon in the namespace the test runs in (the root namespace).
var startDaemon = runDaemon

// runDaemon runs the daemon with the parsed flags and returns the exit
// code. Without -n it starts itself again in the background, detached,
// and returns once that copy is running, or with its error and exit code
// when it failed to start (fork.go).
func runDaemon(o *Options) int {
	ns, inst := o.Namespace, ""
	c, diags := config.Load(o.ConfigFile, config.Options{ConfigID: o.ConfigID})
	if c != nil {
		// global_defs net_namespace, which -s overrides, as in keepalived;
		// both it and instance name the syslog identifiers.
		if ns == "" {
			ns = c.Global.NetNamespace
		}
		inst = c.Global.Instance
	}
	if err := enterNamespace(ns); err != nil {
		fmt.Fprintf(os.Stderr, "gokeepalived: %v\n", err)
		return exitFatal
	}
	if !o.DontFork && os.Getenv(envDaemonized) == "" {
		return daemonize()
	}
	rep := openStartReport()
	code, err := serve(o, ns, inst, rep.ready, loadOnce(c, diags, os.Getenv(envReloadReadDelay)))
	if err != nil {
		fmt.Fprintf(os.Stderr, "gokeepalived: %v\n", err)
		rep.failed(err)
	}
	return code
}

// serve builds and runs the daemon until it stops; ready is called once it
// has started. A start-up failure returns its exit code and error.
func serve(o *Options, ns, inst string, ready func(), load loader) (int, error) {
	log, closeLog, err := newLogger(o, ns, inst)
	if err != nil {
		return exitFatal, err
	}
	defer closeLog()
	log.Info("Starting Keepalived (gokeepalived "+version+")", logging.Parent)
	pidFiles := []string{o.PIDFile, o.VRRPPIDFile}
	if pidFiles[0] == "" {
		pidFiles[0] = defaultPIDFile
	}
	socket := o.Socket
	if socket == "" {
		socket = control.DefaultSocketPath
	}
	if socket == "none" {
		socket = ""
	}
	trim := &pageTrimmer{log: log}
	trim.watchBursts()
	started := func() { sdNotifyReady(); trim.soon(); ready() }
	sys, err := daemon.OpenSystem(log)
	if err != nil {
		log.Error("cannot start", "err", err)
		return exitFatal, err
	}
	d, err := daemon.New(daemon.Config{
		File: o.ConfigFile, ConfigID: o.ConfigID, Logger: log, SocketPath: socket,
		MetricsAddr: o.Metrics, DontReleaseVRRP: o.DontReleaseVRRP, DontReleaseIPVS: o.DontReleaseIPVS, PIDFiles: pidFiles,
		Version: version, Ready: started, DumpDir: os.Getenv(envDumpDir),
		Reloading: sdNotifyReloading, Reloaded: started, Stopping: sdNotifyStopping,
		Watchdog: sdNotifyWatchdog, WatchdogInterval: sdWatchdogInterval(),
		LoadConfig: load, CheckersOnly: o.CheckOnly, VRRPOnly: o.VRRPOnly,
	}, sys)
	if err != nil {
		log.Error("cannot start", "err", err)
		if errors.Is(err, daemon.ErrConfig) {
			return exitNoConfig, err
		}
		return exitFatal, err
	}
	if err := d.Run(context.Background()); err != nil {
		var running *runfile.RunningError
		if errors.As(err, &running) || errors.Is(err, control.ErrBusy) {
			log.Error("daemon is already running", "err", err)
		} else {
			log.Error("stopped with an error", "err", err)
		}
		return exitFatal, err
	}
	log.Info("Stopped Keepalived (gokeepalived "+version+")", logging.Parent)
	return 0, nil
}

// loader reads a configuration as config.Load does.
type loader = func(path string, o config.Options) (*config.Config, []config.Diagnostic)

// envReloadReadDelay (a Go duration) makes every read after the first
// sleep that long per file: the lab test's slow filesystem, since config
// refuses the classic stand-in, an include that is a FIFO.
const envReloadReadDelay = "GK_TEST_RELOAD_READ_DELAY"

// loadOnce hands the daemon the configuration runDaemon read (conf,
// diags) on its first read, so that start-up reads the file once, and
// reads afresh for every reload, each file after readDelay when that
// parses as a duration.
func loadOnce(conf *config.Config, diags []config.Diagnostic, readDelay string) loader {
	first := true
	delay, _ := time.ParseDuration(readDelay)
	return func(path string, o config.Options) (*config.Config, []config.Diagnostic) {
		if first {
			first = false
			return conf, diags
		}
		if delay > 0 {
			o.Stat = os.Stat
			o.ReadFile = func(name string) ([]byte, error) {
				time.Sleep(delay)
				return os.ReadFile(name)
			}
		}
		return config.Load(path, o)
	}
}
