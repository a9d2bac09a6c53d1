package daemon

import (
	"fmt"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/effect"
	"github.com/gokeepalived/gokeepalived/internal/instance"
	"github.com/gokeepalived/gokeepalived/internal/vinst"
)

// refreshEffects recomputes every tracker's effect on vi (package
// effect), steps its machine with what changed, and announces a change of
// the effective priority (notify_priority_changes).
func (d *Daemon) refreshEffects(vi *vinst.Instance) {
	d.ann.bgp.Touch()          // routes follow trackers and priorities
	vi.ObserveSrc(d.sys.addrs) // track_src_ip reads the interface
	want := effect.Compute(d.conf, vi.Observed(), trackStates{d})
	before := vi.M.EffectivePriority()
	now := time.Now()
	ch := effect.Changes(vi.Effects, want)
	for _, c := range ch.Off {
		d.stepUnit(now, vi.Unit, vi.Idx, instance.FaultOff{Cause: c.String()})
	}
	for _, c := range ch.On {
		d.stepUnit(now, vi.Unit, vi.Idx, instance.FaultOn{Cause: c.String()})
	}
	vi.Effects = want
	if ch.NewSum != ch.OldSum {
		d.stepUnit(now, vi.Unit, vi.Idx, instance.TrackerWeights{Sum: ch.NewSum})
	}
	if after := vi.M.EffectivePriority(); after != before {
		vi.Log.Info(fmt.Sprintf("(%s) Changing effective priority from %d to %d", vi.Conf.Name, before, after), "from", before, "to", after)
		d.ann.notes.PriorityChanged(vi.Conf, vi.M.State(), int(vi.M.EffectivePriority()))
	}
}

// trackStates reads the trackers' states for effect.Compute.
type trackStates struct{ d *Daemon }

func (s trackStates) LinkUp(name string) bool { return s.d.fx.ifs.LinkUp(name) }

func (s trackStates) Script(name string) (effect.Tracker, bool) { return s.d.trackers().Script(name) }

func (s trackStates) File(name string) (effect.FileValue, bool) { return s.d.trackers().File(name) }

func (s trackStates) Process(name string) (effect.Tracker, bool) { return s.d.trackers().Process(name) }

func (s trackStates) Statics() []effect.Static { return s.d.routes().Tracked() }
