package e2e

import (
	"context"
	"net/netip"
	"syscall"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/control"
	"github.com/gokeepalived/gokeepalived/internal/lab"
)

// TestReloadSlowReadKeepsMaster reloads a master whose configuration takes
// 5 s to read (GK_TEST_RELOAD_READ_DELAY, a slow filesystem), by SIGHUP
// and, during that read, by POST /v1/reload. The read happens off the
// loop: status answers during it, the master keeps advertising, the backup
// never becomes master, and the POST waits for the coalesced outcome (a
// second read: the last request wins) and sees the new VIP in force.
func TestReloadSlowReadKeepsMaster(t *testing.T) {
	needRoot(t)
	const readDelay = 5 * time.Second
	l := lab.New(t, lab.Spec{Hosts: lab.Hosts("a", "b")})
	a, b := l.Host("a"), l.Host("b")
	na := newNode(t, a, opsText("a", "MASTER", 100, []string{"192.168.1.6"}, ""))
	na.env = []string{"GK_TEST_RELOAD_READ_DELAY=" + readDelay.String()}
	nb := newNode(t, b, opsText("b", "BACKUP", 90, []string{"192.168.1.6"}, ""))
	wire := startCapture(t, l)
	na.start(t)
	nb.start(t)
	waitPlacement(t, 10*time.Second, map[netip.Addr]string{vip6: "a"}, a, b)
	ca, cb := dialNode(t, na), dialNode(t, nb)
	time.Sleep(2500 * time.Millisecond) // the garp_master_delay burst is over
	beforeB := countersOf(t, snap(t, cb))

	vip9 := netip.MustParseAddr("192.168.1.9")
	na.writeConf(t, opsText("a", "MASTER", 100, []string{"192.168.1.6", "192.168.1.9"}, ""))
	start := time.Now()
	na.signal(t, syscall.SIGHUP)
	time.Sleep(time.Second)
	statusAt := time.Now()
	during := snap(t, ca) // through the loop, while the configuration is read
	statusTook := time.Since(statusAt)
	switch {
	case statusTook > time.Second:
		t.Errorf("status waited %s during the read: the loop was held up", statusTook)
	case during.Config.LastReloadAt.After(start):
		t.Fatalf("the reload finished within 1 s; the read delay did not apply")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 25*time.Second)
	defer cancel()
	res, err := ca.Reload(ctx)
	if err != nil || !res.OK {
		t.Fatalf("POST /v1/reload during a slow read: %+v, %v", res, err)
	}
	took := time.Since(start)
	if !hasAddr(t, a, vip9) {
		t.Errorf("POST /v1/reload returned OK before the new VIP %s was on a", vip9)
	}
	time.Sleep(1500 * time.Millisecond)
	end := time.Now()

	if after := countersOf(t, snap(t, cb)); after.State != control.StateBackup || after.BecomeMaster != beforeB.BecomeMaster {
		t.Errorf("b during a's slow reload: %+v, before %+v; want BACKUP throughout", after, beforeB)
	}
	var times []time.Time
	for _, ad := range wire.adverts() {
		if ad.VRID() != 51 || ad.At.Before(start.Add(-1500*time.Millisecond)) || ad.At.After(end) {
			continue
		}
		if ad.Src != a.Addr(false) {
			t.Errorf("advert from %s during a's slow reload: %s", ad.Src, ad)
			continue
		}
		times = append(times, ad.At)
	}
	var maxGap time.Duration
	for i := 1; i < len(times); i++ {
		maxGap = max(maxGap, times[i].Sub(times[i-1]))
	}
	if len(times) < int(end.Sub(start).Seconds()) {
		t.Errorf("%d adverts from a in %s of slow reloads, want about one a second", len(times), end.Sub(start))
	}
	t.Logf("HUP + POST during a %s read: done after %s (two reads); status during the read took %s; %d adverts, largest gap %s (advert_int 1s)",
		readDelay, took.Round(time.Millisecond), statusTook.Round(time.Microsecond), len(times), maxGap.Round(time.Microsecond))
}
