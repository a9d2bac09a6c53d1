package announcer

import (
	"context"
	"io"
	"log/slog"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/bgp"
	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/config/configtest"
	"github.com/gokeepalived/gokeepalived/internal/control"
	"github.com/gokeepalived/gokeepalived/internal/effect"
	"github.com/gokeepalived/gokeepalived/internal/system"
	"github.com/gokeepalived/gokeepalived/internal/system/systemtest"
)

// bgpConf is a node announcing WEB (no tracker: always healthy) and DOWN
// (tracks eth9, which does not exist). Its neighbor is on loopback, on a
// port nobody listens on: the session never comes up, and no packet
// leaves the machine.
const bgpConf = `global_defs {
    bgp_speaker {
        local_as 65001
        router_id 127.0.0.1
        neighbor 127.0.0.2 {
            remote_as 65000
            port 1
        }
    }
}
anycast_group WEB {
    virtual_ipaddress {
        10.99.0.1/32
    }
}
anycast_group DOWN {
    virtual_ipaddress {
        10.99.0.2/32
    }
    track_interface {
        eth9
    }
}
`

// noTrackers is a daemon with no tracker running.
type noTrackers struct{}

func (noTrackers) Script(string) (effect.Tracker, bool)  { return effect.Tracker{}, false }
func (noTrackers) File(string) (effect.FileValue, bool)  { return effect.FileValue{}, false }
func (noTrackers) Process(string) (effect.Tracker, bool) { return effect.Tracker{}, false }

// testAnnouncer is an Announcer over fake links (lo, ifindex 1) and
// addresses.
func testAnnouncer(t *testing.T) (*Announcer, *systemtest.Addresser) {
	t.Helper()
	addrs := &systemtest.Addresser{}
	links := systemtest.NewLinkWatcher(system.Link{Name: "lo", Index: 1, Up: true})
	a := New(Deps{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Links: links, Addrs: addrs,
		Trackers: func() Trackers { return noTrackers{} },
		LinkUp: func(name string) bool {
			l, err := links.Lookup(name)
			return err == nil && l.Up
		},
		VRRP: func() map[string]bgp.VRRP { return nil }, Wake: func() {}})
	t.Cleanup(a.Stop)
	return a, addrs
}

// syncStarted syncs a with conf until the speaker's start, which runs off
// the loop, has ended and been picked up.
func syncStarted(t *testing.T, a *Announcer, conf *config.Config) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for a.Sync(context.Background(), conf); a.starting != nil; a.Sync(context.Background(), conf) {
		if time.Now().After(deadline) {
			t.Fatal("the speaker's start never ended")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// addrCalls lists the Add and Del calls of a, as "Add 10.99.0.1/32@1".
func addrCalls(a *systemtest.Addresser) []string {
	var out []string
	for _, c := range a.Calls() {
		if v, ok := c.Args[0].(system.VIP); ok {
			out = append(out, c.Method+" "+v.Prefix.String()+"@"+string(rune('0'+v.Ifindex)))
		}
	}
	return out
}

// TestSyncAnnouncesHealthyGroups: Sync starts the speaker,
// announces the healthy group only, puts its address on lo, reports both
// in the status; a reload that drops the group withdraws it and takes
// the address off while keeping the speaker (same neighbors); stop takes
// everything down. Before the daemon had no BGP side, nothing of this
// happened.
func TestSyncAnnouncesHealthyGroups(t *testing.T) {
	a, addrs := testAnnouncer(t)
	syncStarted(t, a, configtest.Load(t, bgpConf))
	if got := strings.Join(addrCalls(addrs), ","); got != "Add 10.99.0.1/32@1" {
		t.Errorf("address calls %q, want only WEB's address added on lo", got)
	}
	sp := a.sp
	st := waitBGP(t, a, func(n int) bool { return n == 1 })
	if p := st.Prefixes[0]; p.Prefix != netip.MustParsePrefix("10.99.0.1/32") || p.Group != "WEB" {
		t.Errorf("announced %+v, want 10.99.0.1/32 for WEB", p)
	}
	if len(st.Neighbors) != 1 || st.Neighbors[0].Addr != netip.MustParseAddr("127.0.0.2") || st.Neighbors[0].State == "established" {
		t.Errorf("neighbors %+v, want 127.0.0.2 not established", st.Neighbors)
	}

	a.Sync(context.Background(), configtest.Load(t, bgpConf[:strings.Index(bgpConf, "anycast_group WEB")])) // reload: no group left
	if a.sp != sp {
		t.Error("a reload with the same neighbors restarted the speaker")
	}
	waitBGP(t, a, func(n int) bool { return n == 0 })
	if got := strings.Join(addrCalls(addrs), ","); got != "Add 10.99.0.1/32@1,Del 10.99.0.1/32@1" {
		t.Errorf("address calls %q, want WEB's address added then removed", got)
	}
	a.Stop()
	if a.Running() || a.Status().Running || len(addrs.Calls()) != 2 {
		t.Error("after stop the speaker still runs or an address is still on")
	}
}

// waitBGP polls the status until the number of announced prefixes
// satisfies ok.
func waitBGP(t *testing.T, a *Announcer, ok func(int) bool) *control.BGP {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		st := a.Status()
		if st != nil && ok(len(st.Prefixes)) {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("status %+v", st)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestSyncLooksUpOnlyToAdd: Sync runs after every loop event (each advert
// received or sent), so once an anycast address is on, later Syncs must
// not ask the system for its interface again: a netlink lookup per event
// and prefix would sit on the VRRP loop's hot path.
func TestSyncLooksUpOnlyToAdd(t *testing.T) {
	a, _ := testAnnouncer(t)
	links := a.deps.Links.(*systemtest.LinkWatcher)
	conf := configtest.Load(t, bgpConf)
	syncStarted(t, a, conf)
	lookups := func() int {
		n := 0
		for _, c := range links.Calls() {
			if c.Method == "Lookup" && c.Args[0] == "lo" {
				n++
			}
		}
		return n
	}
	first := lookups()
	if first == 0 {
		t.Fatal("the anycast address went on without looking its interface up")
	}
	for range 100 {
		a.Touch() // even when something changed
		a.Sync(context.Background(), conf)
	}
	if n := lookups(); n != first {
		t.Errorf("100 Syncs with nothing to change looked lo up %d more times, want none", n-first)
	}
}
