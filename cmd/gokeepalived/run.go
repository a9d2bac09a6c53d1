package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/control"
	"github.com/gokeepalived/gokeepalived/internal/daemon"
	"github.com/gokeepalived/gokeepalived/internal/logging"
)

// envDaemonized marks the background child of a daemon that forked.
const envDaemonized = "GOKEEPALIVED_DAEMONIZED"

// envDumpDir, when set, is where the USR1/USR2/JSON dumps go instead of
// /tmp (tests running several daemons on one machine use it).
const envDumpDir = "GOKEEPALIVED_DUMP_DIR"

// Default PID file, as keepalived's /run/keepalived.pid.
const defaultPIDFile = "/run/gokeepalived.pid"

// startDaemon is runDaemon; tests replace it so that no test can ever run
// a real daemon in the namespace the test runs in (the root namespace).
var startDaemon = runDaemon

// runDaemon runs the daemon with the parsed flags and returns the exit
// code. Without -n it starts itself again in the background, detached,
// and returns at once, as keepalived forks.
func runDaemon(o *Options) int {
	ns, inst := o.Namespace, ""
	if c, _ := config.Load(o.ConfigFile, config.Options{ConfigID: o.ConfigID}); c != nil {
		// global_defs net_namespace, which -s overrides, as in keepalived;
		// both it and instance name the syslog identifiers.
		if ns == "" {
			ns = c.Global.NetNamespace
		}
		inst = c.Global.Instance
	}
	if err := enterNamespace(ns); err != nil {
		fmt.Fprintf(os.Stderr, "gokeepalived: %v\n", err)
		return 1
	}
	if !o.DontFork && os.Getenv(envDaemonized) == "" {
		return daemonize()
	}
	log, closeLog, err := newLogger(o, ns, inst)
	if err != nil {
		fmt.Fprintf(os.Stderr, "gokeepalived: %v\n", err)
		return 1
	}
	defer closeLog()
	log.Info("Starting Keepalived (gokeepalived "+version+")", logging.Parent)
	pidFiles := []string{o.PIDFile, o.VRRPPIDFile}
	if pidFiles[0] == "" {
		pidFiles[0] = defaultPIDFile
	}
	if pid, file := runningPIDIn(pidFiles); pid > 0 {
		log.Error("daemon is already running", "pid", pid, "pidfile", file)
		return 1
	}
	socket := o.Socket
	if socket == "" {
		socket = control.DefaultSocketPath
	}
	if socket == "none" {
		socket = ""
	}
	trim := &pageTrimmer{log: log}
	ready := func() { sdNotifyReady(); trim.soon() }
	d, err := daemon.New(daemon.Config{
		File: o.ConfigFile, ConfigID: o.ConfigID, Logger: log, SocketPath: socket,
		MetricsAddr: o.Metrics, DontReleaseVRRP: o.DontReleaseVRRP, PIDFiles: pidFiles,
		Version: version, Ready: ready, DumpDir: os.Getenv(envDumpDir),
		Reloading: sdNotifyReloading, Reloaded: ready, Stopping: sdNotifyStopping,
		Watchdog: sdNotifyWatchdog, WatchdogInterval: sdWatchdogInterval(),
	})
	if err != nil {
		log.Error("cannot start", "err", err)
		fmt.Fprintf(os.Stderr, "gokeepalived: %v\n", err)
		return 1
	}
	if err := d.Run(context.Background()); err != nil {
		log.Error("stopped with an error", "err", err)
		fmt.Fprintf(os.Stderr, "gokeepalived: %v\n", err)
		return 1
	}
	log.Info("Stopped Keepalived (gokeepalived "+version+")", logging.Parent)
	return 0
}

// daemonize starts this program again with the same arguments in a new
// session, detached from the terminal, and returns its start status.
func daemonize() int {
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintf(os.Stderr, "gokeepalived: %v\n", err)
		return 1
	}
	cmd := exec.Command(exe, os.Args[1:]...)
	cmd.Env = append(os.Environ(), envDaemonized+"=1")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(os.Stderr, "gokeepalived: start in background: %v\n", err)
		return 1
	}
	return 0
}

// runningPIDIn returns the first live gokeepalived named by one of the pid
// files (-p and -r both name ours), and that file.
func runningPIDIn(files []string) (int, string) {
	for _, f := range files {
		if f == "" {
			continue
		}
		if pid := runningPID(f); pid > 0 {
			return pid, f
		}
	}
	return 0, ""
}

// runningPID returns the pid in path when that process is alive and is a
// gokeepalived, else 0.
func runningPID(path string) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 || pid == os.Getpid() {
		return 0
	}
	comm, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
	if err != nil || !strings.HasPrefix(strings.TrimSpace(string(comm)), "gokeepalived") {
		return 0
	}
	return pid
}
