package daemon

import (
	"context"
	"net/netip"
	"reflect"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/bgp"
	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/control"
	"github.com/gokeepalived/gokeepalived/internal/system"
	"github.com/gokeepalived/gokeepalived/internal/track"
)

// The BGP side (issue 16, docs/bgp.md). After every event the loop
// handles, bgpSync recomputes the routes this node should announce
// (bgp.Desired: anycast groups whose trackers are all healthy, the VIPs
// of bgp_announce instances in MASTER), damps them (bgp.HoldDown), puts
// the anycast addresses on their interface (lo unless a dev is given)
// and hands the set to the speaker, which never makes the loop wait for
// the network. A reload that keeps local_as, router_id and the listening
// port updates the running speaker (unchanged neighbors keep their
// sessions); otherwise the speaker is closed and a new one started. On
// stop, routes are marked GRACEFUL_SHUTDOWN for graceful_shutdown
// seconds, then withdrawn, then the sessions closed.

// bgpState is the daemon's BGP side; nil until a bgp_speaker is
// configured.
type bgpState struct {
	sp       *bgp.Speaker
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
}

// bgpStartTimeout bounds the speaker's local setup on the loop, and
// bgpCloseTimeout the closing of its sessions at stop.
const (
	bgpStartTimeout = 5 * time.Second
	bgpCloseTimeout = 2 * time.Second
)

// bgpSync brings the speaker and the announced routes up to date; it
// runs on the loop after every event and returns at once when no
// bgp_speaker is configured.
func (d *Daemon) bgpSync() {
	b := d.ann.bgp
	if b == nil {
		if d.conf.Global.BGPSpeaker == nil || d.loop.stopping {
			return
		}
		b = &bgpState{addrs: map[netip.Prefix]system.VIP{}, failed: map[netip.Prefix]bool{}}
		d.ann.bgp = b
	}
	if b.conf != d.conf {
		d.bgpConfigure(b)
	}
	var routes []bgp.Route
	if b.sp != nil {
		var next time.Time
		routes, next = b.hd.Apply(time.Now(), bgp.Desired(d.conf, d.bgpHealth(), d.bgpVRRP()))
		d.bgpWakeAt(b, next)
	}
	d.bgpAddrs(b, routes, true) // addresses on before the route goes out
	if b.sp != nil && !reflect.DeepEqual(routes, b.last) {
		b.sp.SetAnnounced(routes)
		b.last = routes
	}
	d.bgpAddrs(b, routes, false) // and off once the withdrawal is handed over
}

// bgpConfigure applies a new configuration to the speaker: it keeps the
// running one when it can take the block in place.
func (d *Daemon) bgpConfigure(b *bgpState) {
	b.conf = d.conf
	spc := d.conf.Global.BGPSpeaker
	if b.hd == nil || spc == nil || b.spConf == nil || spc.HoldDown != b.spConf.HoldDown {
		b.hd = bgp.NewHoldDown(holdDownOf(spc))
	}
	if b.sp != nil && spc != nil && b.sp.Update(spc, d.bgpRouterID(spc)) {
		b.spConf = spc
		return
	}
	d.bgpClose(b)
	if spc == nil {
		return
	}
	rid := d.bgpRouterID(spc)
	sp, err := bgp.New(bgp.Config{Speaker: spc, RouterID: rid, Logger: d.log.With("component", "bgp")})
	if err == nil {
		ctx, cancel := context.WithTimeout(d.loop.ctx, bgpStartTimeout)
		err = sp.Start(ctx)
		cancel()
	}
	if err != nil {
		b.err = err.Error()
		d.log.Error("bgp speaker not started: nothing is announced", "err", err)
		return
	}
	b.sp, b.spConf, b.routerID, b.err, b.last = sp, spc, rid, "", nil
	d.log.Info("bgp speaker started", "local_as", spc.LocalAS, "router_id", rid, "neighbors", len(spc.Neighbors))
}

func holdDownOf(spc *config.BGPSpeaker) time.Duration {
	if spc == nil {
		return 0
	}
	return spc.HoldDown
}

// bgpRouterID is router_id, or else the first IPv4 address of the
// lowest-numbered interface that has one, lo aside.
func (d *Daemon) bgpRouterID(spc *config.BGPSpeaker) netip.Addr {
	if spc.RouterID.IsValid() {
		return spc.RouterID
	}
	for i := 1; i < 256; i++ {
		l, err := d.sys.links.ByIndex(i)
		if err != nil || l.Name == "lo" {
			continue
		}
		if a, err := d.sys.links.PrimaryIPv4(i); err == nil {
			return a
		}
	}
	return netip.Addr{}
}

// bgpHealth reads the state of every tracker an anycast group names.
func (d *Daemon) bgpHealth() bgp.Health {
	h := bgp.Health{Scripts: map[string]bool{}, Interfaces: map[string]bool{}, Files: map[string]bool{}, Processes: map[string]bool{}}
	for _, g := range d.conf.AnycastGroups {
		for _, r := range g.TrackScripts {
			t, ok := d.trackers().Script(r.Name)
			h.Scripts[r.Name] = ok && t.State == track.StateUp
		}
		for _, r := range g.TrackInterfaces {
			h.Interfaces[r.Name] = d.linkUp(r.Name)
		}
		for _, r := range g.TrackFiles {
			f, ok := d.trackers().File(r.Name)
			h.Files[r.Name] = ok && f.Value == 0
		}
		for _, r := range g.TrackProcesses {
			t, ok := d.trackers().Process(r.Name)
			h.Processes[r.Name] = ok && t.State == track.StateUp
		}
	}
	return h
}

// bgpVRRP is the state and priority of every bgp_announce instance.
func (d *Daemon) bgpVRRP() map[string]bgp.VRRP {
	out := map[string]bgp.VRRP{}
	for _, vi := range d.insts {
		if vi.Conf.BGPAnnounce != nil {
			out[vi.Conf.Name] = bgp.VRRP{State: vi.M.State(), Priority: int(vi.M.EffectivePriority())}
		}
	}
	return out
}

// bgpWakeAt makes the loop run again at next (a hold-down's end).
func (d *Daemon) bgpWakeAt(b *bgpState, next time.Time) {
	if next.IsZero() || next.Equal(b.timerAt) {
		return
	}
	if b.timer != nil {
		b.timer.Stop()
	}
	b.timerAt = next
	b.timer = time.AfterFunc(time.Until(next), func() { d.post(func() {}) })
}

// bgpAddrs puts the anycast addresses of routes on (on) or takes the
// others off (!on). An address that cannot go on is logged once and
// tried again at the next event.
func (d *Daemon) bgpAddrs(b *bgpState, routes []bgp.Route, on bool) {
	want := map[netip.Prefix]system.VIP{}
	for _, r := range routes {
		if r.Group == "" {
			continue
		}
		if v, ok := d.anycastVIP(r.Group, r.Prefix); ok {
			want[r.Prefix] = v
		}
	}
	if !on {
		for p, v := range b.addrs {
			if _, ok := want[p]; ok {
				continue
			}
			if err := d.sys.addrs.Del(v); err != nil {
				d.log.Warn("anycast address not removed", "addr", p, "err", err)
			}
			delete(b.addrs, p)
		}
		return
	}
	for p, v := range want {
		if _, ok := b.addrs[p]; ok {
			continue
		}
		if err := d.sys.addrs.Add(v); err != nil {
			if !b.failed[p] {
				d.log.Error("anycast address not added, will retry", "addr", p, "err", err)
			}
			b.failed[p] = true
			continue
		}
		delete(b.failed, p)
		b.addrs[p] = v
	}
}

// anycastVIP resolves the address of group for prefix p.
func (d *Daemon) anycastVIP(group string, p netip.Prefix) (system.VIP, bool) {
	for _, g := range d.conf.AnycastGroups {
		if g.Name != group {
			continue
		}
		for _, v := range g.VIPs {
			if v.Prefix.Masked() != p {
				continue
			}
			l, err := d.lookupIface(v.Dev)
			if err != nil {
				return system.VIP{}, false
			}
			return system.VIP{Prefix: v.Prefix, Ifindex: l.Index, Label: v.Label}, true
		}
	}
	return system.VIP{}, false
}

// bgpStop runs first when the daemon stops: graceful shutdown (when
// configured), withdrawal, sessions closed, anycast addresses off.
func (d *Daemon) bgpStop() {
	b := d.ann.bgp
	if b == nil {
		return
	}
	if b.timer != nil {
		b.timer.Stop()
	}
	if b.sp != nil && b.spConf.GracefulShutdown > 0 {
		ctx, cancel := context.WithTimeout(context.Background(), b.spConf.GracefulShutdown+bgpCloseTimeout)
		if err := b.sp.GracefulShutdown(ctx); err != nil {
			d.log.Warn("bgp graceful shutdown", "err", err)
		}
		cancel()
	}
	d.bgpClose(b)
	d.bgpAddrs(b, nil, false)
	d.ann.bgp = nil
}

// bgpClose closes the speaker: its sessions end, and each router drops
// our routes at once.
func (d *Daemon) bgpClose(b *bgpState) {
	if b.sp == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), bgpCloseTimeout)
	defer cancel()
	if err := b.sp.Close(ctx); err != nil {
		d.log.Warn("bgp speaker close", "err", err)
	}
	b.sp, b.spConf, b.last = nil, nil, nil
}

// bgpStatus is the BGP part of the status snapshot; nil without a
// bgp_speaker.
func (d *Daemon) bgpStatus() *control.BGP {
	b := d.ann.bgp
	if b == nil {
		return nil
	}
	if b.sp == nil {
		return &control.BGP{LastError: b.err}
	}
	return bgpControl(b.sp.Status())
}

// bgpControl converts the speaker's status for the control API.
func bgpControl(st bgp.Status) *control.BGP {
	out := &control.BGP{Running: st.Running, LocalAS: st.LocalAS, RouterID: st.RouterID, LastError: st.LastError,
		Neighbors: []control.BGPNeighbor{}, Prefixes: []control.BGPPrefix{}}
	for _, n := range st.Neighbors {
		out.Neighbors = append(out.Neighbors, control.BGPNeighbor{Addr: n.Addr, RemoteAS: n.RemoteAS, State: n.State,
			Since: n.Since, Flaps: n.Flaps, LastError: n.LastError})
	}
	for _, p := range st.Prefixes {
		cp := control.BGPPrefix{Prefix: p.Prefix, Group: p.Group, Instance: p.Instance,
			ASPathPrepend: p.Attrs.ASPathPrepend, GracefulShutdown: p.GracefulShutdown, Since: p.Since}
		if p.Attrs.HasMED {
			cp.MED = &p.Attrs.MED
		}
		if p.Attrs.HasLocalPref {
			cp.LocalPref = &p.Attrs.LocalPref
		}
		for _, c := range p.Attrs.Communities {
			cp.Communities = append(cp.Communities, c.String())
		}
		for _, c := range p.Attrs.LargeCommunities {
			cp.Communities = append(cp.Communities, c.String())
		}
		out.Prefixes = append(out.Prefixes, cp)
	}
	return out
}
