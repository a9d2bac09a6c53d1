package vinst

import (
	"time"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/instance"
)

// unit is what the loop steps: one standalone instance, or the members of
// one vrrp_sync_group moving together.
type Unit struct {
	Name      string // sync group name; "" for a standalone instance
	Group     *instance.Group
	Members   []*Instance
	out       []instance.MemberAction
	Announced instance.State // last group state announced

	tq  *Timers   // the deadline queue u is in; nil when none
	ti  int       // u's index in tq's heap
	at  time.Time // u's deadline as tq last placed it
	seq int       // u's place in the slice tq was synced with (ties)
}

func NewUnit(name string, members []*Instance) *Unit {
	u := &Unit{Name: name, Members: members}
	if name != "" {
		ms := make([]*instance.Machine, len(members))
		for i, vi := range members {
			ms[i] = vi.M
		}
		u.Group = instance.NewGroup(ms...)
	}
	for i, vi := range members {
		vi.Unit, vi.Idx = u, i
	}
	return u
}

// step feeds ev to member i (every member for Timeout in a group).
// Its deadline queue (Timers) follows the deadline it leaves.
func (u *Unit) Step(now time.Time, i int, ev instance.Event) []instance.MemberAction {
	defer u.requeue()
	if u.Group != nil {
		return u.Group.Step(now, i, ev)
	}
	u.out = u.out[:0]
	for _, a := range u.Members[0].M.Step(now, ev) {
		u.out = append(u.out, instance.MemberAction{Member: 0, Action: a})
	}
	return u.out
}

// requeue moves u in its deadline queue.
func (u *Unit) requeue() {
	if u.tq != nil {
		u.tq.fix(u)
	}
}

func (u *Unit) Deadline() time.Time {
	if u.Group != nil {
		return u.Group.Deadline()
	}
	return u.Members[0].M.Deadline()
}

func (u *Unit) GroupState() instance.State {
	if u.Group != nil {
		return u.Group.State()
	}
	return u.Members[0].M.State()
}

// Units groups vis into the units the loop steps: one per sync group
// with at least one member in vis (in the groups' order; an instance joins
// the first group that names it), then one per instance left alone.
func Units(groups []*config.SyncGroup, vis []*Instance) []*Unit {
	byName := map[string]*Instance{}
	for _, vi := range vis {
		byName[vi.Conf.Name] = vi
	}
	var units []*Unit
	grouped := map[string]bool{}
	for _, g := range groups {
		var members []*Instance
		for _, m := range g.Members {
			if vi := byName[m]; vi != nil && !grouped[m] {
				members = append(members, vi)
				grouped[m] = true
			}
		}
		if len(members) > 0 {
			units = append(units, NewUnit(g.Name, members))
		}
	}
	for _, vi := range vis {
		if !grouped[vi.Conf.Name] {
			units = append(units, NewUnit("", []*Instance{vi}))
		}
	}
	return units
}
