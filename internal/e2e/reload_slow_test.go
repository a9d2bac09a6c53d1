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
	na, nb := opsPair(t, a, b)
	na.env = []string{"GK_TEST_RELOAD_READ_DELAY=" + readDelay.String()}
	wire, ca, cb := startOpsPair(t, l, na, nb)
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
	times, others := advertTimes(wire, 51, a.Addr(false), start.Add(-1500*time.Millisecond), end)
	for _, ad := range others {
		t.Errorf("advert from %s during a's slow reload: %s", ad.Src, ad)
	}
	maxGap := largestGap(times)
	if len(times) < int(end.Sub(start).Seconds()) {
		t.Errorf("%d adverts from a in %s of slow reloads, want about one a second", len(times), end.Sub(start))
	}
	t.Logf("HUP + POST during a %s read: done after %s (two reads); status during the read took %s; %d adverts, largest gap %s (advert_int 1s)",
		readDelay, took.Round(time.Millisecond), statusTook.Round(time.Microsecond), len(times), maxGap.Round(time.Microsecond))
}
