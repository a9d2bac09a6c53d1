package main

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gokeepalived/gokeepalived/bench/procfs"
	"github.com/gokeepalived/gokeepalived/internal/lab"
)

// daemonKind is which VRRP daemon runs.
type daemonKind uint8

const (
	gokeepalived daemonKind = iota + 1
	keepalived
)

// String names the daemon as the tables do.
func (k daemonKind) String() string {
	switch k {
	case gokeepalived:
		return "gokeepalived"
	case keepalived:
		return "keepalived"
	}
	return "unknown"
}

var bothDaemons = []daemonKind{gokeepalived, keepalived}

// instSpec is one vrrp_instance of a generated config.
type instSpec struct {
	vrid     int
	state    string // MASTER or BACKUP
	priority int
	vip      string
	iface    string // "" is eth1
}

// confSpec is a generated keepalived.conf, the same text for both daemons.
type confSpec struct {
	routerID string
	version  int           // 2 or 3
	interval time.Duration // advert_int
	check    string        // vrrp_script path, "" for none
	realtime bool          // vrrp_rt_priority and vrrp_no_swap (the loop under SCHED_RR, memory locked)
	insts    []instSpec
}

// realtimeDefs are the real-time keywords of a realtime confSpec, as
// keepalived's man page gives them for the VRRP process.
const realtimeDefs = "    vrrp_rt_priority 50\n    vrrp_no_swap\n"

// text renders the config in keepalived's syntax.
func (c confSpec) text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "global_defs {\n    router_id %s\n    vrrp_version %d\n", c.routerID, c.version)
	if c.realtime {
		b.WriteString(realtimeDefs)
	}
	b.WriteString("}\n")
	if c.check != "" {
		fmt.Fprintf(&b, "vrrp_script chk {\n    script %q\n    interval 2\n    weight -20\n}\n", c.check)
	}
	for i, in := range c.insts {
		ifname := cmp.Or(in.iface, "eth1")
		fmt.Fprintf(&b, "vrrp_instance VI_%d {\n    state %s\n    interface %s\n    virtual_router_id %d\n",
			i+1, in.state, ifname, in.vrid)
		fmt.Fprintf(&b, "    priority %d\n    advert_int %s\n", in.priority, secs(c.interval))
		if c.check != "" {
			b.WriteString("    track_script {\n        chk\n    }\n")
		}
		fmt.Fprintf(&b, "    virtual_ipaddress {\n        %s\n    }\n}\n", in.vip)
	}
	return b.String()
}

// secs prints d in seconds the way advert_int takes it (1, 0.1, 0.05).
func secs(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', -1, 64)
}

// daemon is one daemon process tree running in a lab host.
type daemon struct {
	kind daemonKind
	host *lab.Host
	dir  string
	proc *lab.Proc
}

// startDaemon writes conf into dir and starts kind in host.
func startDaemon(ctx context.Context, b *bench, kind daemonKind, host *lab.Host, dir string, conf confSpec) (*daemon, error) {
	return startDaemonBin(ctx, b, kind, b.binary(kind), host, dir, conf)
}

// binary is the executable of kind the run was given.
func (b *bench) binary(kind daemonKind) string {
	if kind == keepalived {
		return b.opt.keepalive
	}
	return b.opt.gk
}

// startDaemonBin is startDaemon running the executable name.
func startDaemonBin(ctx context.Context, b *bench, kind daemonKind, name string, host *lab.Host, dir string, conf confSpec) (*daemon, error) {
	path := filepath.Join(dir, "keepalived.conf")
	if err := os.WriteFile(path, []byte(conf.text()), 0o644); err != nil {
		return nil, fmt.Errorf("write config: %w", err)
	}
	// A SIGKILLed keepalived leaves its pid files behind, and then refuses
	// to start ("daemon is already running") when a pid was reused.
	for _, f := range []string{"gk.pid", "k.pid", "k-vrrp.pid", "k-check.pid"} {
		os.Remove(filepath.Join(dir, f))
	}
	var args []string
	switch kind {
	case gokeepalived:
		args = []string{"-n", "-l", "-G", "-f", path, "-p", filepath.Join(dir, "gk.pid"), "--socket", filepath.Join(dir, "gk.sock")}
	case keepalived:
		args = []string{"-n", "-l", "-P", "-f", path, "-p", filepath.Join(dir, "k.pid"),
			"-r", filepath.Join(dir, "k-vrrp.pid"), "-c", filepath.Join(dir, "k-check.pid")}
	}
	p, err := host.Run(context.WithoutCancel(ctx), name, args...)
	if err != nil {
		return nil, fmt.Errorf("start %s on %s: %w", kind, host.Name, err)
	}
	return &daemon{kind: kind, host: host, dir: dir, proc: p}, nil
}

// reload sends SIGHUP (both daemons reload on it).
func (d *daemon) reload() error {
	return d.proc.Signal(syscall.SIGHUP)
}

// kill SIGKILLs the daemon's whole process group (parent, children and
// scripts), as a dying host would.
func (d *daemon) kill() {
	syscall.Kill(-d.proc.Pid, syscall.SIGKILL)
}

// term sends SIGTERM to the daemon (keepalived's parent forwards it).
func (d *daemon) term() error {
	return d.proc.Signal(syscall.SIGTERM)
}

// stop ends the daemon gracefully, or by force after limit, and waits.
func (d *daemon) stop(limit time.Duration) {
	select {
	case <-d.proc.Done():
		return
	default:
	}
	d.term()
	select {
	case <-d.proc.Done():
	case <-time.After(limit):
		d.kill()
		<-d.proc.Done()
	}
}

// exited waits up to limit for the daemon to exit.
func (d *daemon) exited(limit time.Duration) bool {
	select {
	case <-d.proc.Done():
		return true
	case <-time.After(limit):
		return false
	}
}

// logTail returns the end of the daemon's console output.
func (d *daemon) logTail(lines int) string {
	ls := strings.Split(strings.TrimRight(d.proc.Output(), "\n"), "\n")
	if len(ls) > lines {
		ls = ls[len(ls)-lines:]
	}
	return strings.Join(ls, "\n")
}

// pids returns the daemon's pid and every descendant's.
func (d *daemon) pids() []int {
	return procfs.Descendants(d.proc.Pid)
}

// exitedEarly is an error when the daemon has already exited.
func (d *daemon) exitedEarly() error {
	select {
	case <-d.proc.Done():
		return fmt.Errorf("%s exited during the window (%v):\n%s", d.kind, d.proc.Wait(), d.logTail(15))
	default:
		return nil
	}
}
