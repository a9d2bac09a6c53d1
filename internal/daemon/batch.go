package daemon

import (
	"time"

	"github.com/gokeepalived/gokeepalived/internal/instance"
	"github.com/gokeepalived/gokeepalived/internal/vinst"
)

// fireTimers steps, earliest first from the deadline queue, every unit
// whose deadline has passed — and every master due within its batching
// window (vinst.BatchWindow) — reading the clock again when the next
// unit is not yet due, so units falling due while earlier ones send are
// served in the same pass instead of after another wake-up; the adverts
// of the pass go out together, one WriteBatch per socket. A master
// served early keeps its offset round after round (its schedule runs
// from when it was due, not when it was served), so its interval stays
// exact while the wake-ups are shared. Units not due are not visited.
func (d *Daemon) fireTimers(time.Time) {
	q := &d.loop.timers
	q.Sync(d.units)
	now := time.Now()
	// Each unit is served at most about once a pass: one whose next
	// deadline has already passed again (after a stall) waits for the
	// next pass, so a pass always ends.
pass:
	for range q.Len() {
		u, dl := q.Peek()
		if u == nil || dl.IsZero() {
			break
		}
		if now.Before(dl) {
			now = time.Now()
		}
		switch {
		case !now.Before(dl):
			d.stepDue(now, u)
		case dl.Sub(now) > vinst.BatchWindow(u.Interval()):
			break pass
		case u.GroupState() != instance.Master:
			q.Hold() // a backup is not served early: look past it
		default:
			d.stepDue(dl, u) // served early: the machine sees its own deadline
		}
	}
	q.Restore()
	d.loop.tx.Flush()
	d.runDeferred()
}

// stepDue steps u's timer. Its leading adverts join the pass's batch;
// the rest of its actions (a transition's addresses, GARPs, notifications
// and any advert after them) wait, in the order the machine gave, until
// the batch is out (runDeferred): when many instances take over in one
// pass, every new master's first advert leaves before any of them spends
// time on addresses and GARPs. Each unit's own order is kept.
func (d *Daemon) stepDue(now time.Time, u *vinst.Unit) {
	acts := u.Step(now, -1, instance.Timeout{})
	d.loop.tx.Begin()
	lead := 0
	for lead < len(acts) {
		if _, ok := acts[lead].Action.(instance.SendAdvert); !ok {
			break
		}
		d.execute(now, u.Members[acts[lead].Member], acts[lead].Action)
		lead++
	}
	if lead == len(acts) {
		d.groupNotify(u)
		return
	}
	for _, ma := range acts[lead:] {
		d.loop.later = append(d.loop.later, deferred{now: now, vi: u.Members[ma.Member], act: ma.Action})
	}
	d.loop.later = append(d.loop.later, deferred{now: now, unit: u})
}

// deferred is one action of a timer pass run after its batch went out,
// or (unit set) the unit's group notification that follows its actions.
type deferred struct {
	now  time.Time
	vi   *vinst.Instance
	act  instance.Action
	unit *vinst.Unit
}

// runDeferred carries out what the pass's units deferred, in order, with
// adverts written at once (the batch is over).
func (d *Daemon) runDeferred() {
	for i := range d.loop.later {
		l := &d.loop.later[i]
		if l.unit != nil {
			d.groupNotify(l.unit)
			continue
		}
		d.execute(l.now, l.vi, l.act)
	}
	clear(d.loop.later) // drop the references
	d.loop.later = d.loop.later[:0]
}
