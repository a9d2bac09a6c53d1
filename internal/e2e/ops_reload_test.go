package e2e

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gokeepalived/gokeepalived/internal/control"
	"github.com/gokeepalived/gokeepalived/internal/lab"
)

// dialNode returns a control client for n.
func dialNode(t *testing.T, n *node) *control.Client {
	t.Helper()
	statusJSON(t, n) // waits for the socket
	c, err := control.Dial(n.sock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func snap(t *testing.T, c *control.Client) control.Snapshot {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s, err := c.Status(ctx)
	if err != nil {
		t.Fatalf("status: %v", err)
	}
	return s
}

// sighupReload sends SIGHUP to n and waits until the daemon has handled it.
func sighupReload(t *testing.T, n *node, c *control.Client) control.Snapshot {
	t.Helper()
	prev := snap(t, c).Config.LastReloadAt
	n.signal(t, syscall.SIGHUP)
	deadline := time.Now().Add(5 * time.Second)
	for {
		s := snap(t, c)
		if s.Config.LastReloadAt.After(prev) {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: SIGHUP not handled within 5s", n.host.Name)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// postReload reloads n through POST /v1/reload.
func postReload(t *testing.T, c *control.Client) control.ReloadResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	r, err := c.Reload(ctx)
	if err != nil {
		t.Fatalf("reload: %v", err)
	}
	return r
}

// opsPair prepares a (MASTER, priority 100) and b (BACKUP, 90) sharing
// VIP .6 on VRID 51.
func opsPair(t *testing.T, a, b *lab.Host) (na, nb *node) {
	t.Helper()
	return newNode(t, a, opsText("a", "MASTER", 100, []string{"192.168.1.6"}, "")),
		newNode(t, b, opsText("b", "BACKUP", 90, []string{"192.168.1.6"}, ""))
}

// startOpsPair starts a capture on l's bridge, then na and nb, waits for
// .6 on a and for a's delayed gratuitous ARP burst to be over, and returns
// the capture and a control client for each node.
func startOpsPair(t *testing.T, l *lab.Lab, na, nb *node) (*ioCapture, *control.Client, *control.Client) {
	t.Helper()
	wire := startCapture(t, l)
	na.start(t)
	nb.start(t)
	waitPlacement(t, 10*time.Second, map[netip.Addr]string{vip6: na.host.Name}, na.host, nb.host)
	ca, cb := dialNode(t, na), dialNode(t, nb)
	time.Sleep(2500 * time.Millisecond) // the garp_master_delay burst is over
	return wire, ca, cb
}

// advertTimes returns when adverts of vrid from src crossed the wire
// between from and to, and the adverts of vrid from anyone else.
func advertTimes(wire *ioCapture, vrid int, src netip.Addr, from, to time.Time) (times []time.Time, others []ioAdvert) {
	for _, ad := range wire.adverts() {
		if ad.VRID() != vrid || ad.At.Before(from) || ad.At.After(to) {
			continue
		}
		if ad.Src != src {
			others = append(others, ad)
			continue
		}
		times = append(times, ad.At)
	}
	return times, others
}

// largestGap is the longest time between consecutive times.
func largestGap(times []time.Time) time.Duration {
	var gap time.Duration
	for i := 1; i < len(times); i++ {
		gap = max(gap, times[i].Sub(times[i-1]))
	}
	return gap
}

// counters is what must not move during a hitless reload.
type counters struct {
	State                       control.State
	BecomeMaster, ReleaseMaster uint64
	PriZeroSent                 uint64
	LastTransition              time.Time
	Tracker                     string
}

func countersOf(t *testing.T, s control.Snapshot) counters {
	t.Helper()
	in := instanceOf(t, s, "VI_1")
	c := counters{State: in.State, BecomeMaster: in.Stats.BecomeMaster, ReleaseMaster: in.Stats.ReleaseMaster,
		PriZeroSent: in.Stats.PriZeroSent, LastTransition: in.LastTransition.At}
	for _, tr := range s.Trackers {
		if tr.Name == "ok" {
			c.Tracker = tr.Status
		}
	}
	return c
}

// TestOpsHundredReloadsHitless reloads the master (SIGHUP) and the backup
// (POST /v1/reload) 100 times each while a client pings the VIP, and
// checks on the wire and in status that nothing happened: no transition,
// no gratuitous ARP, no advert gap, no lost ping, the script runner kept.
func TestOpsHundredReloadsHitless(t *testing.T) {
	needRoot(t)
	l := lab.New(t, lab.Spec{Hosts: lab.Hosts("a", "b", "client")})
	a, b, cl := l.Host("a"), l.Host("b"), l.Host("client")
	na, nb := opsPair(t, a, b)
	wire, ca, cb := startOpsPair(t, l, na, nb)

	ping := startPinger(t, cl, vip6, 50*time.Millisecond)
	time.Sleep(500 * time.Millisecond)
	beforeA, beforeB := countersOf(t, snap(t, ca)), countersOf(t, snap(t, cb))
	annBefore := len(wire.announcements())
	start := time.Now()
	for i := range 100 {
		if s := sighupReload(t, na, ca); s.Config.LastReloadError != "" {
			t.Fatalf("reload %d of a refused: %s", i, s.Config.LastReloadError)
		}
		if r := postReload(t, cb); !r.OK {
			t.Fatalf("reload %d of b refused: %+v", i, r)
		}
	}
	took := time.Since(start)
	time.Sleep(1500 * time.Millisecond)
	end := time.Now()
	sent, got := ping.stop()

	if diff := cmp.Diff(beforeA, countersOf(t, snap(t, ca))); diff != "" {
		t.Errorf("a changed across 100 reloads (-before +after):\n%s", diff)
	}
	if diff := cmp.Diff(beforeB, countersOf(t, snap(t, cb))); diff != "" {
		t.Errorf("b changed across 100 reloads (-before +after):\n%s", diff)
	}
	if beforeA.State != control.StateMaster || beforeA.Tracker != "GOOD" {
		t.Errorf("a before the reloads: %+v, want MASTER with tracker GOOD", beforeA)
	}
	if extra := wire.announcements()[annBefore:]; len(extra) != 0 {
		t.Errorf("%d gratuitous ARPs during the reloads, want 0: %v", len(extra), extra)
	}

	// Adverts on the wire: only a's, never more than 1.5 advert_int apart.
	var times []time.Time
	for _, ad := range wire.adverts() {
		if ad.VRID() != 51 || ad.At.Before(start.Add(-1500*time.Millisecond)) || ad.At.After(end) {
			continue
		}
		if ad.Src != a.Addr(false) || ad.Priority() != 100 {
			t.Errorf("unexpected advert during the reloads: %s", ad)
			continue
		}
		times = append(times, ad.At)
	}
	var maxGap time.Duration
	for i := 1; i < len(times); i++ {
		maxGap = max(maxGap, times[i].Sub(times[i-1]))
	}
	window := end.Sub(start)
	if maxGap > 1500*time.Millisecond || len(times) < int(window.Seconds()) {
		t.Errorf("adverts during %s of reloads: %d, largest gap %s; want about one a second, no gap above 1.5s", window, len(times), maxGap)
	}

	if sent == 0 || got != sent {
		t.Errorf("client pings during the reloads: %d sent, %d answered; want all answered", sent, got)
	}
	t.Logf("200 reloads in %s (%.1f ms each), %d adverts, largest gap %s, %d pings all answered",
		took, float64(took.Milliseconds())/200, len(times), maxGap, got)
}

// TestOpsReloadInPlace changes a running pair by reload: a VIP added on
// both, a second instance removed, then the master's priority lowered
// below the backup's. Only the difference happens.
func TestOpsReloadInPlace(t *testing.T) {
	needRoot(t)
	l := lab.New(t, lab.Spec{Hosts: lab.Hosts("a", "b")})
	a, b := l.Host("a"), l.Host("b")
	dir := t.TempDir()
	marks := filepath.Join(dir, "notified")
	notifyScript := filepath.Join(dir, "notify.sh")
	if err := os.WriteFile(notifyScript, []byte("#!/bin/sh\necho \"$*\" >> "+marks+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	vi2 := `
vrrp_instance VI_2 {
    interface eth1
    virtual_router_id 52
    priority 100
    advert_int 1
    notify_deleted "` + notifyScript + ` deleted"
    notify ` + notifyScript + `
    virtual_ipaddress {
        192.168.1.10
    }
}
`
	vip9, vip10 := netip.MustParseAddr("192.168.1.9"), netip.MustParseAddr("192.168.1.10")
	na := newNode(t, a, opsText("a", "MASTER", 100, []string{"192.168.1.6"}, vi2))
	nb := newNode(t, b, opsText("b", "BACKUP", 90, []string{"192.168.1.6"}, ""))
	wire := startCapture(t, l)
	na.start(t)
	nb.start(t)
	waitPlacement(t, 10*time.Second, map[netip.Addr]string{vip6: "a", vip10: "a"}, a, b)
	ca, cb := dialNode(t, na), dialNode(t, nb)
	time.Sleep(2500 * time.Millisecond)
	before := countersOf(t, snap(t, ca))
	annBefore, advBefore := len(wire.announcements()), len(wire.adverts())

	// A VIP added on both, VI_2 removed from a.
	nb.writeConf(t, opsText("b", "BACKUP", 90, []string{"192.168.1.6", "192.168.1.9"}, ""))
	na.writeConf(t, opsText("a", "MASTER", 100, []string{"192.168.1.6", "192.168.1.9"}, ""))
	for _, c := range []*control.Client{cb, ca} {
		if r := postReload(t, c); !r.OK {
			t.Fatalf("reload refused: %+v", r)
		}
	}
	waitPlacement(t, 5*time.Second, map[netip.Addr]string{vip6: "a", vip9: "a"}, a, b)
	if h := holders(t, vip10, a, b); len(h) != 0 {
		t.Errorf("removed instance's VIP still on %v", h)
	}
	// The removed instance ran its deleted notifications: notify_deleted,
	// and the generic notify with state DELETED.
	eventually(t, 5*time.Second, "VI_2's deleted notifications", func() (bool, string) {
		b, _ := os.ReadFile(marks)
		out := string(b)
		return strings.Contains(out, "deleted\n") && strings.Contains(out, "INSTANCE VI_2 DELETED"), out
	})
	if diff := cmp.Diff(before, countersOf(t, snap(t, ca))); diff != "" {
		t.Errorf("VI_1 on a changed by a VIP-list reload (-before +after):\n%s", diff)
	}
	var announced []string
	for _, an := range wire.announcements()[annBefore:] {
		if !slices.Contains(announced, an.Addr.String()) {
			announced = append(announced, an.Addr.String())
		}
	}
	if diff := cmp.Diff([]string{"192.168.1.9"}, announced); diff != "" {
		t.Errorf("addresses announced after the reload (-want +got):\n%s", diff)
	}
	var zero []string
	for _, ad := range wire.adverts()[advBefore:] {
		if ad.Priority() == 0 {
			zero = append(zero, fmt.Sprintf("vrid %d from %s", ad.VRID(), ad.Src))
		}
	}
	if diff := cmp.Diff([]string{fmt.Sprintf("vrid 52 from %s", a.Addr(false))}, zero); diff != "" {
		t.Errorf("priority-0 adverts after the reload (-want +got):\n%s", diff)
	}

	// The master's priority drops below the backup's: applied in place,
	// the backup preempts; no restart (no priority 0, no STOP).
	na.writeConf(t, opsText("a", "MASTER", 80, []string{"192.168.1.6", "192.168.1.9"}, ""))
	if r := postReload(t, ca); !r.OK {
		t.Fatalf("reload refused: %+v", r)
	}
	waitStates(t, 10*time.Second, "VI_1", map[string]control.State{"a": control.StateBackup, "b": control.StateMaster}, na, nb)
	in := instanceOf(t, snap(t, ca), "VI_1")
	got := struct {
		Base, Effective int
		From            control.State
		PriZero         uint64
	}{in.BasePriority, in.EffectivePriority, in.LastTransition.From, in.Stats.PriZeroSent}
	want := got
	want.Base, want.Effective, want.From, want.PriZero = 80, 80, control.StateMaster, before.PriZeroSent
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("a after lowering its priority (-want +got):\n%s", diff)
	}
	if !strings.Contains(in.LastTransition.Cause, "higher") {
		t.Errorf("a left MASTER because %q, want a higher priority", in.LastTransition.Cause)
	}
}

// TestOpsBrokenReloadKeepsRunning reloads a syntactically broken file:
// the daemon keeps serving the old configuration and says why in status
// and in `gokeepalived reload`; a fixed file then reloads.
func TestOpsBrokenReloadKeepsRunning(t *testing.T) {
	needRoot(t)
	l := lab.New(t, lab.Spec{Hosts: lab.Hosts("a")})
	a := l.Host("a")
	good := opsText("a", "MASTER", 100, []string{"192.168.1.6"}, "")
	na := newNode(t, a, good)
	na.start(t)
	waitPlacement(t, 10*time.Second, map[netip.Addr]string{vip6: "a"}, a)
	ca := dialNode(t, na)
	before := countersOf(t, snap(t, ca))

	na.writeConf(t, good+"\nvrrp_instance BROKEN {\n    virtual_router_id 300\n")
	s := sighupReload(t, na, ca)
	if s.Config.LastReloadError == "" {
		t.Fatal("a broken configuration was accepted")
	}
	if diff := cmp.Diff(before, countersOf(t, s)); diff != "" {
		t.Errorf("a refused reload changed the running instance (-before +after):\n%s", diff)
	}
	if !hasAddr(t, a, vip6) {
		t.Error("the VIP went away after a refused reload")
	}
	out, code := cli(t, "status", "--socket", na.sock)
	if !strings.Contains(out, "VI_1") || code != 0 {
		t.Errorf("status after a refused reload (exit %d):\n%s", code, out)
	}
	if _, code := cli(t, "reload", "--socket", na.sock); code != 1 {
		t.Errorf("gokeepalived reload of a broken file: exit %d, want 1", code)
	}

	na.writeConf(t, good)
	if _, code := cli(t, "reload", "--socket", na.sock); code != 0 {
		t.Errorf("gokeepalived reload of the fixed file: exit %d, want 0", code)
	}
	if s := snap(t, ca); s.Config.LastReloadError != "" {
		t.Errorf("error still reported after a good reload: %s", s.Config.LastReloadError)
	}
}
