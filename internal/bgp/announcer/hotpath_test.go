package announcer

import (
	"context"
	"log/slog"
	"net/netip"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/bgp"
	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/config/configtest"
	"github.com/gokeepalived/gokeepalived/internal/effect"
	"github.com/gokeepalived/gokeepalived/internal/system"
	"github.com/gokeepalived/gokeepalived/internal/system/systemtest"
	"github.com/gokeepalived/gokeepalived/internal/track"
)

// fakeSpeaker stands for bgp.Speaker: Start blocks until release is
// closed (or its context ends), and the announced routes are counted.
type fakeSpeaker struct {
	release   chan struct{}
	entered   chan struct{} // closed when Start is entered
	inStart   atomic.Bool
	returned  atomic.Bool
	announced atomic.Int32
	routes    []bgp.Route // the last announced (set on the Sync's goroutine)
	closed    atomic.Bool
}

func (f *fakeSpeaker) Start(ctx context.Context) error {
	if !f.inStart.Swap(true) && f.entered != nil {
		close(f.entered)
	}
	defer f.returned.Store(true)
	select {
	case <-f.release:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
func (f *fakeSpeaker) Update(*config.BGPSpeaker, netip.Addr) bool { return true }
func (f *fakeSpeaker) SetAnnounced(r []bgp.Route)                 { f.announced.Add(1); f.routes = r }
func (f *fakeSpeaker) GracefulShutdown(context.Context) error     { return nil }
func (f *fakeSpeaker) Close(context.Context) error                { f.closed.Store(true); return nil }
func (f *fakeSpeaker) Status() bgp.Status                         { return bgp.Status{Running: true} }

// fakeAnnouncer is an announcer over fake links and addresses whose
// speaker is sp; it counts the routes computations (each reads the VRRP
// states once) and the wake-ups.
func fakeAnnouncer(t *testing.T, sp *fakeSpeaker) (a *Announcer, computed *int, woke chan struct{}) {
	t.Helper()
	computed, woke = new(int), make(chan struct{}, 1)
	links := systemtest.NewLinkWatcher(system.Link{Name: "lo", Index: 1, Up: true})
	a = New(Deps{Log: slog.New(slog.DiscardHandler), Links: links, Addrs: &systemtest.Addresser{},
		Trackers: func() Trackers { return noTrackers{} }, LinkUp: func(string) bool { return true },
		VRRP: func() map[string]bgp.VRRP { *computed++; return nil },
		Wake: func() {
			select {
			case woke <- struct{}{}:
			default:
			}
		},
		NewSpeaker: func(bgp.Config) (Speaker, error) { return sp, nil }})
	t.Cleanup(a.Stop)
	return a, computed, woke
}

// TestSyncStartsSpeakerOffTheLoop: a speaker whose local setup blocks
// does not hold Sync (the loop keeps sending adverts meanwhile: each
// event's Sync returns while the start is still under way); when the
// start ends the loop is woken and the next Sync announces. Before, Sync
// waited for the start, up to 5 s.
func TestSyncStartsSpeakerOffTheLoop(t *testing.T) {
	sp := &fakeSpeaker{release: make(chan struct{}), entered: make(chan struct{})}
	a, _, woke := fakeAnnouncer(t, sp)
	conf := configtest.Load(t, bgpConf)
	a.Sync(context.Background(), conf)
	<-sp.entered
	for range 50 { // 50 loop events (adverts) while the speaker starts
		a.Sync(context.Background(), conf)
	}
	if sp.returned.Load() || !sp.inStart.Load() {
		t.Fatalf("after 50 Syncs the start has returned %v (in it %v): Sync waited for the speaker's setup",
			sp.returned.Load(), sp.inStart.Load())
	}
	if a.Running() || sp.announced.Load() != 0 {
		t.Fatal("routes announced before the speaker started")
	}
	close(sp.release)
	<-woke
	a.Sync(context.Background(), conf)
	if !a.Running() || sp.announced.Load() != 1 {
		t.Errorf("after the start ended: running %v, announced %d times, want running, once", a.Running(), sp.announced.Load())
	}
}

// TestStopAbandonsStart: a daemon stopping while its speaker starts
// cancels the start and waits for it, leaving nothing running.
func TestStopAbandonsStart(t *testing.T) {
	sp := &fakeSpeaker{release: make(chan struct{}), entered: make(chan struct{})}
	a, _, _ := fakeAnnouncer(t, sp)
	a.Sync(context.Background(), configtest.Load(t, bgpConf))
	a.Stop()
	if !sp.returned.Load() || a.Running() {
		t.Errorf("after Stop: start returned %v, running %v; want the start cancelled and nothing running", sp.returned.Load(), a.Running())
	}
}

// TestIdleSyncComputesNothing: Sync runs after every loop event; N
// adverts that change nothing (no Touch, same configuration) compute no
// routes, while a Touch (a state, tracker or interface change) or a
// reload does. Before, every Sync ran bgp.Desired and compared routes.
func TestIdleSyncComputesNothing(t *testing.T) {
	sp := &fakeSpeaker{release: make(chan struct{}), entered: make(chan struct{})}
	close(sp.release)
	a, computed, _ := fakeAnnouncer(t, sp)
	conf := configtest.Load(t, bgpConf)
	syncStarted(t, a, conf)
	before := *computed
	for range 1000 {
		a.Sync(context.Background(), conf)
	}
	if n := *computed - before; n != 0 {
		t.Errorf("1000 idle Syncs computed the routes %d times, want 0", n)
	}
	a.Touch()
	a.Sync(context.Background(), conf)
	a.Sync(context.Background(), configtest.Load(t, bgpConf)) // a reload
	if n := *computed - before; n != 2 {
		t.Errorf("a Touch and a reload computed the routes %d times, want 2", n)
	}
}

// oneScript is a daemon whose only tracker is a vrrp_script, up or down.
type oneScript struct{ up *bool }

func (s oneScript) Script(string) (effect.Tracker, bool) {
	if *s.up {
		return effect.Tracker{State: track.StateUp}, true
	}
	return effect.Tracker{State: track.StateDown}, true
}
func (oneScript) File(string) (effect.FileValue, bool)  { return effect.FileValue{}, false }
func (oneScript) Process(string) (effect.Tracker, bool) { return effect.Tracker{}, false }

// TestIdleSyncKeepsHoldDown: while a withdrawn group is damped, the
// adverts that change nothing still tell the hold-down the group is
// unhealthy, so a group healthy again is held for hold_down from then —
// not announced at once because the last computation was long ago.
func TestIdleSyncKeepsHoldDown(t *testing.T) {
	sp := &fakeSpeaker{release: make(chan struct{})}
	close(sp.release)
	a, _, _ := fakeAnnouncer(t, sp)
	up := true
	a.deps.Trackers = func() Trackers { return oneScript{&up} }
	conf := holdDownConf(t)
	syncStarted(t, a, conf)
	announced := func() bool { return slices.ContainsFunc(sp.routes, func(r bgp.Route) bool { return r.Group == "CHK" }) }
	if !announced() {
		t.Fatalf("CHK not announced at start: %+v (%d calls, running %v, err %q)", sp.routes, sp.announced.Load(), a.Running(), a.err)
	}
	up = false
	a.Touch()
	a.Sync(context.Background(), conf)
	if announced() {
		t.Fatal("CHK still announced with its script down")
	}
	for end := time.Now().Add(1300 * time.Millisecond); time.Now().Before(end); { // longer than hold_down
		time.Sleep(20 * time.Millisecond)
		a.Sync(context.Background(), conf) // adverts: nothing changed
	}
	up = true
	a.Touch()
	a.Sync(context.Background(), conf)
	if announced() {
		t.Error("CHK announced as soon as its script was up again: the hold-down counted from the withdrawal, not from the last unhealthy moment")
	}
}

// holdDownConf is bgpConf with a 1 s hold-down and a group CHK tracking
// the script chk.
func holdDownConf(t *testing.T) *config.Config {
	return configtest.Load(t, strings.Replace(bgpConf, "router_id 127.0.0.1", "router_id 127.0.0.1\n        hold_down 1", 1)+
		"vrrp_script chk {\n    script /bin/true\n}\nanycast_group CHK {\n    virtual_ipaddress {\n        10.99.0.3/32\n    }\n    track_script {\n        chk\n    }\n}\n")
}
