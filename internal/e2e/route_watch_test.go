package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gokeepalived/gokeepalived/internal/lab"
)

// routeWatchConf is a master with virtual routes and rules beside static
// ones; the no_track entries are not put back when deleted. The virtual
// routes name their interface: without one keepalived, and the
// configuration here, do not track a virtual route.
const routeWatchConf = `
static_routes {
    10.60.0.0/16 via 192.168.1.1 dev eth1
    blackhole 10.61.0.0/16 table 200
    blackhole 10.62.0.0/16 no_track
}
static_rules {
    from 10.99.0.0/24 table 200 preference 200
}
vrrp_instance D {
    state MASTER
    interface eth1
    virtual_router_id 61
    priority 100
    advert_int 1
    virtual_ipaddress {
        192.168.1.6/24
    }
    virtual_routes {
        10.50.0.0/16 via 192.168.1.1 dev eth1
        10.52.0.0/16 dev eth1 table 100
        10.53.0.0/16 dev eth1 no_track
    }
    virtual_rules {
        from 192.168.1.6 table 100 preference 100
    }
}
`

// watchMarks name the entries of routeWatchConf by the `ip` line showing
// each, and say how an operator deletes it.
var watchMarks = []struct{ name, text, del string }{
	{"vroute-via", "10.50.0.0/16 via 192.168.1.1 dev eth1 proto keepalived", "ip route del 10.50.0.0/16"},
	{"vroute-table", "10.52.0.0/16 dev eth1 table 100 proto keepalived scope link", "ip route del 10.52.0.0/16 table 100"},
	{"vroute-notrack", "10.53.0.0/16 dev eth1 proto keepalived scope link", "ip route del 10.53.0.0/16"},
	{"vrule", "100:\tfrom 192.168.1.6 lookup 100 proto keepalived", "ip rule del pref 100"},
	{"sroute-via", "10.60.0.0/16 via 192.168.1.1 dev eth1 proto keepalived", "ip route del 10.60.0.0/16"},
	{"sroute-blackhole", "blackhole 10.61.0.0/16 table 200 proto keepalived", "ip route del blackhole 10.61.0.0/16 table 200"},
	{"sroute-notrack", "blackhole 10.62.0.0/16 proto keepalived", "ip route del blackhole 10.62.0.0/16"},
	{"srule", "200:\tfrom 10.99.0.0/24 lookup 200 proto keepalived", "ip rule del pref 200"},
}

// watchState returns the watchMarks present on h, in order.
func watchState(t *testing.T, h *lab.Host) []string {
	t.Helper()
	names, texts := make([]string, len(watchMarks)), make([]string, len(watchMarks))
	for i, m := range watchMarks {
		names[i], texts[i] = m.name, m.text
	}
	return marksShown(t, h, names, texts, []string{"-4", "route", "show", "table", "all"}, []string{"-4", "rule", "show"})
}

// TestRouteWatchPutsBackDeletedEntries deletes each route and rule of a
// master from outside: the virtual and static ones are put back within a
// moment, without a transition; the no_track ones stay deleted.
func TestRouteWatchPutsBackDeletedEntries(t *testing.T) {
	needRoot(t)
	l := lab.New(t, lab.Spec{Hosts: lab.Hosts("a")})
	h := l.Host("a")
	n := newNode(t, h, routeWatchConf)
	n.start(t)
	waitState(t, n, "MASTER", 15*time.Second)
	var all, tracked []string
	for _, m := range watchMarks {
		all = append(all, m.name)
		if !strings.HasSuffix(m.name, "notrack") {
			tracked = append(tracked, m.name)
		}
	}
	waitFor := func(what string, want []string) {
		t.Helper()
		eventually(t, 5*time.Second, what, func() (bool, string) {
			d := cmp.Diff(want, watchState(t, h))
			return d == "", d
		})
	}
	waitFor("every entry on", all)
	before := inst(t, n, "D")

	// The no_track ones first: once the others are back, their events
	// have been handled too.
	for _, m := range watchMarks {
		if strings.HasSuffix(m.name, "notrack") {
			sh(t, h, m.del)
		}
	}
	for _, m := range watchMarks {
		if !strings.HasSuffix(m.name, "notrack") {
			sh(t, h, m.del)
		}
	}
	waitFor("tracked entries back, no_track ones gone", tracked)
	eventually(t, 5*time.Second, "the put-backs logged", func() (bool, string) {
		return logCount(n, "removed from outside: put back") == len(tracked) &&
			logCount(n, "no_track: not putting it back") == len(all)-len(tracked), tail(n.proc.Output(), 15)
	})
	after := inst(t, n, "D")
	if after.State != "MASTER" || after.LastTransition != before.LastTransition || after.Stats.ReleaseMaster != 0 {
		t.Errorf("state %s, last transition %+v (was %+v), released master %d times; want MASTER and no transition",
			after.State, after.LastTransition, before.LastTransition, after.Stats.ReleaseMaster)
	}
}
