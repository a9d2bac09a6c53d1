package vinst

import (
	"time"
)

// Timers is the loop's deadline queue: a binary min-heap of units by
// deadline, so that the loop finds the next deadline in O(1) and serves
// only the units that are due instead of visiting every unit after every
// event. Each unit is in it once; Unit.Step moves it when its deadline
// changes, and Sync rebuilds it when the loop's set of units changes
// (start, reload, stop). A unit without a deadline sorts last; units due
// at the same time come in the order of the loop's slice, as a scan of
// it would serve them.
//
// Its slices are reused: once grown, nothing in it allocates.
type Timers struct {
	h     []*Unit
	held  []*Unit // taken out by Hold until Restore
	first **Unit  // &units[0] of the set last synced (keeps it alive: its address is unique)
	n     int     // len of that set
}

// Sync makes the queue hold exactly units. It is O(1) when units is the
// slice last synced (same backing array and length); otherwise it
// rebuilds the heap (O(N)). Every assignment of the loop's unit slice
// makes a new slice or changes its length, which is what it relies on;
// elements are never replaced in place.
func (q *Timers) Sync(units []*Unit) {
	var first **Unit
	if len(units) > 0 {
		first = &units[0]
	}
	if first == q.first && len(units) == q.n {
		return
	}
	q.Restore()
	for _, u := range q.h {
		u.tq = nil
	}
	clear(q.h)
	q.h = q.h[:0]
	for _, u := range units {
		u.tq, u.ti, u.at, u.seq = q, len(q.h), u.Deadline(), len(q.h)
		q.h = append(q.h, u)
	}
	for i := len(q.h)/2 - 1; i >= 0; i-- {
		q.down(i)
	}
	q.first, q.n = first, len(units)
}

// Len is the number of units queued (those taken out by Hold excepted).
func (q *Timers) Len() int { return len(q.h) }

// Peek returns the unit with the earliest deadline and that deadline
// (zero when no unit has one), or nil when the queue is empty.
func (q *Timers) Peek() (*Unit, time.Time) {
	if len(q.h) == 0 {
		return nil, time.Time{}
	}
	return q.h[0], q.h[0].at
}

// Next returns the earliest deadline; zero when no unit has one.
func (q *Timers) Next() time.Time {
	_, at := q.Peek()
	return at
}

// Hold takes the earliest unit out of the queue until Restore, so that
// the loop can look past it (a backup inside the batching window, which
// is not served early).
func (q *Timers) Hold() {
	u := q.h[0]
	q.remove(0)
	q.held = append(q.held, u)
}

// Restore puts back the units taken out by Hold.
func (q *Timers) Restore() {
	for _, u := range q.held {
		u.tq, u.ti, u.at = q, len(q.h), u.Deadline()
		q.h = append(q.h, u)
		q.up(u.ti)
	}
	clear(q.held)
	q.held = q.held[:0]
}

// fix moves u after its deadline may have changed.
func (q *Timers) fix(u *Unit) {
	at := u.Deadline()
	if at.Equal(u.at) {
		return
	}
	u.at = at
	if !q.up(u.ti) {
		q.down(u.ti)
	}
}

func (q *Timers) remove(i int) {
	u, last := q.h[i], len(q.h)-1
	if i != last {
		q.swap(i, last)
	}
	q.h[last] = nil
	q.h = q.h[:last]
	u.tq = nil
	if i != last {
		if !q.up(i) {
			q.down(i)
		}
	}
}

// before orders units by deadline, zero (none) last, then by their
// place in the loop's slice.
func before(u, v *Unit) bool {
	switch {
	case u.at.Equal(v.at):
		return u.seq < v.seq
	case u.at.IsZero():
		return false
	}
	return v.at.IsZero() || u.at.Before(v.at)
}

func (q *Timers) swap(i, j int) {
	q.h[i], q.h[j] = q.h[j], q.h[i]
	q.h[i].ti, q.h[j].ti = i, j
}

// up sifts element i towards the root and reports whether it moved.
func (q *Timers) up(i int) bool {
	moved := false
	for i > 0 {
		p := (i - 1) / 2
		if !before(q.h[i], q.h[p]) {
			break
		}
		q.swap(i, p)
		i, moved = p, true
	}
	return moved
}

func (q *Timers) down(i int) {
	for {
		l := 2*i + 1
		if l >= len(q.h) {
			return
		}
		m := l
		if r := l + 1; r < len(q.h) && before(q.h[r], q.h[l]) {
			m = r
		}
		if !before(q.h[m], q.h[i]) {
			return
		}
		q.swap(i, m)
		i = m
	}
}

// Interval is the shortest advert_int of u's members: what its batching
// window is measured against.
func (u *Unit) Interval() time.Duration {
	var iv time.Duration
	for _, vi := range u.Members {
		if a := vi.Conf.AdvertInt; a > 0 && (iv == 0 || a < iv) {
			iv = a
		}
	}
	return iv
}

// BatchWindow is how early a master's advert may be served so that it
// shares the wake-up of a unit that is due: 1/64 of its interval, at
// least 500 µs and at most 20 ms. An advert served early keeps its offset
// (its schedule runs from when it was due), so only the one interval in
// which it joins is shorter, by under 2 %; receivers wait three intervals
// and more before they take over, so early is harmless where late is
// not. keepalived keeps no such window: each instance's timer is exact to
// the microsecond, and a master's next advert is scheduled from when it
// was sent, so its schedule drifts later by the time a pass takes.
func BatchWindow(interval time.Duration) time.Duration {
	return min(max(interval/64, 500*time.Microsecond), 20*time.Millisecond)
}
