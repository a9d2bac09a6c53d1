package instance

import (
	"fmt"
	"slices"
	"time"
)

// groupCause is the fault cause a Group puts on members when another
// member is in FAULT.
const groupCause = "sync-group"

// MemberAction is an action of one member of a Group.
type MemberAction struct {
	Member int
	Action Action
}

// String formats the action with its member index.
func (a MemberAction) String() string { return fmt.Sprintf("[%d] %s", a.Member, a.Action) }

// Group is a vrrp_sync_group: its members move together. A member entering
// FAULT puts the others in FAULT; a member becoming MASTER pulls the others
// to MASTER; a master yielding to BACKUP takes the others with it; a member
// whose Master_Down_Timer fires is held in BACKUP until every member wants
// MASTER (keepalived's vrrp_sync_can_goto_master, preferring BACKUP to
// avoid thrashing).
//
// Route every event of a member through Group.Step, never Machine.Step.
type Group struct {
	members []*Machine
	out     []MemberAction
}

// NewGroup makes a sync group of members, which must not be in another group.
func NewGroup(members ...*Machine) *Group {
	g := &Group{members: members}
	for _, m := range members {
		m.hold = g.hold
	}
	return g
}

// Members returns the member machines, in the order given to NewGroup.
func (g *Group) Members() []*Machine { return g.members }

// State returns the group's state: FAULT if any member is, MASTER if all
// are, else the first member's.
func (g *Group) State() State {
	all := true
	for _, m := range g.members {
		if m.state == Fault {
			return Fault
		}
		all = all && m.state == Master
	}
	if all && len(g.members) > 0 {
		return Master
	}
	if len(g.members) == 0 {
		return Init
	}
	return g.members[0].state
}

// Deadline returns the earliest member deadline (zero if none).
func (g *Group) Deadline() time.Time {
	var d time.Time
	for _, m := range g.members {
		d = earliest(d, m.Deadline())
	}
	return d
}

// Step feeds ev to member (for Timeout, member is ignored and every member
// that is due is stepped) and returns every member's actions. The returned
// slice is reused by the next Step.
func (g *Group) Step(now time.Time, member int, ev Event) []MemberAction {
	g.out = g.out[:0]
	if _, ok := ev.(Timeout); ok {
		for i, m := range g.members {
			if d := m.Deadline(); !d.IsZero() && !now.Before(d) {
				g.stepOne(now, i, ev)
			}
		}
		return g.out
	}
	if member >= 0 && member < len(g.members) {
		g.stepOne(now, member, ev)
	}
	return g.out
}

func (g *Group) stepOne(now time.Time, i int, ev Event) {
	m := g.members[i]
	before := m.state
	g.collect(i, m.Step(now, ev))
	g.syncFaults(now)
	after := m.state
	if before == after {
		return
	}
	name := fmt.Sprintf("member %d %s", i, after)
	for j, o := range g.members {
		if j == i {
			continue
		}
		o.out = o.out[:0]
		switch {
		case after == Master && o.state == Backup:
			o.becomeMaster(now, Transition{Reason: ReasonSyncGroup, Detail: name})
		case before == Master && after == Backup && o.state == Master:
			o.leaveMaster(now, Transition{Reason: ReasonSyncGroup, Detail: name})
		}
		g.collect(j, o.out)
	}
}

// syncFaults gives each member the group fault cause exactly while another
// member has a fault cause of its own.
func (g *Group) syncFaults(now time.Time) {
	for j, o := range g.members {
		want := false
		for k, p := range g.members {
			if k != j && p.ownFault() {
				want = true
				break
			}
		}
		if want == slices.Contains(o.faults, groupCause) {
			continue
		}
		o.out = o.out[:0]
		if want {
			o.faultOn(groupCause, ReasonSyncGroup)
		} else {
			o.faultOff(now, groupCause, ReasonSyncGroup)
		}
		g.collect(j, o.out)
	}
}

func (g *Group) collect(i int, acts []Action) {
	for _, a := range acts {
		g.out = append(g.out, MemberAction{Member: i, Action: a})
	}
}

// ownFault reports whether m has a fault cause other than the group's.
func (m *Machine) ownFault() bool {
	for _, c := range m.faults {
		if c != groupCause {
			return true
		}
	}
	return false
}

// hold says whether m must stay in BACKUP because another member does not
// want MASTER yet.
func (g *Group) hold(m *Machine) bool {
	for _, o := range g.members {
		if o == m || o.state == Master {
			continue
		}
		if o.state != Backup || !o.wantMaster {
			return true
		}
	}
	return false
}
