package track

// Weight is how a tracker's state moves an instance's priority: the
// `weight W [reverse]` of vrrp_script, track_script, track_interface,
// track_file and track_process. Value 0 means "FAULT instead of a delta".
type Weight struct {
	Value   int
	Reverse bool
}

// Effect is one tracker's contribution to one instance.
type Effect struct {
	// Delta is added to the instance's base priority.
	Delta int
	// Fault puts the instance in FAULT while true.
	Fault bool
	// Wait holds the instance in its initial state until the tracker has
	// a first result (a weight-0 script that has not run yet).
	Wait bool
}

func (w Weight) sign() int {
	if w.Reverse {
		return -1
	}
	return 1
}

// Effect maps a tracker state to its effect, as keepalived does for
// scripts, interfaces and processes: with weight 0 the instance is in FAULT
// while the tracker is down (up, with reverse); a positive weight is added
// while up, a negative weight while down; reverse negates the delta.
// A tracker in StateInit has no delta yet.
func (w Weight) Effect(s State) Effect {
	if s == StateInit {
		return Effect{Wait: w.Value == 0}
	}
	up := s == StateUp
	switch {
	case w.Value == 0:
		return Effect{Fault: up == w.Reverse}
	case w.Value > 0 && up, w.Value < 0 && !up:
		return Effect{Delta: w.Value * w.sign()}
	}
	return Effect{}
}

// FileEffect is the effect of a track_file holding value: with weight 0 a
// non-zero value means FAULT (a zero value, with reverse); otherwise
// value×weight (negated by reverse), clamped to [-254, 253], where -254
// means FAULT.
func FileEffect(value int, w Weight) Effect {
	if w.Value == 0 {
		return Effect{Fault: (value != 0) != w.Reverse}
	}
	v := value * w.Value * w.sign()
	if v <= -254 {
		return Effect{Fault: true}
	}
	return Effect{Delta: min(v, 253)}
}

// Priority adds the effects to base and clamps the result to 1..254, as
// keepalived computes the effective priority. An address owner (base 255)
// keeps 255 whatever the deltas. fault is true when any effect is a fault;
// wait when any effect asks to wait for a first result.
func Priority(base int, effects ...Effect) (prio int, fault, wait bool) {
	total := base
	for _, e := range effects {
		total += e.Delta
		fault = fault || e.Fault
		wait = wait || e.Wait
	}
	if base >= 255 {
		return 255, fault, wait
	}
	return min(max(total, 1), 254), fault, wait
}
