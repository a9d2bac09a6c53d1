package instance

import (
	"slices"
	"time"
)

// NeedsRestart reports whether moving a running machine from old to new
// needs a restart (Shutdown, then a new machine) rather than Reconfigure:
// the VRID, version, advert interval and source address define who we are
// on the wire and which timers run, so they cannot change under a running
// machine. old and new are compared after defaults.
func NeedsRestart(old, new Config) bool {
	o, n := old.normalize(), new.normalize()
	return o.VRID != n.VRID || o.Version != n.Version ||
		o.AdvertInterval != n.AdvertInterval || o.PrimaryAddr != n.PrimaryAddr
}

// Reconfigure applies cfg to the running machine in place, as a hitless
// reload does: the state, the timers, the known master and the tracker
// weights stay. A changed base priority takes effect at once in the
// effective priority (a master with FastFailover advertises it at once, as
// for a tracker weight change; otherwise the next advert carries it). It
// returns the actions to carry out, and ok false (with nothing changed)
// when NeedsRestart(current, cfg).
//
// Reconfigure never changes the state and emits no address actions: the
// caller adds and removes the difference between the old and new VIP lists
// itself while State() is Master. A Group member may be reconfigured
// directly (not through Group.Step) because no transition can follow.
// The returned slice is reused by the next Step or Reconfigure.
func (m *Machine) Reconfigure(now time.Time, cfg Config) (acts []Action, ok bool) {
	cfg = cfg.normalize()
	if NeedsRestart(m.cfg, cfg) {
		return nil, false
	}
	m.out = m.out[:0]
	old := m.cfg
	cfg.VIPs = slices.Clone(cfg.VIPs)
	m.cfg = cfg
	if cfg.Priority != old.Priority {
		// A rogue-owner back-off (base 254) ends with a new configured
		// priority; an unchanged one keeps it.
		m.base = cfg.Priority
	}
	prev := m.prio
	m.prio = m.effective()
	if m.state == Master {
		m.masterPrio = m.prio
		if m.prio != prev && cfg.FastFailover {
			m.advert(m.prio)
			m.timer = now.Add(cfg.AdvertInterval)
		}
	}
	return m.out, true
}
