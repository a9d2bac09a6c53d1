package vinst

import "github.com/gokeepalived/gokeepalived/internal/control"

// The counters of an instance must never go down while it is configured:
// Prometheus reads a drop as a counter reset and rate() and increase()
// lose what was counted. Two things zero them:
//
//   - a reload that restarts an instance (new interface, VRID, interval,
//     ...) builds a new Instance: CarryStats hands it the old one's
//     counters, as control.Stats promises ("never reset by reload");
//   - SIGRTMAX-1 writes keepalived.stats and clears the counters, as
//     keepalived does: ClearStats keeps what it cleared in Cleared, which
//     the metrics add back.

// CarryStats gives each restarted instance in fresh the counters of the
// stopped instance of the same name. The daemon calls it after the
// stopped units sent their priority-0 adverts, so those are counted too.
func CarryStats(stopped []*Unit, fresh []*Instance) {
	old := map[string]*Instance{}
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

// ClearStats zeroes the counters of insts (SIGRTMAX-1) and adds what it
// zeroed to Cleared. Cleared is replaced, never changed in place:
// snapshots already handed out keep their own copy.
func ClearStats(insts []*Instance) {
	for _, vi := range insts {
		vi.Cleared = vi.Cleared.Plus(vi.Stats)
		drops := vi.Stats.Drops
		vi.Stats = control.Stats{}
		clear(drops)
		vi.Stats.Drops = drops
	}
}
