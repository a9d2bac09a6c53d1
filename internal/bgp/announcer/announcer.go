package announcer

import (
	"context"
	"log/slog"
	"net/netip"
	"reflect"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/bgp"
	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/effect"
	"github.com/gokeepalived/gokeepalived/internal/system"
	"github.com/gokeepalived/gokeepalived/internal/track"
)

// Trackers reads the state of the running trackers.
type Trackers interface {
	Script(name string) (effect.Tracker, bool)
	File(name string) (effect.FileValue, bool)
	Process(name string) (effect.Tracker, bool)
}

// Links looks interfaces up: the anycast addresses' devices and the
// default router id.
type Links interface {
	Lookup(name string) (system.Link, error)
	system.LinkResolver
}

// Deps is what the announcer reads from and does to the rest of the
// daemon. All are required.
type Deps struct {
	Log   *slog.Logger
	Links Links
	Addrs system.Addresser
	// Trackers returns the running trackers.
	Trackers func() Trackers
	// LinkUp reports whether an interface is up (after its delays).
	LinkUp func(name string) bool
	// VRRP returns the state and priority of every bgp_announce instance.
	VRRP func() map[string]bgp.VRRP
	// Wake makes the loop run again (and call Sync); it is called from a
	// timer's goroutine and when a speaker's start ends.
	Wake func()
	// NewSpeaker makes a speaker; nil means bgp.New (GoBGP).
	NewSpeaker func(bgp.Config) (Speaker, error)
}

// Speaker is the BGP session side the announcer drives (bgp.Speaker).
type Speaker interface {
	Start(ctx context.Context) error
	Update(spc *config.BGPSpeaker, routerID netip.Addr) bool
	SetAnnounced(routes []bgp.Route)
	GracefulShutdown(ctx context.Context) error
	Close(ctx context.Context) error
	Status() bgp.Status
}

// started is the end of a speaker's start, handed back to the loop.
type started struct {
	sp  Speaker
	spc *config.BGPSpeaker
	rid netip.Addr
	err error
}

// Announcer is the BGP side of one daemon. Sync, Stop and Status run on
// the loop.
type Announcer struct {
	deps     Deps
	sp       Speaker
	conf     *config.Config     // the configuration last applied
	spConf   *config.BGPSpeaker // the block sp runs
	routerID netip.Addr         // sp's router id
	hd       *bgp.HoldDown
	last     []bgp.Route
	addrs    map[netip.Prefix]system.VIP // anycast addresses we put on
	failed   map[netip.Prefix]bool       // addresses that did not go on (logged once)
	err      string                      // why there is no speaker
	timer    *time.Timer                 // wakes the loop when a hold-down ends
	timerAt  time.Time
	dirty    bool // something the routes depend on may have changed (Touch)
	// starting receives the end of a speaker's start, which runs off the
	// loop; nil when none is under way. cancelStart abandons it.
	starting    chan started
	cancelStart context.CancelFunc
}

// startTimeout bounds the speaker's local setup (off the loop), and
// closeTimeout the closing of its sessions at stop.
const (
	startTimeout = 5 * time.Second
	closeTimeout = 2 * time.Second
)

// New returns an announcer with no speaker yet; the first Sync starts it.
func New(deps Deps) *Announcer {
	if deps.NewSpeaker == nil {
		deps.NewSpeaker = func(c bgp.Config) (Speaker, error) { return bgp.New(c) }
	}
	return &Announcer{deps: deps, addrs: map[netip.Prefix]system.VIP{}, failed: map[netip.Prefix]bool{}, dirty: true}
}

// Touch tells the announcer that something its routes depend on may have
// changed: an instance's state or priority, a tracker, an interface. Sync
// recomputes the routes only then (or after a reload, at a hold-down's
// end, while a withdrawn route is damped or an anycast address waits to
// go on): it runs after every loop event, most of them adverts that
// change nothing. A nil Announcer ignores it.
func (a *Announcer) Touch() {
	if a != nil {
		a.dirty = true
	}
}

// Running reports whether the speaker runs.
func (a *Announcer) Running() bool { return a.sp != nil }

// Sync brings the speaker and the announced routes up to date with conf
// and the state Deps reads; ctx bounds the start of a new speaker.
func (a *Announcer) Sync(ctx context.Context, conf *config.Config) {
	a.collectStart()
	if a.conf != conf {
		a.configure(ctx, conf)
		a.dirty = true
	}
	holdDownDue := !a.timerAt.IsZero() && !time.Now().Before(a.timerAt)
	// A damped route (HoldDown) learns when its group was last unhealthy
	// from each Apply, as it always has: keep applying while one is held.
	if !a.dirty && !holdDownDue && len(a.failed) == 0 && (a.hd == nil || !a.hd.Holding()) {
		return
	}
	a.dirty = false
	if holdDownDue {
		a.timerAt = time.Time{}
	}
	var routes []bgp.Route
	if a.sp != nil {
		var next time.Time
		routes, next = a.hd.Apply(time.Now(), bgp.Desired(conf, a.health(), a.deps.VRRP()))
		a.wakeAt(next)
	}
	a.setAddrs(routes, true) // addresses on before the route goes out
	if a.sp != nil && !reflect.DeepEqual(routes, a.last) {
		a.sp.SetAnnounced(routes)
		a.last = routes
	}
	a.setAddrs(routes, false) // and off once the withdrawal is handed over
}

// configure applies a new configuration to the speaker: it keeps the
// running one when it can take the block in place.
func (a *Announcer) configure(ctx context.Context, conf *config.Config) {
	a.conf = conf
	spc := conf.Global.BGPSpeaker
	if a.hd == nil || spc == nil || a.spConf == nil || spc.HoldDown != a.spConf.HoldDown {
		a.hd = bgp.NewHoldDown(holdDownOf(spc))
	}
	if a.sp != nil && spc != nil && a.sp.Update(spc, a.routerIDOf(spc)) {
		a.spConf = spc
		return
	}
	a.close()
	a.abandonStart(false)
	if spc == nil {
		return
	}
	rid := a.routerIDOf(spc)
	sp, err := a.deps.NewSpeaker(bgp.Config{Speaker: spc, RouterID: rid, Logger: a.deps.Log.With("component", "bgp")})
	if err != nil {
		a.startFailed(err)
		return
	}
	// The local setup (GoBGP's server, the neighbors) runs off the loop,
	// so adverts keep going out meanwhile; the loop picks its end up at
	// the next Sync, which Wake brings about.
	sctx, cancel := context.WithTimeout(ctx, startTimeout)
	ch := make(chan started, 1)
	a.starting, a.cancelStart = ch, cancel
	go func() {
		err := sp.Start(sctx)
		cancel()
		ch <- started{sp: sp, spc: spc, rid: rid, err: err}
		a.deps.Wake()
	}()
}

// collectStart installs the speaker whose start ended, if one did.
func (a *Announcer) collectStart() {
	if a.starting == nil {
		return
	}
	var r started
	select {
	case r = <-a.starting:
	default:
		return
	}
	a.starting, a.cancelStart = nil, nil
	a.dirty = true
	if r.err != nil {
		a.startFailed(r.err)
		return
	}
	a.sp, a.spConf, a.routerID, a.err, a.last = r.sp, r.spc, r.rid, "", nil
	a.deps.Log.Info("bgp speaker started", "local_as", r.spc.LocalAS, "router_id", r.rid, "neighbors", len(r.spc.Neighbors))
}

func (a *Announcer) startFailed(err error) {
	a.err = err.Error()
	a.deps.Log.Error("bgp speaker not started: nothing is announced", "err", err)
}

// abandonStart cancels a start under way (a reload replaced its block,
// or the daemon stops) and closes its speaker should it have started
// anyway: off the loop, or waiting for it when wait (at stop).
func (a *Announcer) abandonStart(wait bool) {
	if a.starting == nil {
		return
	}
	ch := a.starting
	a.cancelStart()
	a.starting, a.cancelStart = nil, nil
	drop := func() {
		if r := <-ch; r.err == nil {
			ctx, cancel := context.WithTimeout(context.Background(), closeTimeout)
			defer cancel()
			r.sp.Close(ctx)
		}
	}
	if wait {
		drop()
		return
	}
	go drop()
}

func holdDownOf(spc *config.BGPSpeaker) time.Duration {
	if spc == nil {
		return 0
	}
	return spc.HoldDown
}

// routerIDOf is router_id, or else the first IPv4 address of the
// lowest-numbered interface that has one, lo aside.
func (a *Announcer) routerIDOf(spc *config.BGPSpeaker) netip.Addr {
	if spc.RouterID.IsValid() {
		return spc.RouterID
	}
	for i := 1; i < 256; i++ {
		l, err := a.deps.Links.ByIndex(i)
		if err != nil || l.Name == "lo" {
			continue
		}
		if addr, err := a.deps.Links.PrimaryIPv4(i); err == nil {
			return addr
		}
	}
	return netip.Addr{}
}

// health reads the state of every tracker an anycast group names.
func (a *Announcer) health() bgp.Health {
	h := bgp.Health{Scripts: map[string]bool{}, Interfaces: map[string]bool{}, Files: map[string]bool{}, Processes: map[string]bool{}}
	trk := a.deps.Trackers()
	for _, g := range a.conf.AnycastGroups {
		for _, r := range g.TrackScripts {
			t, ok := trk.Script(r.Name)
			h.Scripts[r.Name] = ok && t.State == track.StateUp
		}
		for _, r := range g.TrackInterfaces {
			h.Interfaces[r.Name] = a.deps.LinkUp(r.Name)
		}
		for _, r := range g.TrackFiles {
			f, ok := trk.File(r.Name)
			h.Files[r.Name] = ok && f.Value == 0
		}
		for _, r := range g.TrackProcesses {
			t, ok := trk.Process(r.Name)
			h.Processes[r.Name] = ok && t.State == track.StateUp
		}
	}
	return h
}

// wakeAt makes the loop run again at next (a hold-down's end).
func (a *Announcer) wakeAt(next time.Time) {
	if next.IsZero() || next.Equal(a.timerAt) {
		return
	}
	if a.timer != nil {
		a.timer.Stop()
	}
	a.timerAt = next
	a.timer = time.AfterFunc(time.Until(next), a.deps.Wake)
}

// setAddrs puts the anycast addresses of routes on (on) or takes the
// others off (!on). An address that cannot go on is logged once and
// tried again at the next event.
func (a *Announcer) setAddrs(routes []bgp.Route, on bool) {
	want := map[netip.Prefix]string{} // anycast prefix → its group
	for _, r := range routes {
		if r.Group != "" {
			want[r.Prefix] = r.Group
		}
	}
	if !on {
		for p, v := range a.addrs {
			if _, ok := want[p]; ok {
				continue
			}
			if err := a.deps.Addrs.Del(v); err != nil {
				a.deps.Log.Warn("anycast address not removed", "addr", p, "err", err)
			}
			delete(a.addrs, p)
		}
		return
	}
	for p, group := range want {
		if _, ok := a.addrs[p]; ok {
			continue // on already: no interface lookup on every loop event
		}
		v, ok := a.anycastVIP(group, p)
		if !ok {
			continue
		}
		if err := a.deps.Addrs.Add(v); err != nil {
			if !a.failed[p] {
				a.deps.Log.Error("anycast address not added, will retry", "addr", p, "err", err)
			}
			a.failed[p] = true
			continue
		}
		delete(a.failed, p)
		a.addrs[p] = v
	}
}

// anycastVIP resolves the address of group for prefix p.
func (a *Announcer) anycastVIP(group string, p netip.Prefix) (system.VIP, bool) {
	for _, g := range a.conf.AnycastGroups {
		if g.Name != group {
			continue
		}
		for _, v := range g.VIPs {
			if v.Prefix.Masked() != p {
				continue
			}
			l, err := a.deps.Links.Lookup(v.Dev)
			if err != nil {
				return system.VIP{}, false
			}
			return system.VIP{Prefix: v.Prefix, Ifindex: l.Index, Label: v.Label}, true
		}
	}
	return system.VIP{}, false
}

// Stop runs first when the daemon stops: graceful shutdown (when
// configured), withdrawal, sessions closed, anycast addresses off.
func (a *Announcer) Stop() {
	if a.timer != nil {
		a.timer.Stop()
	}
	if a.sp != nil && a.spConf.GracefulShutdown > 0 {
		ctx, cancel := context.WithTimeout(context.Background(), a.spConf.GracefulShutdown+closeTimeout)
		if err := a.sp.GracefulShutdown(ctx); err != nil {
			a.deps.Log.Warn("bgp graceful shutdown", "err", err)
		}
		cancel()
	}
	a.close()
	a.abandonStart(true)
	a.setAddrs(nil, false)
}

// close closes the speaker: its sessions end, and each router drops our
// routes at once.
func (a *Announcer) close() {
	if a.sp == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), closeTimeout)
	defer cancel()
	if err := a.sp.Close(ctx); err != nil {
		a.deps.Log.Warn("bgp speaker close", "err", err)
	}
	a.sp, a.spConf, a.last = nil, nil, nil
}
