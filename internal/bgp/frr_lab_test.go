package bgp_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/lab"
)

// anycast is the route both nodes announce.
const anycast = "10.99.0.1/32"

// TestFRRAnycast runs FRR's bgpd and zebra in a router namespace and a
// speaker in each of two node namespaces announcing the anycast_group
// 10.99.0.1/32, and reads FRR's RIB: two next hops; a failed tracker on
// one node withdraws its path; the tracker back brings it back after the
// hold-down; a graceful shutdown marks the path with GRACEFUL_SHUTDOWN
// before withdrawing it; a hung speaker's path goes at the hold time. The
// times each step takes to reach the router are logged (docs/BENCHMARKS.md).
func TestFRRAnycast(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root for network namespaces")
	}
	l := lab.New(t, lab.Spec{Hosts: lab.Hosts("r", "a", "b")})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	r := startFRR(t, ctx, l.Host("r"))
	a := startSpeaker(t, ctx, l.Host("a"))
	b := startSpeaker(t, ctx, l.Host("b"))
	const ipA, ipB = "192.168.1.3", "192.168.1.4"

	a.do(t, "health chk_web 1")
	b.do(t, "health chk_web 1")
	r.waitHops(t, ctx, "both nodes announce", ipA, ipB)

	// Rounds of failure and recovery on a, timed at the router.
	var down, up []time.Duration
	for range 5 {
		start := time.Now()
		a.do(t, "health chk_web 0")
		r.waitHops(t, ctx, "a's tracker failed", ipB)
		down = append(down, time.Since(start))
		start = time.Now()
		a.do(t, "health chk_web 1")
		r.waitHops(t, ctx, "a's tracker back", ipA, ipB)
		up = append(up, time.Since(start))
	}
	t.Logf("measure: tracker failure -> withdrawn at the router: %v", down)
	t.Logf("measure: tracker back -> announced at the router (hold_down 1s from the failure): %v", up)

	start := time.Now()
	done := make(chan string, 1)
	go func() { done <- a.doLine(t, "gshut") }()
	r.waitPaths(t, ctx, "a's path carries GRACEFUL_SHUTDOWN", func(ps []bgpPath) bool {
		return slices.ContainsFunc(ps, func(p bgpPath) bool { return p.via == ipA && strings.Contains(p.community, "graceful-shutdown") })
	})
	t.Logf("measure: graceful shutdown -> community at the router: %v", time.Since(start))
	// FRR gives a GRACEFUL_SHUTDOWN path local-pref 0, so traffic leaves
	// a's path before it is withdrawn.
	r.waitHops(t, ctx, "a's path is no longer used", ipB)
	t.Logf("measure: graceful shutdown -> path unused at the router: %v", time.Since(start))
	r.waitPaths(t, ctx, "a's path withdrawn", func(ps []bgpPath) bool {
		return !slices.ContainsFunc(ps, func(p bgpPath) bool { return p.via == ipA })
	})
	t.Logf("measure: graceful shutdown -> withdrawn at the router: %v (graceful_shutdown 1s)", time.Since(start))
	if got := <-done; got != "ok <nil>" {
		t.Errorf("gshut answered %q", got)
	}

	// A hung speaker (stopped, its TCP session still open) keeps its route
	// until the router's hold timer (3 s) expires.
	if err := b.proc.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	start = time.Now()
	r.waitHops(t, ctx, "b hung")
	t.Logf("measure: hung speaker -> withdrawn at the router: %v (hold time 3s)", time.Since(start))
	_ = b.proc.Signal(syscall.SIGCONT)
}

// router is FRR in a namespace.
type router struct{ *lab.FRR }

func startFRR(t *testing.T, ctx context.Context, h *lab.Host) *router {
	t.Helper()
	r := h.MustStartFRR(t, lab.RouterConf("192.168.1.2", "192.168.1.3", "192.168.1.4"))
	return &router{r}
}

// waitHops polls the RIB every 20 ms until the next hops are want.
func (r *router) waitHops(t *testing.T, ctx context.Context, what string, want ...string) {
	t.Helper()
	if _, err := r.WaitHops(ctx, 60*time.Second, anycast, want...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// bgpPath is one path of the anycast prefix in FRR's BGP table.
type bgpPath struct{ via, community string }

// paths reads the BGP table's paths to the anycast prefix.
func (r *router) paths(ctx context.Context) ([]bgpPath, error) {
	out, err := r.Vtysh(ctx, "show bgp ipv4 unicast "+anycast+" json")
	if err != nil {
		return nil, err
	}
	var v struct {
		Paths []struct {
			Community struct{ String string }
			Nexthops  []struct{ IP string }
		}
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		return nil, fmt.Errorf("%w: %s", err, out)
	}
	var ps []bgpPath
	for _, p := range v.Paths {
		if len(p.Nexthops) > 0 {
			ps = append(ps, bgpPath{via: p.Nexthops[0].IP, community: p.Community.String})
		}
	}
	return ps, nil
}

// waitPaths polls the BGP table every 20 ms until ok holds.
func (r *router) waitPaths(t *testing.T, ctx context.Context, what string, ok func([]bgpPath) bool) {
	t.Helper()
	var ps []bgpPath
	var err error
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if ps, err = r.paths(ctx); err == nil && ok(ps) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s: paths %+v (err %v)", what, ps, err)
}

// node is a speaker process in a node namespace.
type node struct {
	proc *lab.Proc
	in   io.Writer
	out  *bufio.Scanner
}

func startSpeaker(t *testing.T, ctx context.Context, h *lab.Host) *node {
	t.Helper()
	me := h.Addr(false)
	conf := fmt.Sprintf(`global_defs {
    enable_script_security
    bgp_speaker {
        local_as 65001
        router_id %s
        hold_down 1
        graceful_shutdown 1
        neighbor 192.168.1.2 {
            remote_as 65000
            hold_time 3
            keepalive_time 1
        }
    }
}
vrrp_script chk_web {
    script /bin/true
}
anycast_group WEB {
    virtual_ipaddress {
        %s
    }
    track_script {
        chk_web
    }
}
`, me, anycast)
	path := filepath.Join(t.TempDir(), "keepalived.conf")
	if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := h.Command(ctx, exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"="+path)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	logPath := filepath.Join(t.TempDir(), "speaker.log")
	logf, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { logf.Close() })
	cmd.Stderr = logf
	p, err := h.Start(cmd)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			log, _ := os.ReadFile(logPath)
			t.Logf("speaker %s log:\n%s", h.Name, log)
		}
	})
	return &node{proc: p, in: stdin, out: bufio.NewScanner(stdout)}
}

// doLine sends one command and returns the answer line.
func (n *node) doLine(t *testing.T, cmd string) string {
	if _, err := fmt.Fprintln(n.in, cmd); err != nil {
		t.Errorf("send %q: %v", cmd, err)
		return ""
	}
	if !n.out.Scan() {
		t.Errorf("no answer to %q: %v", cmd, n.out.Err())
		return ""
	}
	return n.out.Text()
}

// do sends a command that must answer ok.
func (n *node) do(t *testing.T, cmd string) {
	t.Helper()
	if got := n.doLine(t, cmd); got != "ok" {
		t.Fatalf("%s: answered %q", cmd, got)
	}
}
