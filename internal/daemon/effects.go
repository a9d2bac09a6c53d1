package daemon

import (
	"fmt"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/effect"
	"github.com/gokeepalived/gokeepalived/internal/instance"
	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

// refreshEffects recomputes every tracker's effect on vi (package
// effect), steps its machine with what changed, and announces a change of
// the effective priority (notify_priority_changes).
func (d *Daemon) refreshEffects(vi *vinst) {
	d.observeSrc(vi) // track_src.go: track_src_ip reads the interface
	want := effect.Compute(d.conf, vi.observed(), trackStates{d})
	before := vi.m.EffectivePriority()
	now := time.Now()
	ch := effect.Changes(vi.effects, want)
	for _, c := range ch.Off {
		d.stepUnit(now, vi.unit, vi.idx, instance.FaultOff{Cause: c.String()})
	}
	for _, c := range ch.On {
		d.stepUnit(now, vi.unit, vi.idx, instance.FaultOn{Cause: c.String()})
	}
	vi.effects = want
	if ch.NewSum != ch.OldSum {
		d.stepUnit(now, vi.unit, vi.idx, instance.TrackerWeights{Sum: ch.NewSum})
	}
	if after := vi.m.EffectivePriority(); after != before {
		vi.log.Info(fmt.Sprintf("(%s) Changing effective priority from %d to %d", vi.conf.Name, before, after), "from", before, "to", after)
		d.priorityChanged(vi)
	}
}

// observed is what the loop knows of vi's interface and source address.
func (vi *vinst) observed() effect.Instance {
	return effect.Instance{
		Conf:     vi.conf,
		Iface:    vi.link.Name,
		IfaceUp:  vi.link.Up,
		Missing:  vi.dyn.missing,
		NoAddr:   vi.dyn.noAddr,
		IPv6:     vi.fam == vrrp.IPv6,
		SrcGone:  vi.srcTrk.gone,
		SrcIface: vi.srcLink().Name,

		SrcNotLocal: vi.dyn.srcNotLocal, // unicast_src.go
	}
}

// trackStates reads the trackers' states for effect.Compute.
type trackStates struct{ d *Daemon }

func (s trackStates) LinkUp(name string) bool { return s.d.linkUp(name) }

func (s trackStates) Script(name string) (effect.Tracker, bool) { return s.d.trackers().Script(name) }

func (s trackStates) File(name string) (effect.FileValue, bool) { return s.d.trackers().File(name) }

func (s trackStates) Process(name string) (effect.Tracker, bool) { return s.d.trackers().Process(name) }

func (s trackStates) Statics() []effect.Static { return s.d.routes().Tracked() }
