package daemon

import (
	"time"

	"github.com/gokeepalived/gokeepalived/internal/control"
	"github.com/gokeepalived/gokeepalived/internal/instance"
	"github.com/gokeepalived/gokeepalived/internal/notify"
	"github.com/gokeepalived/gokeepalived/internal/vinst"
	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

// stepUnit steps member i of u with ev and carries out the actions.
func (d *Daemon) stepUnit(now time.Time, u *vinst.Unit, i int, ev instance.Event) {
	acts := u.Step(now, i, ev)
	for _, ma := range acts {
		d.execute(now, u.Members[ma.Member], ma.Action)
	}
	d.groupNotify(u)
}

// fireTimers steps every unit whose deadline has passed, reading the
// clock again for each, so that units falling due while earlier ones send
// are served in the same pass instead of after another timer wake-up
// (with 255 instances due together that wake-up was the adverts' jitter).
func (d *Daemon) fireTimers(time.Time) {
	for _, u := range d.units {
		dl := u.Deadline()
		if dl.IsZero() {
			continue
		}
		if now := time.Now(); !now.Before(dl) {
			d.stepUnit(now, u, -1, instance.Timeout{})
		}
	}
}

// armTimer re-arms the loop's timer to the earliest deadline.
func (d *Daemon) armTimer() {
	var next time.Time
	for _, u := range d.units {
		if dl := u.Deadline(); !dl.IsZero() && (next.IsZero() || dl.Before(next)) {
			next = dl
		}
	}
	wait := time.Hour
	if !next.IsZero() {
		wait = max(time.Until(next), 0)
	}
	if d.timer != nil {
		d.timer.Reset(wait)
	}
}

// execute carries out one action of vi's machine.
func (d *Daemon) execute(now time.Time, vi *vinst.Instance, a instance.Action) {
	switch a := a.(type) {
	case instance.SendAdvert:
		d.txBuf = vi.SendAdvert(d.txBuf, a.Priority)
		d.retryVIPs(vi)
		d.retryRoutes(vi) // routes.go: static and virtual
	case instance.AddAddresses:
		d.fw.Drop(&d.conf.Global, vi) // no_accept drop rules go on first
		d.addVIPs(vi)
		d.routes().Add(d.virtual(vi)) // routes, then rules, after the VIPs
	case instance.RemoveAddresses:
		if d.stopping && d.cfg.DontReleaseVRRP {
			return
		}
		d.routes().Del(d.virtual(vi)) // rules, then routes, before the VIPs
		d.delVIPs(vi)
		d.fw.Release(vi)
	case instance.SendGratuitous:
		d.gratuitous(vi, a.Repeat, a.Interval)
	case instance.Notify:
		d.transition(now, vi, a.Transition)
	case instance.MasterRxLowerPriority:
		if ok, held := vi.CauseLog.Allow("lower priority", now); ok { // rx.go
			vi.Log.Info(vi.MasterRxLowerLine(a), append(held, "from", a.From, "priority", a.Priority)...)
		}
		d.notifier.Notify(notify.Event{Kind: notify.KindInstance, Name: vi.Conf.Name,
			State: notify.StateMasterRxLowerPri, Priority: int(vi.M.EffectivePriority())})
	}
}

// addVIPs adds every address of vi; a failure is logged and retried on
// the next advert round (retryVIPs).
func (d *Daemon) addVIPs(vi *vinst.Instance) {
	vi.LogVIPs(true)
	for i, v := range vi.VIPs {
		if err := d.sys.addrs.Add(v); err != nil {
			vi.Log.Error("add virtual address, will retry", "addr", v.Prefix, "dev", vi.VIPIf[i], "err", err)
			vi.Present[i] = false
			vi.VIPRetry = true
			continue
		}
		vi.Present[i] = true
	}
}

// retryVIPs re-adds addresses that failed to go on while master.
func (d *Daemon) retryVIPs(vi *vinst.Instance) {
	if !vi.VIPRetry || vi.M.State() != instance.Master {
		return
	}
	vi.VIPRetry = false
	for i, ok := range vi.Present {
		if ok {
			continue
		}
		if err := d.sys.addrs.Add(vi.VIPs[i]); err != nil {
			vi.VIPRetry = true
			continue
		}
		vi.Present[i] = true
		vi.Log.Info("virtual address added on retry", "addr", vi.VIPs[i].Prefix)
	}
}

func (d *Daemon) delVIPs(vi *vinst.Instance) {
	vi.LogVIPs(false)
	for i, v := range vi.VIPs {
		if err := d.sys.addrs.Del(v); err != nil {
			vi.Log.Error("remove virtual address", "addr", v.Prefix, "dev", vi.VIPIf[i], "err", err)
			continue
		}
		vi.Present[i] = false
	}
}

// gratuitous sends repeat rounds of GARP/NA for every VIP of vi, interval
// apart (in the background when interval > 0, so the loop never sleeps).
func (d *Daemon) gratuitous(vi *vinst.Instance, repeat int, interval time.Duration) {
	if repeat <= 0 || len(vi.VIPs) == 0 {
		return
	}
	vips := append([]vinst.Target(nil), vi.Targets()...)
	vi.LogGARPs()
	n := uint64(repeat * len(vips))
	if vi.Fam == vrrp.IPv6 {
		vi.Stats.UnsolicitedNASent += n
	} else {
		vi.Stats.GratuitousARPSent += n
	}
	send := func() {
		for r := 0; r < repeat; r++ {
			for i, t := range vips {
				if interval > 0 && (r > 0 || i > 0) {
					time.Sleep(interval)
				}
				if err := d.sys.ann.Gratuitous(t.Ifindex, t.Addr); err != nil {
					vi.Log.Debug("gratuitous", "addr", t.Addr, "err", err)
				}
			}
		}
	}
	if interval > 0 {
		go send()
		return
	}
	send()
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
	d.metrics.Transition(vi.Conf.Name, vi.LastTrans.From, vi.LastTrans.To)
	st, ok := notifyState(t.To)
	if !ok {
		return
	}
	d.notes.State(notify.Event{Kind: notify.KindInstance, Name: vi.Conf.Name, State: st, Priority: int(t.Priority)})
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
	if st, ok := notifyState(s); ok {
		d.notes.State(notify.Event{Kind: notify.KindGroup, Name: u.Name, State: st})
	}
}

// priorityChanged announces vi's new effective priority
// (notify_priority_changes); nothing is said before the instance has
// started.
func (d *Daemon) priorityChanged(vi *vinst.Instance) {
	st := vi.M.State()
	if st == instance.Init || st == instance.Stop {
		return
	}
	d.notes.Priority(vi.Conf, st == instance.Master, int(vi.M.EffectivePriority()))
}

// states returns every instance's and sync group's current state, for
// fifo_write_vrrp_states_on_reload.
func (d *Daemon) states() []notify.Event {
	var out []notify.Event
	for _, vi := range d.insts {
		if st, ok := notifyState(vi.M.State()); ok {
			out = append(out, notify.Event{Kind: notify.KindInstance, Name: vi.Conf.Name, State: st,
				Priority: int(vi.M.EffectivePriority())})
		}
	}
	for _, u := range d.units {
		if u.Group == nil {
			continue
		}
		if st, ok := notifyState(u.GroupState()); ok {
			out = append(out, notify.Event{Kind: notify.KindGroup, Name: u.Name, State: st})
		}
	}
	return out
}

func notifyState(s instance.State) (notify.State, bool) {
	switch s {
	case instance.Master:
		return notify.StateMaster, true
	case instance.Backup:
		return notify.StateBackup, true
	case instance.Fault:
		return notify.StateFault, true
	case instance.Stop:
		return notify.StateStop, true
	}
	return 0, false
}
