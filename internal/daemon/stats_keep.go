package daemon

import (
	"github.com/gokeepalived/gokeepalived/internal/control"
	"github.com/gokeepalived/gokeepalived/internal/vinst"
)

// The counters of an instance must never go down while it is configured:
// Prometheus reads a drop as a counter reset and rate() and increase()
// lose what was counted. Two things zero them:
//
//   - a reload that restarts an instance (new interface, VRID, interval,
//     ...) builds a new vinst: carryStats hands it the old one's counters,
//     as control.Stats promises ("never reset by reload");
//   - SIGRTMAX-1 writes keepalived.stats and clears the counters, as
//     keepalived does: clearStats keeps what it cleared in vinst.cleared,
//     which the metrics add back.

// carryStats gives each restarted instance in fresh the counters of the
// stopped instance of the same name. It runs after the stopped units sent
// their priority-0 adverts, so those are counted too.
func carryStats(stopped []*vinst.Unit, fresh []*vinst.Instance) {
	old := map[string]*vinst.Instance{}
	for _, u := range stopped {
		for _, vi := range u.Members {
			old[vi.Conf.Name] = vi
		}
	}
	for _, vi := range fresh {
		if o := old[vi.Conf.Name]; o != nil {
			vi.Stats, vi.Cleared = o.Stats, o.Cleared
		}
	}
}

// clearStats zeroes every instance's counters (SIGRTMAX-1) and adds what
// it zeroed to vinst.cleared. cleared is replaced, never changed in place:
// snapshots already handed out keep their own copy.
func (d *Daemon) clearStats() {
	for _, vi := range d.insts {
		vi.Cleared = vi.Cleared.Plus(vi.Stats)
		drops := vi.Stats.Drops
		vi.Stats = control.Stats{}
		clear(drops)
		vi.Stats.Drops = drops
	}
}
