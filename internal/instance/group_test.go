package instance

import (
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func groupOf(t *testing.T, n int) *Group {
	t.Helper()
	var ms []*Machine
	for i := range n {
		c := testConfig()
		c.VRID = uint8(i + 1)
		c.PrimaryAddr = netip.AddrFrom4([4]byte{10, 0, 0, byte(i + 5)})
		ms = append(ms, New(c))
	}
	g := NewGroup(ms...)
	for i := range ms {
		g.Step(t0, i, Startup{})
	}
	return g
}

func states(g *Group) []string {
	var s []string
	for _, m := range g.Members() {
		s = append(s, m.State().String())
	}
	return s
}

func TestGroup(t *testing.T) {
	tests := []struct {
		name string
		run  func(g *Group)
		want []string
	}{
		{"start together to master", func(g *Group) { g.Step(g.Deadline(), -1, Timeout{}) }, []string{"MASTER", "MASTER"}},
		{"one member fault faults the group", func(g *Group) {
			g.Step(g.Deadline(), -1, Timeout{})
			g.Step(t0.Add(5*time.Second), 0, FaultOn{Cause: "link"})
		}, []string{"FAULT", "FAULT"}},
		{"group fault clears", func(g *Group) {
			g.Step(t0, 0, FaultOn{Cause: "link"})
			g.Step(t0.Add(time.Second), 1, FaultOn{Cause: "chk"})
			g.Step(t0.Add(2*time.Second), 0, FaultOff{Cause: "link"})
		}, []string{"FAULT", "FAULT"}},
		{"group fault clears fully", func(g *Group) {
			g.Step(t0, 0, FaultOn{Cause: "link"})
			g.Step(t0.Add(2*time.Second), 0, FaultOff{Cause: "link"})
		}, []string{"BACKUP", "BACKUP"}},
		{"held while the other hears its master", func(g *Group) {
			now := t0.Add(time.Second)
			g.Step(now, 1, adv(110))
			g.Step(t0.Add(3700*time.Millisecond), -1, Timeout{}) // member 0 expires, held
		}, []string{"BACKUP", "BACKUP"}},
		{"master yields, group follows", func(g *Group) {
			g.Step(g.Deadline(), -1, Timeout{})
			g.Step(t0.Add(5*time.Second), 1, adv(110))
		}, []string{"BACKUP", "BACKUP"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := groupOf(t, 2)
			tt.run(g)
			if diff := cmp.Diff(tt.want, states(g)); diff != "" {
				t.Errorf("states (-want +got):\n%s", diff)
			}
		})
	}
}
