package e2e

import (
	"context"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/lab"
	"github.com/gokeepalived/gokeepalived/internal/plan"
)

// seedConf reads one of the planner's seed configurations and points its
// check script at a file-driven one in the node's folder.
func seedConf(t *testing.T, form, node string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "plan", "testdata", form, node+".conf"))
	if err != nil {
		t.Fatal(err)
	}
	return strings.ReplaceAll(string(b), "/etc/keepalived/nginx_check.sh", "@DIR@/check.sh")
}

// seedPlan predicts the seed with the lab's real addresses.
func seedPlan(t *testing.T, form string) *plan.Plan {
	t.Helper()
	dir := filepath.Join("..", "plan", "testdata", form)
	p := plan.New([]plan.NodeSpec{
		{Name: "a", Path: filepath.Join(dir, "a.conf"), ConfigID: "a",
			Addrs: []plan.IfaceAddr{{Iface: "eth1", Prefix: netip.MustParsePrefix("192.168.1.2/24")}}},
		{Name: "b", Path: filepath.Join(dir, "b.conf"), ConfigID: "b",
			Addrs: []plan.IfaceAddr{{Iface: "eth1", Prefix: netip.MustParsePrefix("192.168.1.3/24")}}},
	})
	if len(p.Problems) > 0 {
		t.Fatalf("plan problems: %+v", p.Problems)
	}
	return p
}

// predicted returns who the plan says holds vip after start order order.
func predicted(t *testing.T, p *plan.Plan, vip netip.Addr, order string) string {
	t.Helper()
	for _, r := range p.Steady {
		if r.VIP != vip {
			continue
		}
		for _, pl := range r.Placements {
			if pl.Order == order {
				if len(pl.Holders) != 1 {
					t.Fatalf("plan: %s after %q held by %v", vip, order, pl.Holders)
				}
				return pl.Holders[0]
			}
		}
	}
	t.Fatalf("plan has no placement of %s for order %q (orders %v)", vip, order, p.Orders)
	return ""
}

// TestPlanPredictsStartOrder: with the seed's original, equal priorities
// the planner says both VIPs stay on whichever server starts first; the
// real daemons must do exactly that, for both start orders.
func TestPlanPredictsStartOrder(t *testing.T) {
	needRoot(t)
	p := seedPlan(t, "seed-original")
	for _, first := range []string{"a", "b"} {
		t.Run(first+" first", func(t *testing.T) {
			t.Parallel()
			l := lab.New(t, lab.Spec{Hosts: lab.Hosts("a", "b")})
			nodes := map[string]*node{}
			for _, h := range []string{"a", "b"} {
				nodes[h] = newNode(t, l.Host(h), seedConf(t, "seed-original", h))
				writeCheck(t, nodes[h])
			}
			second := map[string]string{"a": "b", "b": "a"}[first]
			want := map[netip.Addr]string{
				vip6: predicted(t, p, vip6, first+" first"),
				vip7: predicted(t, p, vip7, first+" first"),
			}
			if want[vip6] != first || want[vip7] != first {
				t.Fatalf("plan predicts %v with %s first; the seed's original config keeps both on the first server", want, first)
			}
			nodes[first].start(t)
			waitPlacement(t, 12*time.Second, want, l.Host("a"), l.Host("b"))
			nodes[second].start(t)
			// The second server's own Master_Down_Interval (3 × 2 s + skew)
			// passes, and longer: the placement must not change.
			time.Sleep(9 * time.Second)
			waitPlacement(t, time.Second, want, l.Host("a"), l.Host("b"))
		})
	}
}

// TestPlanTakeoverTimes: for a few failures of the fixed seed, the real
// takeover (failure to the VIP on the new holder) falls within the plan's
// fastest..slowest prediction, widened by one advert interval.
func TestPlanTakeoverTimes(t *testing.T) {
	needRoot(t)
	p := seedPlan(t, "seed-fixed")
	const advert = 2 * time.Second
	l := lab.New(t, lab.Spec{Hosts: lab.Hosts("a", "b")})
	a, b := l.Host("a"), l.Host("b")
	na := newNode(t, a, seedConf(t, "seed-fixed", "a"))
	nb := newNode(t, b, seedConf(t, "seed-fixed", "b"))
	writeCheck(t, na)
	writeCheck(t, nb)
	na.start(t)
	nb.start(t)
	home := map[netip.Addr]string{vip6: "a", vip7: "b"}
	waitPlacement(t, 15*time.Second, home, a, b)

	measure := func(f plan.Failure, inject func()) {
		t.Helper()
		row, ok := p.Row(f)
		if !ok {
			t.Fatalf("plan has no row for %v", f)
		}
		var lo, hi time.Duration
		for _, v := range row.VIPs {
			if v.VIP == vip6 && v.Takeover != nil {
				hi, lo = time.Duration(*v.Takeover), time.Duration(*v.TakeoverMin)
			}
		}
		if hi == 0 {
			t.Fatalf("plan: %v does not move %s", f, vip6)
		}
		start := time.Now()
		inject()
		eventually(t, hi+advert+3*time.Second, f.String()+": .6 on b", func() (bool, string) {
			return hasAddr(t, b, vip6), "not yet"
		})
		got := time.Since(start)
		t.Logf("%v: measured %.3fs, plan %.3f..%.3fs", f, got.Seconds(), lo.Seconds(), hi.Seconds())
		if got < lo-100*time.Millisecond || got > hi+advert {
			t.Errorf("%v: measured takeover %s outside the plan's %s..%s (+ one advert interval %s)", f, got, lo, hi, advert)
		}
	}

	// Graceful stop: priority 0, the backup takes over after its skew.
	measure(plan.Failure{Kind: plan.FailStop, Node: "a"}, func() { na.signal(t, syscall.SIGTERM) })
	na.wait(t, 5*time.Second)
	na.start(t)
	waitPlacement(t, 15*time.Second, home, a, b)

	// The check script fails: the plan counts from the failure the daemon
	// sees, the lab from the file flip, so one check interval (= advert
	// interval here) separates them at most.
	measure(plan.Failure{Kind: plan.FailScript, Node: "a", Target: "check_haproxy"}, func() { setDown(t, na, true) })
	setDown(t, na, false)
	waitPlacement(t, 15*time.Second, home, a, b)

	// Crash: SIGKILL and the link down at once.
	measure(plan.Failure{Kind: plan.FailCrash, Node: "a"}, func() {
		na.signal(t, syscall.SIGKILL)
		if err := a.SetLink(context.Background(), false); err != nil {
			t.Fatal(err)
		}
	})
}
