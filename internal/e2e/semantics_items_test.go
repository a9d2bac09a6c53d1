package e2e

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/lab"
)

// semStep is something done to the lab after it settled; the lab is
// observed again once it settled anew.
type semStep struct {
	what string
	do   func(t *testing.T, a, b vrrpDaemon)
}

// semCase is one side-by-side comparison of issue 20: node a (the
// higher priority) and node b run conf(a) and conf(b), first keepalived
// 2.2.7 on both, then gokeepalived on both.
type semCase struct {
	name  string
	item  int // issue 20's item
	a, b  string
	steps []semStep
}

// semReload sends SIGHUP to d.
func semReload(t *testing.T, d vrrpDaemon) {
	t.Helper()
	switch d := d.(type) {
	case *gkDaemon:
		d.n.signal(t, syscall.SIGHUP)
	case *kaDaemon:
		if err := d.proc.Signal(syscall.SIGHUP); err != nil {
			t.Fatal(err)
		}
	}
}

// semAddAddr adds p to h's eth1.
func semAddAddr(t *testing.T, h *lab.Host, p string) {
	t.Helper()
	if out, err := h.Exec(context.Background(), "ip", "addr", "add", p, "dev", "eth1"); err != nil {
		t.Fatalf("%s: ip addr add %s: %v: %s", h.Name, p, err, out)
	}
}

// semRun runs c with the daemons mk makes and returns what the lab settled
// to after the start (b first, then a) and after each step.
func semRun(t *testing.T, c semCase, mk func(*lab.Host, string) vrrpDaemon) []rwObs {
	t.Helper()
	l := lab.New(t, lab.Spec{Hosts: lab.Hosts("a", "b")})
	a, b := mk(l.Host("a"), c.a), mk(l.Host("b"), c.b)
	rwStubs(t, a, b)
	const settle = 5 * time.Second // four advert intervals and a second
	limit := 3*settle + 10*time.Second
	b.start(t)
	rwSettle(t, []vrrpDaemon{b}, settle, time.Now(), limit)
	a.start(t)
	obs := []rwObs{rwSettle(t, []vrrpDaemon{a, b}, settle, time.Now(), limit)}
	for _, s := range c.steps {
		s.do(t, a, b)
		obs = append(obs, rwSettle(t, []vrrpDaemon{a, b}, settle, time.Now(), limit))
	}
	for _, d := range []vrrpDaemon{a, b} {
		if rwRunning(d) {
			d.stop(t)
		}
	}
	return obs
}

// semNotify is an instance's notify line for the stub.
const semNotify = "    notify @DIR@/notify.sh\n"

// TestIssue20Agrees compares gokeepalived with keepalived 2.2.7 side by
// side on the items of issue 20 that change who is master or which
// scripts run (the start decisions are TestStartDecisionAgrees): same
// master, same VIP placement, same notify calls with the same arguments,
// run by the same user, at the start and after each step.
func TestIssue20Agrees(t *testing.T) {
	needKeepalived(t)
	t.Parallel()
	uni := func(self, peer string) string {
		return sprintf("    unicast_src_ip %s\n    unicast_peer {\n        %s\n    }\n", self, peer)
	}
	prio := func(p int) string { return sprintf("    priority %d\n", p) }
	chk := func(script, extra string) string {
		return sprintf("vrrp_script chk {\n    script \"%s\"\n    interval 1\n%s}\n", script, extra)
	}
	track := "    track_script {\n        chk\n    }\n"
	tests := []semCase{
		{
			name: "unicast_src_ip not on the node", item: 1,
			a: semInst("VI_1", 51, prio(150)+semNotify+uni("192.168.1.99", "192.168.1.3")+semVIP),
			b: semInst("VI_1", 51, prio(100)+semNotify+uni("192.168.1.3", "192.168.1.99")+semVIP),
			steps: []semStep{
				{"the address added", func(t *testing.T, a, _ vrrpDaemon) { semAddAddr(t, a.host(), "192.168.1.99/24") }},
				{"a reloaded", func(t *testing.T, a, _ vrrpDaemon) { semReload(t, a) }},
			},
		},
		{
			name: "unicast_src_ip on another interface", item: 1,
			a: semInst("VI_1", 51, prio(150)+semNotify+uni("192.168.1.2", "192.168.1.3")+semVIP),
			b: semInst("VI_1", 51, prio(100)+semNotify+uni("192.168.1.3", "192.168.1.2")+semVIP),
		},
		{
			name: "no virtual_ipaddress, notify moves the address", item: 2,
			a: semInst("VI_1", 51, prio(150)+semNotify), b: semInst("VI_1", 51, prio(100)+semNotify),
		},
		{
			name: "check script missing, fall 3", item: 3,
			a: chk("@DIR@/missing.sh", "    fall 3\n    weight -60\n") + semInst("VI_1", 51, prio(150)+semNotify+track+semVIP),
			b: semInst("VI_1", 51, prio(100)+semNotify+semVIP),
		},
		{
			name: "check script missing, weight 0", item: 3,
			a: chk("@DIR@/missing.sh", "    fall 2\n") + semInst("VI_1", 51, prio(150)+semNotify+track+semVIP),
			b: semInst("VI_1", 51, prio(100)+semNotify+semVIP),
		},
		{
			name: "state MASTER without priority", item: 4,
			a: semInst("VI_1", 51, "    state MASTER\n"+semNotify+semVIP), b: semInst("VI_1", 51, prio(200)+semNotify+semVIP),
		},
		{
			name: "script users that do not exist", item: 5,
			a: chk("@DIR@/check.sh", "    user nosuchuser\n    weight -60\n") +
				semInst("VI_1", 51, prio(150)+semNotify+"    notify_master @DIR@/notify.sh MASTER\n"+track+semVIP),
			b: semInst("VI_1", 51, prio(100)+semNotify+semVIP),
		},
		{
			name: "two notify lines", item: 6,
			a: semInst("VI_1", 51, prio(150)+"    notify \"@DIR@/notify.sh first\"\n    notify \"@DIR@/notify.sh second\"\n"+semVIP),
			b: semInst("VI_1", 51, prio(100)+semNotify+semVIP),
		},
		{
			name: "preempt_delay with state MASTER", item: 7,
			a: semInst("VI_1", 51, "    state MASTER\n"+prio(150)+"    preempt_delay 60\n"+semNotify+semVIP),
			b: semInst("VI_1", 51, prio(100)+semNotify+semVIP),
		},
	}
	for _, c := range tests {
		t.Run(fmt.Sprintf("item %d: %s", c.item, c.name), func(t *testing.T) {
			t.Parallel()
			ka := semRun(t, c, func(h *lab.Host, conf string) vrrpDaemon { return newKA(t, h, conf) })
			gk := semRun(t, c, func(h *lab.Host, conf string) vrrpDaemon { return newGK(t, h, conf) })
			for i := range ka {
				phase := "after the start"
				if i > 0 {
					phase = "after " + c.steps[i-1].what
				}
				if d := ka[i].diff(gk[i]); d != "" {
					t.Errorf("%s, the daemons differ in %s:\nkeepalived:   %s\ngokeepalived: %s", phase, d, ka[i], gk[i])
				} else {
					t.Logf("%s, both: %s", phase, ka[i])
				}
			}
		})
	}
}
