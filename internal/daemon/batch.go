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
}

// stepDue steps u's timer. When it only sends adverts they join the
// batch; anything else (a transition, addresses, GARPs) goes out in the
// order the machine gave, after what is batched so far.
func (d *Daemon) stepDue(now time.Time, u *vinst.Unit) {
	acts := u.Step(now, -1, instance.Timeout{})
	d.loop.tx.Begin()
	for _, ma := range acts {
		if _, ok := ma.Action.(instance.SendAdvert); !ok {
			d.loop.tx.Flush()
			break
		}
	}
	for _, ma := range acts {
		d.execute(now, u.Members[ma.Member], ma.Action)
	}
	d.groupNotify(u)
}
