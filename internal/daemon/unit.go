package daemon

import (
	"time"

	"github.com/gokeepalived/gokeepalived/internal/instance"
)

// unit is what the loop steps: one standalone instance, or the members of
// one vrrp_sync_group moving together.
type unit struct {
	name    string // sync group name; "" for a standalone instance
	group   *instance.Group
	members []*vinst
	out     []instance.MemberAction
	state   instance.State // last group state announced
}

func newUnit(name string, members []*vinst) *unit {
	u := &unit{name: name, members: members}
	if name != "" {
		ms := make([]*instance.Machine, len(members))
		for i, vi := range members {
			ms[i] = vi.m
		}
		u.group = instance.NewGroup(ms...)
	}
	for i, vi := range members {
		vi.unit, vi.idx = u, i
	}
	return u
}

// step feeds ev to member i (every member for Timeout in a group).
func (u *unit) step(now time.Time, i int, ev instance.Event) []instance.MemberAction {
	if u.group != nil {
		return u.group.Step(now, i, ev)
	}
	u.out = u.out[:0]
	for _, a := range u.members[0].m.Step(now, ev) {
		u.out = append(u.out, instance.MemberAction{Member: 0, Action: a})
	}
	return u.out
}

func (u *unit) deadline() time.Time {
	if u.group != nil {
		return u.group.Deadline()
	}
	return u.members[0].m.Deadline()
}

func (u *unit) groupState() instance.State {
	if u.group != nil {
		return u.group.State()
	}
	return u.members[0].m.State()
}
