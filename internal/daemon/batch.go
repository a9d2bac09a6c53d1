package daemon

import (
	"time"

	"github.com/gokeepalived/gokeepalived/internal/instance"
	"github.com/gokeepalived/gokeepalived/internal/vinst"
)

// batchSlack is how early a master's timer may be served to join the
// wake-up of one that is due: it then keeps that offset round after
// round (its schedule runs from when it was due, not when it was served),
// so intervals stay exact while the wake-ups are shared.
const batchSlack = 500 * time.Microsecond

// fireTimers steps every unit whose deadline has passed — and every
// master due within batchSlack — reading the clock again for each, so
// units falling due while earlier ones send are served in the same pass
// instead of after another wake-up; the adverts of the pass go out
// together, one WriteBatch per socket.
func (d *Daemon) fireTimers(time.Time) {
	for _, u := range d.units {
		dl := u.Deadline()
		if dl.IsZero() {
			continue
		}
		now := time.Now()
		if now.Before(dl) {
			if dl.Sub(now) > batchSlack || u.GroupState() != instance.Master {
				continue
			}
			now = dl // served early: the machine sees its own deadline
		}
		d.stepDue(now, u)
	}
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
