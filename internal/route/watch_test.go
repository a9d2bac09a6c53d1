package route

import (
	"errors"
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gokeepalived/gokeepalived/internal/system"
	"github.com/gokeepalived/gokeepalived/internal/system/systemtest"
)

// callStrings returns the fake's calls since the last Reset, then resets it.
func callStrings(f *systemtest.Routing) []string {
	var got []string
	for _, c := range f.Calls() {
		got = append(got, c.String())
	}
	f.Reset()
	return got
}

// blackholeGone is the event of `ip route del blackhole DST [table T]`.
func blackholeGone(dst string, table int) system.RouteEvent {
	return system.RouteEvent{Type: system.RouteBlackhole, Dst: netip.MustParsePrefix(dst), Table: table, Protocol: system.ProtoKeepalived}
}

// ruleGone is the event of `ip rule del pref PREF` for `from FROM lookup TABLE`.
func ruleGone(from string, table, pref int) system.RuleEvent {
	r := system.NewRule()
	r.Family, r.From, r.Table, r.Priority, r.Protocol = system.IPv4, netip.MustParsePrefix(from), table, pref, system.ProtoKeepalived
	return system.RuleEvent{Rule: r}
}

// TestRouteWatchStatics: a static route or rule deleted from outside is
// put back at once, one that cannot be is retried with the others, and
// no_track entries and near misses are left alone.
func TestRouteWatchStatics(t *testing.T) {
	fake := &systemtest.Routing{}
	d := New(Config{Routing: fake})
	d.Start(loadRoutes(t, "blackhole 10.1.0.0/16\nblackhole 10.2.0.0/16 no_track\nblackhole 10.3.0.0/16 table 100",
		"from 10.4.0.0/16 table 100 preference 10\nfrom 10.5.0.0/16 table 100 preference 11 no_track"))
	callStrings(fake)

	d.routeDeleted(blackholeGone("10.1.0.0/16", 254))
	d.routeDeleted(blackholeGone("10.2.0.0/16", 254)) // no_track
	d.routeDeleted(blackholeGone("10.3.0.0/16", 254)) // ours is in table 100
	d.routeDeleted(blackholeGone("10.9.0.0/16", 254)) // not ours
	d.ruleDeleted(ruleGone("10.4.0.0/16", 100, 10))
	d.ruleDeleted(ruleGone("10.5.0.0/16", 100, 11)) // no_track
	d.ruleDeleted(ruleGone("10.4.0.0/16", 100, 12)) // another preference
	want := []string{"AddRoute[blackhole 10.1.0.0/16]", "AddRule[pref 10 from 10.4.0.0/16 lookup 100]"}
	if diff := cmp.Diff(want, callStrings(fake)); diff != "" {
		t.Errorf("calls after deletions (-want +got):\n%s", diff)
	}

	// A put-back that fails leaves the entry off: the next retry round
	// puts it on.
	fake.Fail("AddRoute", errors.New("not ready"))
	d.routeDeleted(blackholeGone("10.3.0.0/16", 100))
	d.routeDeleted(blackholeGone("10.3.0.0/16", 100)) // off now: not ours to put back
	d.RetryStatics()
	d.RetryStatics() // on again: nothing to do
	want = []string{"AddRoute[blackhole 10.3.0.0/16 table 100]", "AddRoute[blackhole 10.3.0.0/16 table 100]"}
	if diff := cmp.Diff(want, callStrings(fake)); diff != "" {
		t.Errorf("calls after a failed put-back (-want +got):\n%s", diff)
	}

	// Our own removal (Stop) is not taken for one from outside.
	d.Stop()
	fake.Reset()
	d.routeDeleted(blackholeGone("10.1.0.0/16", 254))
	if got := callStrings(fake); len(got) != 0 {
		t.Errorf("calls after our own removal: %q, want none", got)
	}
}

// TestRouteWatchVirtual: a virtual route or rule of a master deleted from
// outside is put back at once (the daemon makes no transition for it),
// retried at the next advert when that fails; no_track ones, and any after the instance left
// master, are left alone.
func TestRouteWatchVirtual(t *testing.T) {
	d, vi, fake := routesMaster(t, "blackhole 10.1.0.0/16\nblackhole 10.2.0.0/16 no_track\nblackhole 10.3.0.0/16", "from 10.4.0.0/16 table 100 preference 10")
	master := true
	d.watch.masters = func() []*Virtual {
		if master {
			return []*Virtual{vi}
		}
		return nil
	}
	d.Add(vi)
	callStrings(fake)

	fake.Fail("AddRoute", errors.New("not ready"))
	d.routeDeleted(blackholeGone("10.1.0.0/16", 254)) // fails: retried
	d.routeDeleted(blackholeGone("10.2.0.0/16", 254)) // no_track
	d.routeDeleted(blackholeGone("10.3.0.0/16", 254))
	d.ruleDeleted(ruleGone("10.4.0.0/16", 100, 10))
	d.Retry(vi, true)
	want := []string{
		"AddRoute[blackhole 10.1.0.0/16]", "AddRoute[blackhole 10.3.0.0/16]", "AddRule[pref 10 from 10.4.0.0/16 lookup 100]",
		"AddRoute[blackhole 10.1.0.0/16]", // the retry
	}
	if diff := cmp.Diff(want, callStrings(fake)); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}

	master = false
	d.Del(vi) // leaving master
	callStrings(fake)
	d.routeDeleted(blackholeGone("10.3.0.0/16", 254))
	d.ruleDeleted(ruleGone("10.4.0.0/16", 100, 10))
	if got := callStrings(fake); len(got) != 0 {
		t.Errorf("calls for entries already off: %q, want none", got)
	}
}

// TestWatchRoutesNeedsEnabling: Reload, which also runs in tests
// and before the daemon runs, subscribes to nothing until Watch enables it.
func TestWatchRoutesNeedsEnabling(t *testing.T) {
	d := New(Config{Routing: &systemtest.Routing{}})
	c := loadRoutes(t, "blackhole 10.1.0.0/16", "from 10.4.0.0/16 table 100 preference 10")
	d.Start(c)
	d.Reload(c)
	if w := d.watch; w.routes || w.rules {
		t.Errorf("watch %+v started without being enabled", w)
	}
}
