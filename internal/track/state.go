package track

import "fmt"

// State is what a tracker currently says about the thing it tracks.
// The zero value is invalid.
type State uint8

// States of a tracker.
const (
	// StateInit means no result yet (keepalived's INIT script state).
	StateInit State = iota + 1
	// StateUp means the check passes (script OK, interface up, quorum met).
	StateUp
	// StateDown means the check fails.
	StateDown
)

// String returns "INIT", "UP" or "DOWN".
func (s State) String() string {
	switch s {
	case StateInit:
		return "INIT"
	case StateUp:
		return "UP"
	case StateDown:
		return "DOWN"
	}
	return fmt.Sprintf("State(%d)", uint8(s))
}

// Tracker is keepalived's rise/fall hysteresis for one vrrp_script, as a
// pure value: feed it each run's outcome with Observe.
//
// It keeps keepalived's counter: a result in [0, rise+fall-1] that is "up"
// from rise upwards. A tracker without init_fail starts in StateInit with
// the counter at rise-1, so the first result decides either way; with
// init_fail it starts in StateDown with the counter at 0, so it needs rise
// successes to come up. Once up, fall consecutive failures bring it down;
// once down, rise consecutive successes bring it up.
type Tracker struct {
	rise, fall int
	result     int
	state      State
}

// NewTracker returns a Tracker. rise and fall below 1 are treated as 1
// (keepalived's default).
func NewTracker(rise, fall int, initFail bool) *Tracker {
	rise, fall = max(rise, 1), max(fall, 1)
	t := &Tracker{rise: rise, fall: fall, result: rise - 1, state: StateInit}
	if initFail {
		t.result, t.state = 0, StateDown
	}
	return t
}

// Observe records one run's outcome and reports whether State changed.
func (t *Tracker) Observe(ok bool) (changed bool) {
	before := t.state
	top := t.rise + t.fall - 1
	if ok {
		switch {
		case t.result < t.rise-1:
			t.result++
		default:
			t.result = top
			t.state = StateUp
		}
	} else {
		switch {
		case t.result > t.rise:
			t.result--
		default:
			t.result = 0
			t.state = StateDown
		}
	}
	return t.state != before
}

// State returns the tracker's current state.
func (t *Tracker) State() State { return t.state }
