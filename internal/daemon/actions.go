package daemon

import (
	"time"

	"github.com/gokeepalived/gokeepalived/internal/control"
	"github.com/gokeepalived/gokeepalived/internal/instance"
	"github.com/gokeepalived/gokeepalived/internal/notify"
	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

// stepUnit steps member i of u with ev and carries out the actions.
func (d *Daemon) stepUnit(now time.Time, u *unit, i int, ev instance.Event) {
	acts := u.step(now, i, ev)
	for _, ma := range acts {
		d.execute(now, u.members[ma.Member], ma.Action)
	}
	d.groupNotify(u)
}

// armTimer re-arms the loop's timer to the earliest deadline.
func (d *Daemon) armTimer() {
	var next time.Time
	for _, u := range d.units {
		if dl := u.deadline(); !dl.IsZero() && (next.IsZero() || dl.Before(next)) {
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
func (d *Daemon) execute(now time.Time, vi *vinst, a instance.Action) {
	switch a := a.(type) {
	case instance.SendAdvert:
		d.sendAdvert(vi, a.Priority)
		d.retryVIPs(vi)
		d.retryRoutes(vi) // routes.go: static and virtual
	case instance.AddAddresses:
		d.acceptDrop(vi) // accept.go: no_accept drop rules go on first
		d.addVIPs(vi)
		d.routes().Add(d.virtual(vi)) // routes, then rules, after the VIPs
	case instance.RemoveAddresses:
		if d.stopping && d.cfg.DontReleaseVRRP {
			return
		}
		d.routes().Del(d.virtual(vi)) // rules, then routes, before the VIPs
		d.delVIPs(vi)
		d.acceptRelease(vi) // accept.go
	case instance.SendGratuitous:
		d.gratuitous(vi, a.Repeat, a.Interval)
	case instance.Notify:
		d.transition(now, vi, a.Transition)
	case instance.MasterRxLowerPriority:
		if ok, held := vi.causeLog.allow("lower priority", now); ok { // rx.go
			vi.log.Info(masterRxLowerLine(vi, a), append(held, "from", a.From, "priority", a.Priority)...)
		}
		d.notifier.Notify(notify.Event{Kind: notify.KindInstance, Name: vi.conf.Name,
			State: notify.StateMasterRxLowerPri, Priority: int(vi.m.EffectivePriority())})
	}
}

// addVIPs adds every address of vi; a failure is logged and retried on
// the next advert round (retryVIPs).
func (d *Daemon) addVIPs(vi *vinst) {
	vipsLine(vi, true)
	for i, v := range vi.vips {
		if err := d.sys.addrs.Add(v); err != nil {
			vi.log.Error("add virtual address, will retry", "addr", v.Prefix, "dev", vi.vipIf[i], "err", err)
			vi.present[i] = false
			vi.vipRetry = true
			continue
		}
		vi.present[i] = true
	}
	d.lvsAddrsChanged() // lvs.go: ha_suspend follows the VIPs
}

// retryVIPs re-adds addresses that failed to go on while master.
func (d *Daemon) retryVIPs(vi *vinst) {
	if !vi.vipRetry || vi.m.State() != instance.Master {
		return
	}
	vi.vipRetry = false
	for i, ok := range vi.present {
		if ok {
			continue
		}
		if err := d.sys.addrs.Add(vi.vips[i]); err != nil {
			vi.vipRetry = true
			continue
		}
		vi.present[i] = true
		vi.log.Info("virtual address added on retry", "addr", vi.vips[i].Prefix)
	}
}

func (d *Daemon) delVIPs(vi *vinst) {
	vipsLine(vi, false)
	for i, v := range vi.vips {
		if err := d.sys.addrs.Del(v); err != nil {
			vi.log.Error("remove virtual address", "addr", v.Prefix, "dev", vi.vipIf[i], "err", err)
			continue
		}
		vi.present[i] = false
	}
	d.lvsAddrsChanged() // lvs.go
}

// gratuitous sends repeat rounds of GARP/NA for every VIP of vi, interval
// apart (in the background when interval > 0, so the loop never sleeps).
func (d *Daemon) gratuitous(vi *vinst, repeat int, interval time.Duration) {
	if repeat <= 0 || len(vi.vips) == 0 {
		return
	}
	vips := append([]vipTarget(nil), vi.targets()...)
	garpLines(vi) // loglines.go
	n := uint64(repeat * len(vips))
	if vi.fam == vrrp.IPv6 {
		vi.stats.UnsolicitedNASent += n
	} else {
		vi.stats.GratuitousARPSent += n
	}
	send := func() {
		for r := 0; r < repeat; r++ {
			for i, t := range vips {
				if interval > 0 && (r > 0 || i > 0) {
					time.Sleep(interval)
				}
				if err := d.sys.ann.Gratuitous(t.ifindex, t.addr); err != nil {
					vi.log.Debug("gratuitous", "addr", t.addr, "err", err)
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
func (d *Daemon) transition(now time.Time, vi *vinst, t instance.Transition) {
	vi.lastTrans = control.Transition{At: now, From: control.State(t.From.String()),
		To: control.State(t.To.String()), Cause: t.String()}
	switch {
	case t.To == instance.Master:
		vi.stats.BecomeMaster++
		vi.ahBecameMaster() // ah.go
	case t.From == instance.Master:
		vi.stats.ReleaseMaster++
	}
	logTransition(vi.log, vi.conf.Name, t) // loglines.go
	d.metrics.Transition(vi.conf.Name, vi.lastTrans.From, vi.lastTrans.To)
	st, ok := notifyState(t.To)
	if !ok {
		return
	}
	d.notes.State(notify.Event{Kind: notify.KindInstance, Name: vi.conf.Name, State: st, Priority: int(t.Priority)})
}

// groupNotify announces a sync group's state when it changes.
func (d *Daemon) groupNotify(u *unit) {
	if u.group == nil {
		return
	}
	s := u.groupState()
	if s == u.state {
		return
	}
	u.state = s
	if st, ok := notifyState(s); ok {
		d.notes.State(notify.Event{Kind: notify.KindGroup, Name: u.name, State: st})
	}
}

// priorityChanged announces vi's new effective priority
// (notify_priority_changes); nothing is said before the instance has
// started.
func (d *Daemon) priorityChanged(vi *vinst) {
	st := vi.m.State()
	if st == instance.Init || st == instance.Stop {
		return
	}
	d.notes.Priority(vi.conf, st == instance.Master, int(vi.m.EffectivePriority()))
}

// states returns every instance's and sync group's current state, for
// fifo_write_vrrp_states_on_reload.
func (d *Daemon) states() []notify.Event {
	var out []notify.Event
	for _, vi := range d.insts {
		if st, ok := notifyState(vi.m.State()); ok {
			out = append(out, notify.Event{Kind: notify.KindInstance, Name: vi.conf.Name, State: st,
				Priority: int(vi.m.EffectivePriority())})
		}
	}
	for _, u := range d.units {
		if u.group == nil {
			continue
		}
		if st, ok := notifyState(u.groupState()); ok {
			out = append(out, notify.Event{Kind: notify.KindGroup, Name: u.name, State: st})
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
