package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/control"
	"github.com/gokeepalived/gokeepalived/internal/lab"
)

// needKeepalived skips t when the real keepalived is not installed.
func needKeepalived(t *testing.T) string {
	t.Helper()
	needRoot(t)
	p, err := exec.LookPath("keepalived")
	if err != nil {
		t.Skip("keepalived is not installed (Debian package keepalived; scripts/test.sh installs it): interop tests need the real peer")
	}
	return p
}

// vrrpDaemon is one VRRP daemon in a lab host, gokeepalived or the real
// keepalived, driven the same way by the interop scenarios.
type vrrpDaemon interface {
	// kind is "gokeepalived" or "keepalived".
	kind() string
	// host is where the daemon runs.
	host() *lab.Host
	// start starts (or restarts) the daemon.
	start(t *testing.T)
	// stop sends SIGTERM and waits for the daemon to exit.
	stop(t *testing.T)
	// crash takes the host's link down, then SIGKILLs the daemon.
	crash(t *testing.T)
	// waitBackup waits until every instance of the running daemon is in
	// BACKUP state.
	waitBackup(t *testing.T, limit time.Duration)
	// packetErrors lists what the daemon reported so far about refused
	// packets (log lines for keepalived, counters for gokeepalived).
	packetErrors(t *testing.T) []string
	// log is the daemon's log, every run of it.
	log() string
}

// gkDaemon is gokeepalived, through the e2e node helpers.
type gkDaemon struct {
	n *node
	// errs keeps the counters of earlier runs (lost when it stops), logs
	// their logs.
	errs []string
	logs []string
}

func newGK(t *testing.T, h *lab.Host, conf string) *gkDaemon {
	t.Helper()
	return &gkDaemon{n: newNode(t, h, conf)}
}

func (g *gkDaemon) kind() string    { return "gokeepalived" }
func (g *gkDaemon) host() *lab.Host { return g.n.host }
func (g *gkDaemon) start(t *testing.T) {
	t.Helper()
	if g.n.proc != nil {
		g.logs = append(g.logs, g.n.proc.Output())
	}
	os.Remove(g.n.sock)
	g.n.start(t)
}

func (g *gkDaemon) stop(t *testing.T) {
	t.Helper()
	g.errs = append(g.errs, g.packetErrors(t)...)
	g.n.signal(t, syscall.SIGTERM)
	g.n.wait(t, 10*time.Second)
}

func (g *gkDaemon) crash(t *testing.T) {
	t.Helper()
	g.errs = append(g.errs, g.packetErrors(t)...)
	if err := g.n.host.SetLink(context.Background(), false); err != nil {
		t.Fatal(err)
	}
	g.n.signal(t, syscall.SIGKILL)
	g.n.wait(t, 10*time.Second)
}

func (g *gkDaemon) log() string {
	out := strings.Join(g.logs, "")
	if g.n.proc != nil {
		out += g.n.proc.Output()
	}
	return out
}

// status reads the running daemon's snapshot over its control socket.
func (g *gkDaemon) status(t *testing.T) control.Snapshot {
	t.Helper()
	var snap control.Snapshot
	var err error
	for range 50 { // the socket appears shortly after start
		var c *control.Client
		if c, err = control.Dial(g.n.sock); err == nil {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			snap, err = c.Status(ctx)
			cancel()
			c.Close()
			if err == nil {
				return snap
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s: status: %v", g.n.host.Name, err)
	return snap
}

func (g *gkDaemon) waitBackup(t *testing.T, limit time.Duration) {
	t.Helper()
	eventually(t, limit, g.n.host.Name+" gokeepalived in BACKUP", func() (bool, string) {
		s := g.status(t)
		var states []string
		ok := len(s.Instances) > 0
		for _, in := range s.Instances {
			states = append(states, in.Name+"="+in.State.String())
			ok = ok && in.State == control.StateBackup
		}
		return ok, strings.Join(states, " ")
	})
}

// packetErrors lists every non-zero receive error counter of every
// instance, keepalived's and ours.
func (g *gkDaemon) packetErrors(t *testing.T) []string {
	t.Helper()
	if g.n.proc == nil {
		return g.errs
	}
	select {
	case <-g.n.proc.Done():
		return g.errs
	default:
	}
	out := append([]string(nil), g.errs...)
	for _, in := range g.status(t).Instances {
		for _, d := range control.DropCounts(in.Stats) {
			if d.Count > 0 {
				out = append(out, fmt.Sprintf("%s: %s=%d", in.Name, d.Reason, d.Count))
			}
		}
	}
	return out
}

// stats returns one instance's counters.
func (g *gkDaemon) stats(t *testing.T, name string) control.Stats {
	t.Helper()
	in, ok := g.status(t).Instance(name)
	if !ok {
		t.Fatalf("%s: no instance %s", g.n.host.Name, name)
	}
	return in.Stats
}

// kaDaemon is the real keepalived (VRRP only, -P), stopped by its pid.
type kaDaemon struct {
	h    *lab.Host
	bin  string
	dir  string
	conf string
	proc *lab.Proc
	// logs are the outputs of every run so far, the running one last.
	logs []*lab.Proc
}

func newKA(t *testing.T, h *lab.Host, conf string) *kaDaemon {
	t.Helper()
	k := &kaDaemon{h: h, bin: needKeepalived(t), dir: t.TempDir()}
	k.conf = filepath.Join(k.dir, "keepalived.conf")
	conf = strings.ReplaceAll(conf, "@DIR@", k.dir)
	if err := os.WriteFile(k.conf, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() || os.Getenv("GK_E2E_LOGS") != "" {
			t.Logf("keepalived log of %s:\n%s", h.Name, tail(k.log(), 80))
		}
	})
	return k
}

func (k *kaDaemon) kind() string    { return "keepalived" }
func (k *kaDaemon) host() *lab.Host { return k.h }

func (k *kaDaemon) start(t *testing.T) {
	t.Helper()
	// After a SIGKILL the pid files stay, and the killed VRRP child may
	// linger as an unreaped zombie (our pid 1 need not reap orphans), which
	// keepalived takes for "daemon is already running". A reboot would
	// clear /run; do the same.
	for _, f := range []string{"keepalived.pid", "vrrp.pid", "checkers.pid"} {
		os.Remove(filepath.Join(k.dir, f))
	}
	args := []string{"-n", "-l", "-D", "-P", "-f", k.conf,
		"-p", filepath.Join(k.dir, "keepalived.pid"),
		"-r", filepath.Join(k.dir, "vrrp.pid"),
		"-c", filepath.Join(k.dir, "checkers.pid")}
	if k.bin == hmacKA243 { // built without LVS: no -P, no -c
		args = append(args[:3:3], args[4:10]...)
	}
	// TMPDIR: its stats and data dumps go to its own directory, not a
	// /tmp shared with parallel tests.
	p, err := k.h.Run(context.Background(), "env", append([]string{"TMPDIR=" + k.dir, k.bin}, args...)...)
	if err != nil {
		t.Fatalf("start keepalived on %s: %v", k.h.Name, err)
	}
	k.proc = p
	k.logs = append(k.logs, p)
}

func (k *kaDaemon) wait(t *testing.T, d time.Duration) {
	t.Helper()
	select {
	case <-k.proc.Done():
	case <-time.After(d):
		t.Fatalf("%s: keepalived did not exit within %s", k.h.Name, d)
	}
}

func (k *kaDaemon) stop(t *testing.T) {
	t.Helper()
	if err := k.proc.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	k.wait(t, 10*time.Second)
}

// crash takes the link down and SIGKILLs keepalived's process group (the
// parent and its VRRP child at once, so the parent cannot restart it and
// the child gets no chance to send a priority-0 advert).
func (k *kaDaemon) crash(t *testing.T) {
	t.Helper()
	if err := k.h.SetLink(context.Background(), false); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(-k.proc.Pid, syscall.SIGKILL); err != nil {
		t.Fatalf("%s: kill keepalived group %d: %v", k.h.Name, k.proc.Pid, err)
	}
	k.wait(t, 10*time.Second)
}

// log is the output of every run so far.
func (k *kaDaemon) log() string {
	var b strings.Builder
	for i, p := range k.logs {
		fmt.Fprintf(&b, "---- run %d ----\n%s", i+1, p.Output())
	}
	return b.String()
}

func (k *kaDaemon) waitBackup(t *testing.T, limit time.Duration) {
	t.Helper()
	eventually(t, limit, k.h.Name+" keepalived in BACKUP", func() (bool, string) {
		out := k.proc.Output()
		return strings.Contains(out, "Entering BACKUP STATE"), tail(out, 3)
	})
}

// kaRxErrors are keepalived 2.2.7's log messages about a received VRRP
// packet it refuses or finds odd (the format strings of vrrp.c and
// vrrp_scheduler.c, as `strings $(which keepalived)` shows them, with the
// "(instance) " prefix left out and %-verbs as wildcards).
var kaRxErrors = []struct {
	name string
	re   *regexp.Regexp
}{
	{"checksum", regexp.MustCompile(`Invalid VRRPv[23] checksum`)},
	{"old unicast checksum", regexp.MustCompile(`Setting unicast VRRPv3 checksum to old version`)},
	{"ttl", regexp.MustCompile(`invalid TTL/HL\. Received|TTL/HL \d+ not in range`)},
	{"length", regexp.MustCompile(`vrrp packet too (short|long)|VRRP packet too short|VRRP packet with AH too short|ip_tot_len mismatch`)},
	{"version", regexp.MustCompile(`wrong version\. Received`)},
	{"type", regexp.MustCompile(`Invalid packet type\.`)},
	{"auth type", regexp.MustCompile(`received a \d+ auth, expecting|AH header but auth type|No AH header but auth type`)},
	{"password", regexp.MustCompile(`received an invalid passwd`)},
	{"ah", regexp.MustCompile(`IPSEC[- ]AH : (invalid|sequence number)`)}, // not "Syncing seq_num"

	{"interval", regexp.MustCompile(`advertisement interval mismatch`)},
	{"address count", regexp.MustCompile(`received an unexpected ip number count|expected \d+ VIPs but received`)},
	{"address list", regexp.MustCompile(`not present in MASTER advert`)},
	{"cast", regexp.MustCompile(`Expected \w+icast packet but received`)},
	{"vrid", regexp.MustCompile(`Unknown VRID\(\d+\) received`)},
	// keepalived 2.4's auth_hmac refusals.
	{"auth_hmac", regexp.MustCompile(`(missing|malformed|stale|replayed) authentication trailer|unknown authentication key id|invalid authentication HMAC`)},
}

// kaErrorLines returns keepalived's log lines about refused packets,
// prefixed by the kind of error, leaving out kinds listed in allow.
func kaErrorLines(log string, allow ...string) []string {
	var out []string
	for _, line := range strings.Split(log, "\n") {
		for _, e := range kaRxErrors {
			if e.re.MatchString(line) && !ioContains(allow, e.name) {
				out = append(out, e.name+": "+strings.TrimSpace(line))
			}
		}
	}
	return out
}

func ioContains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (k *kaDaemon) packetErrors(t *testing.T) []string { return kaErrorLines(k.log()) }

// linkUp brings h's LAN link back and restores its IPv6 addresses (the
// kernel drops them when the link goes down).
func ioLinkUp(t *testing.T, h *lab.Host) {
	t.Helper()
	ctx := context.Background()
	if err := h.SetLink(ctx, true); err != nil {
		t.Fatal(err)
	}
	// Wait for the carrier: a daemon started before it sees the link
	// down, and IPv6 addresses added before it may be flushed again.
	eventually(t, 5*time.Second, h.Name+" link up", func() (bool, string) {
		out, err := h.Exec(ctx, "ip", "-o", "link", "show", h.Ifname)
		return err == nil && strings.Contains(out, "LOWER_UP") && strings.Contains(out, "state UP"), out
	})
	for _, p := range h.Spec().Addrs {
		if p.Addr().Is6() {
			if _, err := h.Exec(ctx, "ip", "addr", "replace", p.String(), "dev", h.Ifname, "nodad"); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// isolate partitions the LAN (on) or heals it by isolating every host's
// bridge port: isolated ports do not forward to each other, and the hosts'
// links stay up, so the daemons see no link change.
func ioIsolate(t *testing.T, l *lab.Lab, on bool) {
	t.Helper()
	state := "off"
	if on {
		state = "on"
	}
	for _, h := range l.Hosts() {
		out, err := exec.Command("ip", "-n", l.Bridge, "link", "set", "p-"+h.Name, "type", "bridge_slave", "isolated", state).CombinedOutput()
		if err != nil {
			t.Fatalf("bridge port p-%s isolated %s: %v: %s", h.Name, state, err, out)
		}
	}
}
