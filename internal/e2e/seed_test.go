package e2e

import (
	"fmt"
	"net/netip"
	"syscall"
	"testing"
	"time"
)

// The seed scenario (docs/seed-scenario.md) end to end: real nginx on
// servers a (192.168.1.2) and b (192.168.1.3), each in its own PID and mount
// namespace, the seed's keepalived.conf with its timers (advert_int 2,
// check interval 2, weight -20), and a client host that reaches the VIPs
// over the LAN.

// Timer bounds for the seed's advert_int 2: a backup takes over after
// Master_Down_Interval = 3*2 s + skew (under 1 s), plus one check
// interval to notice a failure, plus room for a loaded machine.
const (
	seedSettle   = 25 * time.Second
	seedTakeover = 20 * time.Second
)

func TestSeedFixedPlainCheck(t *testing.T) {
	for _, kind := range []seedDaemon{seedKeepalived, seedGo} {
		t.Run(kind.name, func(t *testing.T) { testSeedPlainCheck(t, kind) })
	}
}

// testSeedPlainCheck stops and starts nginx on A under a check that fails
// while nginx is down.
func testSeedPlainCheck(t *testing.T, kind seedDaemon) {
	e := newSeedEnv(t, seedFixed, seedPlainCheck, kind)
	e.start(t, e.a)
	e.start(t, e.b)
	waitPlacement(t, seedSettle, map[netip.Addr]string{vip6: "a", vip7: "b"}, e.hosts()...)
	e.wantPage(t, "192.168.1.6", "a", 5*time.Second)
	e.wantPage(t, "192.168.1.7", "b", 5*time.Second)
	e.wantNeigh(t, "192.168.1.6", seedMACA)

	// nginx dies on A: the check fails, A's priority drops to 80 < 90 and
	// B takes .6; the client follows B's gratuitous ARP.
	stopped := time.Now()
	e.a.stopNginx(t)
	waitPlacement(t, seedTakeover, map[netip.Addr]string{vip6: "b", vip7: "b"}, e.hosts()...)
	t.Logf(".6 on b %v after nginx on a stopped", time.Since(stopped).Round(time.Millisecond))
	d := e.wantPage(t, "192.168.1.6", "b", 5*time.Second)
	t.Logf(".6 answered by b %v after b took it", d.Round(time.Millisecond))
	e.wantNeigh(t, "192.168.1.6", seedMACB)
	e.wantPage(t, "192.168.1.7", "b", 5*time.Second)

	// nginx back: A's priority is 100 again and it preempts.
	started := time.Now()
	e.a.startNginx(t)
	waitPlacement(t, seedTakeover, map[netip.Addr]string{vip6: "a", vip7: "b"}, e.hosts()...)
	t.Logf(".6 back on a %v after nginx on a started", time.Since(started).Round(time.Millisecond))
	d = e.wantPage(t, "192.168.1.6", "a", 5*time.Second)
	t.Logf(".6 answered by a %v after a took it back", d.Round(time.Millisecond))
	e.wantNeigh(t, "192.168.1.6", seedMACA)
}

// TestSeedFixedOriginalScript runs the seed's check script as written, with
// the seed's vrrp_script (interval 2, no timeout). keepalived 2.2.7 gives a
// script a timeout equal to its interval, so the script's `sleep 2` gets it
// killed ("timed_out") before it reaches killall: the daemon keeps running
// and the failover comes from weight -20 instead (A's 100 drops to 80 < 90).
// (Which wins, the timeout or killall two seconds in, is a race; keepalived
// and gokeepalived both usually time out. Either way .6 must move.)
func TestSeedFixedOriginalScript(t *testing.T) {
	e := newSeedEnv(t, seedFixed, seedOriginalCheck, seedGo)
	e.start(t, e.a)
	e.start(t, e.b)
	waitPlacement(t, seedSettle, map[netip.Addr]string{vip6: "a", vip7: "b"}, e.hosts()...)

	// nginx cannot start: .6 goes to B.
	e.a.writeNginxConf(t, "this is not an nginx configuration;\n")
	e.a.stopNginx(t)
	waitPlacement(t, seedTakeover, map[netip.Addr]string{vip6: "b", vip7: "b"}, e.hosts()...)
	e.wantPage(t, "192.168.1.6", "b", 5*time.Second)
	e.wantPage(t, "192.168.1.7", "b", 5*time.Second)
	t.Logf("daemon on a stopped by the script: %v (keepalived 2.2.7: usually not, the script times out first)", e.a.daemonDone())
}

// TestSeedFixedOriginalScriptTimeout gives the seed's script room to finish
// (timeout 10 in vrrp_script), which is what its author meant: a dead nginx
// that can start again is restarted and nothing moves; one that cannot
// start makes the script stop the daemon, which releases its VIPs with a
// priority-0 advert, so B takes .6 at once.
func TestSeedFixedOriginalScriptTimeout(t *testing.T) {
	form := seedFixed
	form.extra = "timeout 10"
	e := newSeedEnv(t, form, seedOriginalCheck, seedGo)
	e.start(t, e.a)
	e.start(t, e.b)
	want := map[netip.Addr]string{vip6: "a", vip7: "b"}
	waitPlacement(t, seedSettle, want, e.hosts()...)

	e.a.stopNginx(t)
	eventually(t, 15*time.Second, "the check script restarts nginx on a", func() (bool, string) {
		n := e.a.nginxCount(t)
		return n > 0, fmt.Sprintf("%d nginx processes", n)
	})
	// Past the script's sleep 2 and its verdict (exit 0).
	time.Sleep(4 * time.Second)
	waitPlacement(t, time.Second, want, e.hosts()...)
	if e.a.daemonDone() {
		t.Fatal("the daemon on a stopped although nginx could be restarted")
	}
	e.wantPage(t, "192.168.1.6", "a", 5*time.Second)

	e.a.writeNginxConf(t, "this is not an nginx configuration;\n")
	e.a.stopNginx(t)
	eventually(t, seedTakeover, "the check script stops the daemon on a", func() (bool, string) {
		return e.a.daemonDone(), "daemon running"
	})
	stopped := time.Now()
	waitPlacement(t, 10*time.Second, map[netip.Addr]string{vip6: "b", vip7: "b"}, e.hosts()...)
	t.Logf(".6 on b %v after the daemon on a exited", time.Since(stopped).Round(time.Millisecond))
	e.wantPage(t, "192.168.1.6", "b", 5*time.Second)
	e.wantNeigh(t, "192.168.1.6", seedMACB)
	e.wantPage(t, "192.168.1.7", "b", 5*time.Second)
}

func TestSeedFixedKillAndLinkDown(t *testing.T) {
	e := newSeedEnv(t, seedFixed, seedPlainCheck, seedGo)
	e.start(t, e.a)
	e.start(t, e.b)
	waitPlacement(t, seedSettle, map[netip.Addr]string{vip6: "a", vip7: "b"}, e.hosts()...)
	e.wantPage(t, "192.168.1.6", "a", 5*time.Second)

	// A dies hard: no priority-0 advert, its VIP stays on its (now down)
	// interface, and B takes over when its Master_Down_Interval runs out.
	e.a.signalDaemon(t, syscall.SIGKILL)
	if err := e.a.host.SetLink(seedCtx(t), false); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	seedHoldsBoth(t, seedTakeover, e.b.host)
	t.Logf("b holds both VIPs %v after a was killed", time.Since(start).Round(time.Millisecond))
	e.wantPage(t, "192.168.1.6", "b", 5*time.Second)
	e.wantNeigh(t, "192.168.1.6", seedMACB)
	e.wantPage(t, "192.168.1.7", "b", 5*time.Second)

	// A comes back: link up, daemon restarted. The stale .6 the killed
	// daemon left is removed at start-up and .6 returns to A by priority.
	if err := e.a.host.SetLink(seedCtx(t), true); err != nil {
		t.Fatal(err)
	}
	e.start(t, e.a)
	waitPlacement(t, seedSettle, map[netip.Addr]string{vip6: "a", vip7: "b"}, e.hosts()...)
	e.wantPage(t, "192.168.1.6", "a", 5*time.Second)
	e.wantNeigh(t, "192.168.1.6", seedMACA)
}

func TestSeedFixedSIGTERM(t *testing.T) {
	for _, kind := range []seedDaemon{seedKeepalived, seedGo} {
		t.Run(kind.name, func(t *testing.T) { testSeedSIGTERM(t, kind) })
	}
}

// testSeedSIGTERM stops the daemon on A gracefully and watches the wire.
func testSeedSIGTERM(t *testing.T, kind seedDaemon) {
	e := newSeedEnv(t, seedFixed, seedPlainCheck, kind)
	sn := seedSniff(t, e.client)
	e.start(t, e.a)
	e.start(t, e.b)
	waitPlacement(t, seedSettle, map[netip.Addr]string{vip6: "a", vip7: "b"}, e.hosts()...)
	e.wantPage(t, "192.168.1.6", "a", 5*time.Second)

	sn.reset()
	e.a.signalDaemon(t, syscall.SIGTERM)
	bye := sn.wait(t, 10*time.Second, "priority-0 advert from a for VRID 80", func(s seedAdvert) bool {
		return s.src == seedHostA && s.vrid == 80 && s.prio == 0
	})
	first := sn.wait(t, 10*time.Second, "b's first advert for VRID 80", func(s seedAdvert) bool {
		return s.src == seedHostB && s.vrid == 80 && s.at.After(bye.at)
	})
	// On priority 0 the backup waits Skew_Time instead of
	// Master_Down_Interval (6.65 s here). VRRPv2 (RFC 3768 6.1) defines it
	// as (256-Priority)/256 seconds, not scaled by the advert interval:
	// 0.648 s for b's 90; keepalived 2.2.7 measured 659 ms in this test.
	skew := time.Duration(256-90) * time.Second / 256
	d := first.at.Sub(bye.at)
	t.Logf("takeover after priority 0: %v (skew time %v)", d.Round(time.Millisecond), skew.Round(time.Millisecond))
	if first.prio != 90 {
		t.Errorf("b's advert for VRID 80: priority %d, want 90", first.prio)
	}
	if limit := skew + 2*time.Second; d > limit {
		t.Errorf("b took over %v after a's priority-0 advert, want about the skew time %v (limit %v; Master_Down_Interval is 6.65 s)", d, skew, limit)
	}
	eventually(t, 10*time.Second, "daemon on a exits", func() (bool, string) { return e.a.daemonDone(), "running" })
	waitPlacement(t, 5*time.Second, map[netip.Addr]string{vip6: "b", vip7: "b"}, e.hosts()...)
	e.wantPage(t, "192.168.1.6", "b", 5*time.Second)
	e.wantNeigh(t, "192.168.1.6", seedMACB)
}

// TestSeedOriginalStartOrder runs the seed as written (equal priorities on
// both servers) with gokeepalived and, when installed, keepalived 2.2.7
// itself, and asserts the same placement for both. Every instance starts
// in BACKUP (state MASTER below priority 255 only names a wish), and a
// backup accepts an advert of equal priority, so the first daemon up
// becomes master of both VRIDs after Master_Down_Interval and keeps them:
// the second one hears adverts at its own priority and stays backup. The
// tie-break by primary IP only decides between two masters at once.
func TestSeedOriginalStartOrder(t *testing.T) {
	tests := []struct {
		name  string
		kind  seedDaemon
		first string
		killA bool // then make nginx unable to start on a
	}{
		{name: "keepalived/a first", kind: seedKeepalived, first: "a", killA: true},
		{name: "keepalived/b first", kind: seedKeepalived, first: "b"},
		{name: "gokeepalived/a first", kind: seedGo, first: "a", killA: true},
		{name: "gokeepalived/b first", kind: seedGo, first: "b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newSeedEnv(t, seedOriginal, seedOriginalCheck, tt.kind)
			first, second := e.a, e.b
			if tt.first == "b" {
				first, second = e.b, e.a
			}
			e.start(t, first)
			seedHoldsBoth(t, seedSettle, first.host)
			e.start(t, second)
			// Past the second daemon's Master_Down_Interval (6.65 s), with
			// margin: had it been going to take a VIP, it would have.
			time.Sleep(10 * time.Second)
			want := map[netip.Addr]string{vip6: tt.first, vip7: tt.first}
			waitPlacement(t, time.Second, want, e.hosts()...)
			e.wantPage(t, "192.168.1.6", tt.first, 5*time.Second)
			if !tt.killA {
				return
			}
			// nginx cannot start on a: the script times out (see
			// TestSeedFixedOriginalScript), a drops to 80/70 and b takes both.
			e.a.writeNginxConf(t, "this is not an nginx configuration;\n")
			e.a.stopNginx(t)
			waitPlacement(t, seedTakeover, map[netip.Addr]string{vip6: "b", vip7: "b"}, e.hosts()...)
			e.wantPage(t, "192.168.1.6", "b", 5*time.Second)
		})
	}
}
