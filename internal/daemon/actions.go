package daemon

import (
	"time"

	"github.com/gokeepalived/gokeepalived/internal/control"
	"github.com/gokeepalived/gokeepalived/internal/instance"
	"github.com/gokeepalived/gokeepalived/internal/notify"
	"github.com/gokeepalived/gokeepalived/internal/notify/policy"
	"github.com/gokeepalived/gokeepalived/internal/vinst"
)

// stepUnit steps member i of u with ev and carries out the actions.
func (d *Daemon) stepUnit(now time.Time, u *vinst.Unit, i int, ev instance.Event) {
	acts := u.Step(now, i, ev)
	for _, ma := range acts {
		d.execute(now, u.Members[ma.Member], ma.Action)
	}
	d.groupNotify(u)
}

// armTimer re-arms the loop's timer to the earliest deadline, read from
// the deadline queue (O(1) unless the set of units changed). A timer
// already armed to that deadline is left alone: most loop events (a
// backup's received advert, a request) do not move the earliest deadline,
// and each re-arm is a system call.
func (d *Daemon) armTimer() {
	d.loop.pass.Timers.Sync(d.units)
	next := d.loop.pass.Timers.Next()
	if !next.IsZero() && next.Equal(d.loop.armedAt) {
		return
	}
	d.loop.armedAt = next
	wait := time.Hour
	if !next.IsZero() {
		wait = max(time.Until(next), 0)
	}
	if d.loop.timer != nil {
		d.loop.timer.Reset(wait)
	}
}

// execute carries out one action of vi's machine. Every path that acts
// on the machines (timer passes, received adverts, trackers, reloads, the
// graceful stop) comes through here, so this is where a real-time loop
// spends its RLIMIT_RTTIME budget (realtime.Budget): 255 instances
// stopping or taking over at once must not run the thread into the limit.
func (d *Daemon) execute(now time.Time, vi *vinst.Instance, a instance.Action) {
	d.loop.rt.Spend()
	switch a := a.(type) {
	case instance.SendAdvert:
		d.sendAdvert(vi, a.Priority)
		vi.RetryVIPs(d.sys.addrs)
		d.retryRoutes(vi) // routes.go: static and virtual
	case instance.AddAddresses:
		d.fx.fw.Drop(&d.conf.Global, vi) // no_accept drop rules go on first
		d.addVIPs(vi)
		d.routes().Add(vi.Virtual()) // routes, then rules, after the VIPs
	case instance.RemoveAddresses:
		if d.loop.stopping && d.cfg.DontReleaseVRRP {
			return
		}
		d.routes().Del(vi.Virtual()) // rules, then routes, before the VIPs
		d.delVIPs(vi)
		d.fx.fw.Release(vi)
	case instance.SendGratuitous:
		d.gratuitous(vi, a.Repeat, a.Interval)
	case instance.Notify:
		d.transition(now, vi, a.Transition)
	case instance.MasterRxLowerPriority:
		if ok, held := vi.CauseLog.Allow("lower priority", now); ok {
			vi.Log.Info(vi.MasterRxLowerLine(a), append(held, "from", a.From, "priority", a.Priority)...)
		}
		d.ann.notifier.Notify(notify.Event{Kind: notify.KindInstance, Name: vi.Conf.Name,
			State: notify.StateMasterRxLowerPri, Priority: int(vi.M.EffectivePriority())})
	}
}

// sendAdvert sends one advert of vi, encoded into the loop's buffer and
// written (or batched) by vinst.Batch.
func (d *Daemon) sendAdvert(vi *vinst.Instance, prio uint8) {
	d.loop.txBuf = vi.SendAdvert(d.loop.txBuf, prio, &d.loop.pass.Tx)
}

// addVIPs adds every address of vi; a failure is retried on the next
// advert round.
func (d *Daemon) addVIPs(vi *vinst.Instance) {
	vi.AddVIPs(d.sys.addrs)
	d.lvsAddrsChanged() // lvs.go: ha_suspend follows the VIPs
}

// delVIPs removes every address of vi.
func (d *Daemon) delVIPs(vi *vinst.Instance) {
	vi.DelVIPs(d.sys.addrs)
	d.lvsAddrsChanged() // lvs.go
}

// gratuitous sends repeat rounds of GARP/NA for every VIP of vi, interval
// apart.
func (d *Daemon) gratuitous(vi *vinst.Instance, repeat int, interval time.Duration) {
	if repeat <= 0 || len(vi.VIPs) == 0 {
		return
	}
	vi.LogGARPs()
	vi.Announce(d.sys.ann, vi.Targets(), repeat, interval)
}

// transition records and announces a state change of vi.
func (d *Daemon) transition(now time.Time, vi *vinst.Instance, t instance.Transition) {
	vi.LastTrans = control.Transition{At: now, From: control.State(t.From.String()),
		To: control.State(t.To.String()), Cause: t.String()}
	switch {
	case t.To == instance.Master:
		vi.Stats.BecomeMaster++
		vi.AHBecameMaster()
	case t.From == instance.Master:
		vi.Stats.ReleaseMaster++
	}
	vinst.LogTransition(vi.Log, vi.Conf.Name, t)
	d.ann.metrics.Transition(vi.Conf.Name, vi.LastTrans.From, vi.LastTrans.To)
	d.ann.bgp.Touch() // bgp_announce follows the state
	d.ann.notes.Instance(vi.Conf.Name, t.To, int(t.Priority))
}

// groupNotify announces a sync group's state when it changes.
func (d *Daemon) groupNotify(u *vinst.Unit) {
	if u.Group == nil {
		return
	}
	s := u.GroupState()
	if s == u.Announced {
		return
	}
	u.Announced = s
	d.ann.notes.Group(u.Name, s)
}

// states returns every instance's and sync group's current state, for
// fifo_write_vrrp_states_on_reload.
func (d *Daemon) states() []notify.Event {
	var out []notify.Event
	for _, vi := range d.insts {
		if st, ok := policy.StateOf(vi.M.State()); ok {
			out = append(out, notify.Event{Kind: notify.KindInstance, Name: vi.Conf.Name, State: st,
				Priority: int(vi.M.EffectivePriority())})
		}
	}
	for _, u := range d.units {
		if u.Group == nil {
			continue
		}
		if st, ok := policy.StateOf(u.GroupState()); ok {
			out = append(out, notify.Event{Kind: notify.KindGroup, Name: u.Name, State: st})
		}
	}
	return out
}
