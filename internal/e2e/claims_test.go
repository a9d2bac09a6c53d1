package e2e

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/control"
	"github.com/gokeepalived/gokeepalived/internal/lab"
)

// End-to-end checks of documented claims (README.md, docs/) that no
// other test covers. Each runs daemons only in lab namespaces, through
// the harness.

// claimConf is instance D on eth1 (as dynConf, whose instance lines are
// fixed) with the state, priority and extra instance lines to fill in:
// %s global_defs lines, %s state, %d priority, %s instance lines, %s VIPs.
const claimConf = `
global_defs {
%s
}
vrrp_instance D {
    state %s
    interface eth1
    virtual_router_id 90
    priority %d
    advert_int 1
%s
    virtual_ipaddress {
        %s
    }
}
`

// docs/operations.md: metrics are served on `global_defs { prometheus_listen ADDR }`
// as well as on --metrics. No --metrics flag here.
func TestClaimPrometheusListen(t *testing.T) {
	needRoot(t)
	l := lab.New(t, lab.Spec{Hosts: lab.Hosts("a")})
	h := l.Host("a")
	const addr = "127.0.0.1:9652"
	n := newNode(t, h, fmt.Sprintf(dynConf, "    prometheus_listen "+addr, "", "eth1", 100, "192.168.1.100/24"))
	n.start(t)
	waitState(t, n, "MASTER", 15*time.Second)
	fams := scrape(t, h, addr)
	for st, want := range map[string]float64{"MASTER": 1, "BACKUP": 0, "FAULT": 0} {
		v := mustMetric(t, fams, "gokeepalived_vrrp_state", map[string]string{"vrrp_instance": "D", "state": st})
		if v != want {
			t.Errorf("gokeepalived_vrrp_state{vrrp_instance=D,state=%s} = %v, want %v", st, v, want)
		}
	}
}

// docs/operations.md: `--socket none` disables the control API; the daemon runs as
// usual (it becomes master and adds its VIP).
func TestClaimSocketNone(t *testing.T) {
	needRoot(t)
	l := lab.New(t, lab.Spec{Hosts: lab.Hosts("a")})
	h := l.Host("a")
	n := newNode(t, h, fmt.Sprintf(claimConf, "", "MASTER", 100, "", "192.168.1.100/24"))
	_, defErr := os.Stat(control.DefaultSocketPath)
	defaultAbsent := os.IsNotExist(defErr)

	// node.start always passes --socket PATH: build the command here, run
	// from the node's folder so that a socket made at a relative path
	// ("none" taken literally) would be found below.
	args := []string{"-C", n.dir, binary(t), "-n", "-l", "-D", "-G", "-f", n.conf, "-p", n.pid, "--socket", "none"}
	p, err := h.Run(context.Background(), "env", args...)
	if err != nil {
		t.Fatalf("start daemon: %v", err)
	}
	n.proc = p
	t.Cleanup(func() {
		if t.Failed() || os.Getenv("GK_E2E_LOGS") != "" {
			t.Logf("log of %s:\n%s", h.Name, tail(p.Output(), 60))
		}
	})

	eventually(t, 10*time.Second, "VIP 192.168.1.100/24 on a's eth1", func() (bool, string) {
		select {
		case <-p.Done():
			return true, "" // reported below
		default:
		}
		return addrOnDev(h, "eth1", "192.168.1.100/24")
	})
	select {
	case <-p.Done():
		t.Fatalf("daemon exited: %v\n%s", p.Wait(), tail(p.Output(), 20))
	default:
	}

	var socks []string
	filepath.WalkDir(n.dir, func(path string, de os.DirEntry, err error) error {
		if err == nil && de.Type()&os.ModeSocket != 0 {
			socks = append(socks, path)
		}
		return nil
	})
	if len(socks) > 0 {
		t.Errorf("--socket none: sockets created in the node's folder: %v", socks)
	}
	if _, err := os.Stat(n.sock); err == nil {
		t.Errorf("--socket none: %s exists", n.sock)
	}
	if _, err := os.Stat(control.DefaultSocketPath); defaultAbsent && err == nil {
		t.Errorf("--socket none: the default socket %s was created", control.DefaultSocketPath)
	}
	if out, code := cli(t, "status", "--socket", filepath.Join(n.dir, "none")); code == 0 {
		t.Errorf("a control API answered at %s:\n%s", filepath.Join(n.dir, "none"), out)
	}

	// Still a working daemon: SIGTERM removes the VIP.
	n.signal(t, syscall.SIGTERM)
	n.wait(t, 10*time.Second)
	if ok, out := addrOnDev(h, "eth1", "192.168.1.100/24"); ok {
		t.Errorf("VIP still on eth1 after SIGTERM:\n%s", out)
	}
}

// docs/operations.md: a VIP's present flag in status is read from the interface, not
// assumed: a VIP deleted behind the daemon's back shows as not present.
func TestClaimStatusPresentReadFromInterface(t *testing.T) {
	needRoot(t)
	l := lab.New(t, lab.Spec{Hosts: lab.Hosts("a")})
	h := l.Host("a")
	// no_track: a deleted address stays deleted (see
	// TestVIPRemovedFromOutsideIsPutBack for the tracked case).
	n := newNode(t, h, fmt.Sprintf(dynConf, "", "", "eth1", 100, "192.168.1.100/24 no_track\n        192.168.1.101/24"))
	n.start(t)
	waitState(t, n, "MASTER", 15*time.Second)
	present := func() map[string]bool {
		out := map[string]bool{}
		for _, v := range inst(t, n, "D").VIPs {
			out[v.Addr.String()] = v.Present
		}
		return out
	}
	eventually(t, 5*time.Second, "both VIPs present", func() (bool, string) {
		p := present()
		return p["192.168.1.100/24"] && p["192.168.1.101/24"], fmt.Sprint(p)
	})

	sh(t, h, "ip addr del 192.168.1.100/24 dev eth1")
	eventually(t, 5*time.Second, "192.168.1.100 not present, 192.168.1.101 present", func() (bool, string) {
		p := present()
		return len(p) == 2 && !p["192.168.1.100/24"] && p["192.168.1.101/24"], fmt.Sprint(p)
	})
	time.Sleep(2500 * time.Millisecond) // adverts go by: no_track, nobody puts it back
	if p := present(); p["192.168.1.100/24"] {
		t.Errorf("a no_track VIP deleted from outside came back: %v", p)
	}
	if s := inst(t, n, "D").State; s != "MASTER" {
		t.Errorf("state %s after the VIP was deleted, want MASTER", s)
	}
	table, _ := cli(t, "status", "--socket", n.sock, "D")
	if !strings.Contains(table, "✗") {
		t.Errorf("status D shows no ✗ for the deleted VIP:\n%s", table)
	}
}

// docs/operations.md: INT stops gracefully like TERM: a master sends one priority-0
// advert and removes its VIPs, so the backup takes over after its skew
// time instead of the master-down interval.
func TestClaimSIGINTGracefulStop(t *testing.T) {
	needRoot(t)
	l := lab.New(t, lab.Spec{Hosts: lab.Hosts("a", "b")})
	a, b := l.Host("a"), l.Host("b")
	c := startCapture(t, l)
	na := newNode(t, a, fmt.Sprintf(dynConf, "", "", "eth1", 150, "192.168.1.6/32"))
	nb := newNode(t, b, fmt.Sprintf(dynConf, "", "", "eth1", 100, "192.168.1.6/32"))
	na.start(t)
	nb.start(t)
	waitStates(t, 20*time.Second, "D", map[string]control.State{"a": "MASTER", "b": "BACKUP"}, na, nb)
	vip := netip.MustParseAddr("192.168.1.6")
	waitPlacement(t, 5*time.Second, map[netip.Addr]string{vip: "a"}, a, b)

	sent := time.Now()
	na.signal(t, syscall.SIGINT)
	na.wait(t, 10*time.Second)
	if hasAddr(t, a, vip) {
		t.Errorf("a still holds %s after SIGINT", vip)
	}
	waitStates(t, 10*time.Second, "D", map[string]control.State{"b": "MASTER"}, nb)
	waitPlacement(t, 5*time.Second, map[netip.Addr]string{vip: "b"}, a, b)

	// From the wire: a's last advert has priority 0, and b's first advert
	// follows it by about b's skew time (0.61 s), far less than the 3.61 s
	// master-down interval b would wait without it.
	var lastA, firstB ioAdvert
	ads := c.adverts()
	for _, ad := range ads {
		if ad.VRID() == 90 && ad.Src == a.Addr(false) {
			lastA = ad
		}
	}
	for _, ad := range ads {
		if ad.VRID() == 90 && ad.Src == b.Addr(false) && !lastA.At.IsZero() && ad.At.After(lastA.At) {
			firstB = ad
			break
		}
	}
	if lastA.At.IsZero() || firstB.At.IsZero() {
		t.Fatalf("adverts around the signal: last of a %v, first of b after it %v", lastA, firstB)
	}
	if lastA.Priority() != 0 {
		t.Errorf("a's last advert %v has priority %d, want 0", lastA, lastA.Priority())
	}
	gap := firstB.At.Sub(lastA.At)
	t.Logf("a's last advert %s after the signal, b's first %s after it", lastA.At.Sub(sent), gap)
	if gap > 2500*time.Millisecond {
		t.Errorf("b's first advert came %s after a's last one, want about 0.61 s (well under the 3.61 s master-down interval)", gap)
	}
}

// docs/configuration.md: the instance's own interface going down means FAULT unless
// dont_track_primary. The FAULT side is covered by
// TestInterfaceUpDownDelays and TestOpsStatusAndMetricsAcrossFailover.
func TestClaimDontTrackPrimary(t *testing.T) {
	needRoot(t)
	l := lab.New(t, lab.Spec{Hosts: lab.Hosts("a")})
	h := l.Host("a")
	n := newNode(t, h, fmt.Sprintf(claimConf, "", "MASTER", 100, "    dont_track_primary", "192.168.1.100/24"))
	n.start(t)
	waitState(t, n, "MASTER", 15*time.Second)
	before := inst(t, n, "D")

	ctx := context.Background()
	if err := h.SetLink(ctx, false); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.SetLink(ctx, true) })
	// FAULT would come at once; watch for a few seconds.
	deadline := time.Now().Add(4 * time.Second)
	for time.Now().Before(deadline) {
		if s := inst(t, n, "D").State; s != "MASTER" {
			t.Fatalf("with dont_track_primary, state %s after eth1 went down, want MASTER", s)
		}
		time.Sleep(200 * time.Millisecond)
	}
	after := inst(t, n, "D")
	if after.LastTransition != before.LastTransition || after.Stats.ReleaseMaster != before.Stats.ReleaseMaster {
		t.Errorf("a transition happened while eth1 was down: last %+v (was %+v), released master %d (was %d)",
			after.LastTransition, before.LastTransition, after.Stats.ReleaseMaster, before.Stats.ReleaseMaster)
	}
	if ok, out := addrOnDev(h, "eth1", "192.168.1.100/24"); !ok {
		t.Errorf("VIP gone while eth1 was down:\n%s", out)
	}
}

// docs/configuration.md: the advert source is re-read when the interface's addresses
// change, but unicast_src_ip stays fixed.
func TestClaimUnicastSrcIPStaysFixed(t *testing.T) {
	needRoot(t)
	l := lab.New(t, lab.Spec{Hosts: lab.Hosts("a", "b")})
	a := l.Host("a")
	const src = "192.168.1.12"
	sh(t, a, "ip addr add "+src+"/24 dev eth1") // a secondary address
	c := startCapture(t, l)
	uni := "    unicast_src_ip " + src + "\n    unicast_peer {\n        192.168.1.3\n    }"
	n := newNode(t, a, fmt.Sprintf(claimConf, "", "MASTER", 100, uni, "192.168.1.100/24"))
	n.start(t)
	waitState(t, n, "MASTER", 15*time.Second)

	fromA := func(since time.Time) []ioAdvert {
		var out []ioAdvert
		for _, ad := range c.adverts() {
			if ad.VRID() == 90 && ad.At.After(since) {
				out = append(out, ad)
			}
		}
		return out
	}
	check := func(what string, since time.Time) {
		t.Helper()
		eventually(t, 5*time.Second, what+": two adverts", func() (bool, string) {
			got := fromA(since)
			return len(got) >= 2, fmt.Sprint(got)
		})
		for _, ad := range fromA(since) {
			if ad.Src.String() != src || ad.Dst.String() != "192.168.1.3" {
				t.Errorf("%s: advert %v, want %s>192.168.1.3", what, ad, src)
			}
		}
		if got := inst(t, n, "D").SourceAddr.String(); got != src {
			t.Errorf("%s: status source address %s, want %s", what, got, src)
		}
	}
	check("at start", time.Time{})

	// Addresses come and go: a new primary in another subnet, another
	// secondary; then both go. The source stays unicast_src_ip.
	mark := time.Now()
	sh(t, a, "ip addr add 10.1.1.1/24 dev eth1")
	sh(t, a, "ip addr add 192.168.1.13/24 dev eth1")
	time.Sleep(1500 * time.Millisecond)
	check("after adding addresses", mark)
	mark = time.Now()
	sh(t, a, "ip addr del 10.1.1.1/24 dev eth1")
	sh(t, a, "ip addr del 192.168.1.13/24 dev eth1")
	time.Sleep(1500 * time.Millisecond)
	check("after removing them", mark)
	if out := n.proc.Output(); strings.Contains(out, "advert source address changed") {
		t.Errorf("the daemon changed the advert source:\n%s", tail(out, 20))
	}
}

// unicast_fault_no_peer: an instance configured for unicast (here an empty
// unicast_peer block) without any peer goes to FAULT instead of falling
// back to multicast, as keepalived ≥ 2.2.5 does; without the keyword it
// runs, multicast, as keepalived does.
func TestUnicastFaultNoPeer(t *testing.T) {
	needRoot(t)
	for _, fault := range []bool{false, true} {
		t.Run(fmt.Sprintf("unicast_fault_no_peer=%v", fault), func(t *testing.T) {
			t.Parallel()
			l := lab.New(t, lab.Spec{Hosts: lab.Hosts("a")})
			lines := "    unicast_peer {\n    }"
			if fault {
				lines += "\n    unicast_fault_no_peer"
			}
			n := newNode(t, l.Host("a"), fmt.Sprintf(claimConf, "", "BACKUP", 100, lines, "192.168.1.100/24"))
			n.start(t)
			if !fault {
				waitState(t, n, "MASTER", 15*time.Second)
				return
			}
			waitState(t, n, "FAULT", 10*time.Second)
			time.Sleep(4 * time.Second) // past the master-down interval
			in := inst(t, n, "D")
			if in.State != "FAULT" || !strings.Contains(in.LastTransition.Cause, "unicast_fault_no_peer") {
				t.Errorf("state %s, last transition %+v; want FAULT because of unicast_fault_no_peer", in.State, in.LastTransition)
			}
		})
	}
}

// vrrp_startup_delay keeps the instances in INIT for that long after the
// daemon starts, then they start as usual.
func TestStartupDelay(t *testing.T) {
	needRoot(t)
	l := lab.New(t, lab.Spec{Hosts: lab.Hosts("a")})
	h := l.Host("a")
	n := newNode(t, h, fmt.Sprintf(claimConf, "    vrrp_startup_delay 5", "MASTER", 100, "", "192.168.1.100/24"))
	started := time.Now()
	n.start(t)
	waitState(t, n, "INIT", 5*time.Second)
	if ok, out := addrOnDev(h, "eth1", "192.168.1.100/24"); ok {
		t.Errorf("VIP already on eth1 during the startup delay:\n%s", out)
	}
	waitState(t, n, "MASTER", 15*time.Second)
	if took := time.Since(started); took < 5*time.Second {
		t.Errorf("MASTER %s after start, inside the 5 s vrrp_startup_delay", took)
	}

	// An instance a reload adds is not delayed.
	conf := fmt.Sprintf(claimConf, "    vrrp_startup_delay 5", "MASTER", 100, "", "192.168.1.100/24")
	n.writeConf(t, conf+"vrrp_instance E {\n    state MASTER\n    interface eth1\n    virtual_router_id 91\n"+
		"    priority 100\n    advert_int 1\n    virtual_ipaddress {\n        192.168.1.101/24\n    }\n}\n")
	if s := sighupReload(t, n, dialNode(t, n)); s.Config.LastReloadError != "" {
		t.Fatalf("reload: %s", s.Config.LastReloadError)
	}
	time.Sleep(1500 * time.Millisecond)
	if st := inst(t, n, "E").State; st == "INIT" {
		t.Errorf("instance added by reload still INIT 1.5 s later: the startup delay applied to a reload")
	}
}
