package e2e

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/lab"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// binary builds cmd/gokeepalived once per test run.
func binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "gke2e")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "gokeepalived")
		out, err := exec.Command("go", "build", "-o", binPath, "github.com/gokeepalived/gokeepalived/cmd/gokeepalived").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// needRoot skips t when the lab cannot be built.
func needRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to build network namespaces (run the suite as root: bash scripts/test.sh)")
	}
}

// node is one daemon running in a lab host.
type node struct {
	host   *lab.Host
	dir    string
	conf   string
	sock   string
	pid    string
	proc   *lab.Proc
	extras []string
	env    []string // NAME=value set for the daemon
}

// newNode prepares a working folder for a daemon on h with config text.
func newNode(t *testing.T, h *lab.Host, conf string) *node {
	t.Helper()
	dir := t.TempDir()
	n := &node{host: h, dir: dir, conf: filepath.Join(dir, "keepalived.conf"),
		sock: filepath.Join(dir, "gk.sock"), pid: filepath.Join(dir, "gk.pid")}
	n.writeConf(t, conf)
	return n
}

func (n *node) writeConf(t *testing.T, conf string) {
	t.Helper()
	conf = strings.ReplaceAll(conf, "@DIR@", n.dir)
	if err := os.WriteFile(n.conf, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
}

// start runs the daemon in the foreground inside the host.
func (n *node) start(t *testing.T) {
	t.Helper()
	name, args := binary(t), append([]string{"-n", "-l", "-D", "-G", "-f", n.conf, "-p", n.pid, "--socket", n.sock}, n.extras...)
	if len(n.env) > 0 {
		name, args = "env", append(append(append([]string{}, n.env...), name), args...)
	}
	p, err := n.host.Run(context.Background(), name, args...)
	if err != nil {
		t.Fatalf("start daemon on %s: %v", n.host.Name, err)
	}
	n.proc = p
	t.Cleanup(func() {
		if t.Failed() || os.Getenv("GK_E2E_LOGS") != "" {
			t.Logf("log of %s:\n%s", n.host.Name, tail(p.Output(), 60))
		}
	})
}

// signal sends sig to the daemon.
func (n *node) signal(t *testing.T, sig syscall.Signal) {
	t.Helper()
	if n.proc == nil {
		t.Fatalf("%s: daemon not started", n.host.Name)
	}
	if err := syscall.Kill(n.proc.Pid, sig); err != nil {
		t.Fatalf("%s: kill %v: %v", n.host.Name, sig, err)
	}
}

// wait waits for the daemon to exit.
func (n *node) wait(t *testing.T, d time.Duration) {
	t.Helper()
	select {
	case <-n.proc.Done():
	case <-time.After(d):
		t.Fatalf("%s: daemon did not exit within %s", n.host.Name, d)
	}
}

func tail(s string, lines int) string {
	ls := strings.Split(s, "\n")
	if len(ls) > lines {
		ls = ls[len(ls)-lines:]
	}
	return strings.Join(ls, "\n")
}

// hasAddr reports whether addr is on h's LAN interface.
// addrOnDev reports whether prefix ("10.0.0.1/24") is on h's interface dev
// according to `ip -o addr show`, and the output; a missing interface is
// false.
func addrOnDev(h *lab.Host, dev, prefix string) (bool, string) {
	out, err := h.Exec(context.Background(), "ip", "-o", "addr", "show", "dev", dev)
	if err != nil {
		return false, fmt.Sprintf("%s: ip addr show dev %s: %v: %s", h.Name, dev, err, out)
	}
	return strings.Contains(out, " "+prefix+" "), out
}

func hasAddr(t *testing.T, h *lab.Host, addr netip.Addr) bool {
	t.Helper()
	ps, err := h.Addrs(context.Background())
	if err != nil {
		t.Fatalf("addrs of %s: %v", h.Name, err)
	}
	for _, p := range ps {
		if p.Addr() == addr {
			return true
		}
	}
	return false
}

// holders returns which of hosts hold addr.
func holders(t *testing.T, addr netip.Addr, hosts ...*lab.Host) []string {
	t.Helper()
	var out []string
	for _, h := range hosts {
		if hasAddr(t, h, addr) {
			out = append(out, h.Name)
		}
	}
	return out
}

// eventually polls cond every 50 ms until it holds or limit passes.
func eventually(t *testing.T, limit time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(limit)
	var last string
	for {
		ok, state := cond()
		if ok {
			return
		}
		last = state
		if time.Now().After(deadline) {
			t.Fatalf("%s: not reached within %s; last: %s", what, limit, last)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitPlacement waits until each VIP is held by exactly the named host.
func waitPlacement(t *testing.T, limit time.Duration, want map[netip.Addr]string, hosts ...*lab.Host) {
	t.Helper()
	eventually(t, limit, fmt.Sprintf("placement %v", want), func() (bool, string) {
		var b strings.Builder
		ok := true
		for addr, h := range want {
			got := holders(t, addr, hosts...)
			fmt.Fprintf(&b, "%s on %v; ", addr, got)
			if len(got) != 1 || got[0] != h {
				ok = false
			}
		}
		return ok, b.String()
	})
}
