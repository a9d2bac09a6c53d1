package vinst

import (
	"time"

	"github.com/gokeepalived/gokeepalived/internal/instance"
)

// Executor carries out the machines' actions for a timer pass (the
// daemon): Execute one action of vi, GroupNotify a unit after its actions.
type Executor interface {
	Execute(now time.Time, vi *Instance, a instance.Action)
	GroupNotify(u *Unit)
}

// Pass serves the loop's timers: Fire steps, earliest first from the
// deadline queue, every unit whose deadline has passed — and every master
// due within its batching window (BatchWindow) — reading the clock again
// when the next unit is not yet due, so units falling due while earlier
// ones send are served in the same pass instead of after another wake-up.
// The adverts of the pass go out together, one WriteBatch per socket. A
// master served early keeps its offset round after round (its schedule
// runs from when it was due, not when it was served), so its interval
// stays exact while the wake-ups are shared. Units not due are not
// visited.
//
// A unit's leading adverts join the batch; the rest of its actions (a
// transition's addresses, GARPs, notifications and any advert after them)
// wait, in the order the machine gave, until the batch is out: when many
// instances take over in one pass, every new master's first advert leaves
// before any of them spends time on addresses and GARPs. Each unit's own
// order is kept. A pass allocates nothing once its slices have grown.
type Pass struct {
	Timers Timers
	Tx     Batch // the adverts of one pass
	later  []deferred
}

// deferred is one action run after the pass's batch went out, or (unit
// set) the unit's group notification that follows its actions.
type deferred struct {
	now  time.Time
	vi   *Instance
	act  instance.Action
	unit *Unit
}

// Fire runs one timer pass over units with x.
func (p *Pass) Fire(units []*Unit, x Executor) {
	q := &p.Timers
	q.Sync(units)
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
			p.step(now, u, x)
		case dl.Sub(now) > BatchWindow(u.Interval()):
			break pass
		case u.GroupState() != instance.Master:
			q.Hold() // a backup is not served early: look past it
		default:
			p.step(dl, u, x) // served early: the machine sees its own deadline
		}
	}
	q.Restore()
	p.Tx.Flush()
	for i := range p.later {
		l := &p.later[i]
		if l.unit != nil {
			x.GroupNotify(l.unit)
			continue
		}
		x.Execute(l.now, l.vi, l.act)
	}
	clear(p.later) // drop the references
	p.later = p.later[:0]
}

// step steps u's timer at now: leading adverts into the batch, the rest
// deferred.
func (p *Pass) step(now time.Time, u *Unit, x Executor) {
	acts := u.Step(now, -1, instance.Timeout{})
	p.Tx.Begin()
	lead := 0
	for ; lead < len(acts); lead++ {
		if _, ok := acts[lead].Action.(instance.SendAdvert); !ok {
			break
		}
		x.Execute(now, u.Members[acts[lead].Member], acts[lead].Action)
	}
	if lead == len(acts) {
		x.GroupNotify(u)
		return
	}
	for _, ma := range acts[lead:] {
		p.later = append(p.later, deferred{now: now, vi: u.Members[ma.Member], act: ma.Action})
	}
	p.later = append(p.later, deferred{now: now, unit: u})
}
