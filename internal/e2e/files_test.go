package e2e

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/lab"
)

// filesVIP is the VIP of the one-instance configurations below.
const filesVIP = "192.168.1.100/24"

// oneMaster is one MASTER instance holding filesVIP on eth1.
func oneMaster() string {
	return fmt.Sprintf(claimConf, "", "MASTER", 100, "", filesVIP)
}

// runToExit runs the binary with args in h and returns its exit code and
// output once it exits; one still running after limit is an error, is
// stopped, and gives -1.
func runToExit(t *testing.T, h *lab.Host, limit time.Duration, name string, args ...string) (int, string) {
	t.Helper()
	p, err := h.Run(context.Background(), name, args...)
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.Done():
	case <-time.After(limit):
		p.Signal(syscall.SIGTERM)
		<-p.Done()
		t.Errorf("%s %v still running after %s; it should have exited", name, args, limit)
		return -1, p.Output()
	}
	var ee *exec.ExitError
	if err := p.Wait(); errors.As(err, &ee) {
		return ee.ExitCode(), p.Output()
	} else if err != nil {
		t.Fatal(err)
	}
	return 0, p.Output()
}

// watchAddrs records address events on h (ip monitor) until the returned
// function is called, which returns them.
func watchAddrs(t *testing.T, h *lab.Host) func() string {
	t.Helper()
	p, err := h.Run(context.Background(), "ip", "-o", "monitor", "address")
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond) // let it subscribe
	return func() string {
		time.Sleep(200 * time.Millisecond) // let it print the last events
		p.Signal(syscall.SIGTERM)
		<-p.Done()
		return p.Output()
	}
}

// A second daemon in the same namespace, with its own pid file but the
// first one's control socket, refuses to start before it touches the
// network: the first one's VIP is never removed (no address event at all),
// and a daemon started through a symlink named keepalived with the first
// one's pid file refuses too, leaving that pid file as it was.
func TestSecondDaemonRefuses(t *testing.T) {
	needRoot(t)
	l := lab.New(t, lab.Spec{Hosts: lab.Hosts("a")})
	h := l.Host("a")
	n := newNode(t, h, oneMaster())
	n.start(t)
	eventually(t, 10*time.Second, "VIP on a", func() (bool, string) { return addrOnDev(h, "eth1", filesVIP) })
	firstPID := readFile(t, n.pid)

	events := watchAddrs(t, h)
	code, out := runToExit(t, h, 15*time.Second, binary(t), "-n", "-l", "-G", "-f", n.conf,
		"-p", filepath.Join(n.dir, "second.pid"), "--socket", n.sock)
	if code != 1 || !strings.Contains(out, "another daemon is serving it") {
		t.Errorf("second daemon on the same socket: exit %d, want 1 and a refusal:\n%s", code, tail(out, 20))
	}
	link := filepath.Join(n.dir, "keepalived")
	if err := os.Symlink(binary(t), link); err != nil {
		t.Fatal(err)
	}
	code, out = runToExit(t, h, 15*time.Second, link, "-n", "-l", "-G", "-f", n.conf,
		"-p", n.pid, "--socket", filepath.Join(n.dir, "other.sock"))
	if code != 1 || !strings.Contains(out, "daemon is already running (pid "+strings.TrimSpace(firstPID)) {
		t.Errorf("daemon named keepalived on the same pid file: exit %d, want 1 and a refusal naming pid %s:\n%s",
			code, strings.TrimSpace(firstPID), tail(out, 20))
	}
	if ev := events(); strings.Contains(ev, "192.168.1.100") {
		t.Errorf("the first daemon's VIP changed while the others tried to start:\n%s", ev)
	}
	if got := readFile(t, n.pid); got != firstPID {
		t.Errorf("first daemon's pid file = %q, want %q", got, firstPID)
	}
	if _, err := os.Stat(filepath.Join(n.dir, "second.pid")); err == nil {
		t.Errorf("the refused daemon left its pid file")
	}
	if ok, state := addrOnDev(h, "eth1", filesVIP); !ok {
		t.Errorf("VIP gone from a: %s", state)
	}
	if s := statusJSON(t, n); s.Daemon.PID != n.proc.Pid {
		t.Errorf("control socket answered by pid %d, want the first daemon %d", s.Daemon.PID, n.proc.Pid)
	}
}

// A symlink planted at the pid file's path is refused (keepalived opens it
// with O_NOFOLLOW): the daemon does not start, and the file the link
// points to keeps its content.
func TestPIDFileSymlinkRefused(t *testing.T) {
	needRoot(t)
	l := lab.New(t, lab.Spec{Hosts: lab.Hosts("a")})
	h := l.Host("a")
	n := newNode(t, h, oneMaster())
	victim := filepath.Join(n.dir, "victim")
	if err := os.WriteFile(victim, []byte("precious\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(victim, n.pid); err != nil {
		t.Fatal(err)
	}
	code, out := runToExit(t, h, 15*time.Second, binary(t), "-n", "-l", "-G", "-f", n.conf, "-p", n.pid, "--socket", n.sock)
	if code != 1 || !strings.Contains(out, "symlink") {
		t.Errorf("exit %d, want 1 and a refusal of the symlink:\n%s", code, tail(out, 20))
	}
	if got := readFile(t, victim); got != "precious\n" {
		t.Errorf("the symlink's target was written: %q", got)
	}
	if ok, _ := addrOnDev(h, "eth1", filesVIP); ok {
		t.Errorf("the refused daemon added its VIP")
	}
}

// Without -n the command returns once the background daemon runs (exit 0),
// or with the daemon's own error and exit code when it cannot start:
// 6 for a missing configuration, as keepalived 2.2.7 exits.
func TestForkReportsStart(t *testing.T) {
	needRoot(t)
	l := lab.New(t, lab.Spec{Hosts: lab.Hosts("a")})
	h := l.Host("a")
	n := newNode(t, h, oneMaster())
	args := func(conf string) []string {
		return []string{"-l", "-G", "-f", conf, "-p", n.pid, "--socket", n.sock}
	}

	missing := filepath.Join(n.dir, "missing.conf")
	code, out := runToExit(t, h, 15*time.Second, binary(t), args(missing)...)
	if code != 6 || !strings.Contains(out, missing) {
		t.Errorf("missing configuration: exit %d, want 6 with the error on stderr:\n%s", code, out)
	}

	noIf := filepath.Join(n.dir, "noif.conf")
	if err := os.WriteFile(noIf, []byte(strings.Replace(oneMaster(), "interface eth1", "interface eth9", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out = runToExit(t, h, 15*time.Second, binary(t), args(noIf)...)
	if code != 1 || !strings.Contains(out, "eth9") {
		t.Errorf("missing interface: exit %d, want 1 with the error on stderr:\n%s", code, out)
	}

	code, out = runToExit(t, h, 15*time.Second, binary(t), args(n.conf)...)
	if code != 0 || out != "" {
		t.Fatalf("good configuration: exit %d, output %q; want 0 and nothing", code, out)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(readFile(t, n.pid)))
	if err != nil {
		t.Fatalf("pid file of the background daemon: %v", err)
	}
	t.Cleanup(func() { stopPID(t, pid) })
	// Ready was reported once the instances started: the API answers now.
	if s := statusJSON(t, n); s.Daemon.PID != pid {
		t.Errorf("status answered by pid %d, want the background daemon %d", s.Daemon.PID, pid)
	}
	eventually(t, 10*time.Second, "VIP on a", func() (bool, string) { return addrOnDev(h, "eth1", filesVIP) })
}

// stopPID stops a daemon that is not our child (it forked away) by pid:
// SIGTERM, then SIGKILL if it is still there after 10 s.
func stopPID(t *testing.T, pid int) {
	t.Helper()
	syscall.Kill(pid, syscall.SIGTERM)
	for range 100 {
		if syscall.Kill(pid, 0) != nil {
			return
		}
		if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil && strings.Contains(string(b), ") Z ") {
			return // exited; waits for a reaper
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Errorf("background daemon %d did not stop on SIGTERM; killing it", pid)
	syscall.Kill(pid, syscall.SIGKILL)
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
