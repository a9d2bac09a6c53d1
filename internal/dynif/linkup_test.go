package dynif

import (
	"log/slog"
	"testing"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/system"
	"github.com/gokeepalived/gokeepalived/internal/system/systemtest"
	"github.com/gokeepalived/gokeepalived/internal/vinst"
)

func lookups(links *systemtest.LinkWatcher) int {
	n := 0
	for _, c := range links.Calls() {
		if c.Method == "Lookup" {
			n++
		}
	}
	return n
}

// TestLinkUpNoNetlinkPerRead: the state track_interface and an anycast
// group's track_interface read comes from the link watcher's events: an
// interface an event named is never looked up, one no event named yet is
// looked up once, and a later event still changes what is read.
func TestLinkUpNoNetlinkPerRead(t *testing.T) {
	links := systemtest.NewLinkWatcher(system.Link{Name: "eth1", Index: 2, Up: true},
		system.Link{Name: "eth2", Index: 3, Up: true})
	w := New(Deps{Log: slog.New(slog.DiscardHandler), Links: links,
		Insts:  func() []*vinst.Instance { return nil },
		Delays: func() []config.UpDownDelay { return nil },
		Post:   func(f func()) { f() }, RefreshAll: func() {}})

	w.LinkChanged(system.LinkEvent{Link: system.Link{Name: "eth1", Index: 2, Up: false}})
	for range 100 {
		if w.LinkUp("eth1") {
			t.Fatal("eth1 reads up after the watcher reported it down")
		}
	}
	if n := lookups(links); n != 0 {
		t.Errorf("%d netlink lookups for an interface the watcher reported, want 0", n)
	}

	for range 100 {
		if !w.LinkUp("eth2") {
			t.Fatal("eth2 reads down, the lookup found it up")
		}
		if w.LinkUp("eth9") {
			t.Fatal("a missing interface reads up")
		}
	}
	if n := lookups(links); n != 2 {
		t.Errorf("%d lookups for two interfaces no event named, want one each", n)
	}
	w.LinkChanged(system.LinkEvent{Link: system.Link{Name: "eth2", Index: 3}, Deleted: true})
	w.LinkChanged(system.LinkEvent{Link: system.Link{Name: "eth9", Index: 9, Up: true}})
	if w.LinkUp("eth2") || !w.LinkUp("eth9") {
		t.Errorf("after eth2 went and eth9 came: eth2 up %v, eth9 up %v", w.LinkUp("eth2"), w.LinkUp("eth9"))
	}
	if n := lookups(links); n != 2 {
		t.Errorf("%d lookups after the events, want still 2", n)
	}
	w.LinkChanged(system.LinkEvent{Link: system.Link{Name: "wan", Index: 9, Up: true}}) // eth9 renamed
	if w.LinkUp("eth9") || !w.LinkUp("wan") {
		t.Errorf("after eth9 was renamed wan: eth9 up %v, wan up %v; want the old name gone", w.LinkUp("eth9"), w.LinkUp("wan"))
	}
	if n := lookups(links); n != 3 {
		t.Errorf("%d lookups after the events, want 3 (the renamed-away name once more)", n)
	}
}
