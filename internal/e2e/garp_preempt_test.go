package e2e

import (
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/lab"
)

// preemptGARPs is what the wire shows when a higher-priority backup
// preempts a running master: the new master's gratuitous ARPs in the
// burst at its transition and in the garp_master_delay burst after it,
// and its adverts in the first half second. The old master's adverts
// after the new one's first are logged, not compared: gokeepalived's
// fast_failover sends one parting advert by design.
type preemptGARPs struct {
	atTransition, delayed, firstAdverts int
}

// TestPreemptGARPsAgree starts a (priority 50) alone, lets it become
// master, then starts b (priority 200), which preempts it, and counts on
// the bridge what b announces — for two gokeepalived and for two
// keepalived 2.2.7 — and asserts they agree: keepalived sends
// vrrp_garp_master_repeat (5) GARPs at the transition and 5 more
// vrrp_garp_master_delay (5 s) later, nothing else. Before the fix
// gokeepalived sent 10 and 10: the old master's parting advert (our
// fast_failover) made the new master answer a lower priority with a
// garp_lower_prio_repeat burst at the same instant and another 5 s later.
func TestPreemptGARPsAgree(t *testing.T) {
	needKeepalived(t)
	t.Parallel()
	got := map[string]preemptGARPs{}
	kinds := []string{"keepalived", "gokeepalived"}
	t.Run("group", func(t *testing.T) {
		for _, kind := range kinds {
			t.Run(kind, func(t *testing.T) {
				t.Parallel()
				got[kind] = preemptRun(t, kind)
			})
		}
	})
	ka, gk := got["keepalived"], got["gokeepalived"]
	t.Logf("keepalived: %+v; gokeepalived: %+v", ka, gk)
	if ka != (preemptGARPs{5, 5, 1}) {
		t.Errorf("keepalived: %+v, want 5 GARPs at the transition, 5 later and one advert (the defaults; the lab is off)", ka)
	}
	if gk != ka {
		t.Errorf("at a preemption gokeepalived %+v, keepalived %+v: they differ", gk, ka)
	}
}

// preemptRun runs the preemption between two daemons of kind and counts.
func preemptRun(t *testing.T, kind string) preemptGARPs {
	l := lab.New(t, lab.Spec{Hosts: lab.Hosts("a", "b")})
	c := startCapture(t, l)
	conf := func(prio int) string {
		return semInst("VI_1", 81, sprintf("    state BACKUP\n    priority %d\n", prio)+
			"    virtual_ipaddress {\n        192.168.1.81/24\n    }\n")
	}
	mk := func(h *lab.Host, prio int) vrrpDaemon {
		if kind == "keepalived" {
			return newKA(t, h, conf(prio))
		}
		return newGK(t, h, conf(prio))
	}
	a, b := mk(l.Host("a"), 50), mk(l.Host("b"), 200)
	a.start(t)
	eventually(t, 15*time.Second, "a MASTER", func() (bool, string) {
		s := semState(t, a)
		return s == "MASTER", s
	})
	b.start(t)
	eventually(t, 15*time.Second, "b MASTER and a BACKUP", func() (bool, string) {
		sa, sb := semState(t, a), semState(t, b)
		return sb == "MASTER" && sa == "BACKUP", "a=" + sa + " b=" + sb
	})
	// The garp_master_delay burst is due 5 s after the transition.
	time.Sleep(7 * time.Second)

	var t0 time.Time
	bIP := l.Host("b").Addr(false)
	var out preemptGARPs
	old := 0
	for _, ad := range c.adverts() {
		if t0.IsZero() && ad.Src == bIP && ad.Priority() == 200 {
			t0 = ad.At
		}
		switch {
		case t0.IsZero():
		case ad.Src != bIP:
			old++
		case ad.At.Sub(t0) < 500*time.Millisecond:
			out.firstAdverts++
		}
	}
	if t0.IsZero() {
		t.Fatalf("%s: no advert from b at priority 200 on the wire", kind)
	}
	t.Logf("%s: a sent %d adverts after b's first as master", kind, old)
	bMAC := l.Host("b").Spec().MAC.String()
	for _, an := range c.announcements() {
		if an.SrcMAC != bMAC {
			continue
		}
		switch d := an.At.Sub(t0); {
		case d < -time.Second:
			t.Errorf("%s: b announced %s %v before its first advert as master", kind, an.Addr, -d)
		case d < 2*time.Second:
			out.atTransition++
		default:
			out.delayed++
		}
	}
	return out
}
