package vinst

import (
	"net/netip"
	"slices"
	"testing"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/instance"
	"github.com/gokeepalived/gokeepalived/internal/system"
)

// TestUnits: sync groups first (a member only in the first group naming
// it, a group with no member here left out), then the instances alone.
func TestUnits(t *testing.T) {
	var vis []*Instance
	for _, n := range []string{"A", "B", "C", "D"} {
		vis = append(vis, &Instance{Conf: &config.Instance{Name: n}, M: instance.New(instance.Config{VRID: 1, Priority: 100})})
	}
	groups := []*config.SyncGroup{{Name: "G1", Members: []string{"B", "C"}},
		{Name: "G2", Members: []string{"C", "X"}}, {Name: "G3", Members: []string{"D"}}}
	var got []string
	for _, u := range Units(groups, vis) {
		s := u.Name + ":"
		for i, vi := range u.Members {
			if vi.Unit != u || vi.Idx != i {
				t.Errorf("%s: member %d does not point back at its unit", vi.Conf.Name, i)
			}
			s += vi.Conf.Name
		}
		got = append(got, s)
	}
	if want := []string{"G1:BC", "G3:D", ":A"}; !slices.Equal(got, want) {
		t.Errorf("units %q, want %q", got, want)
	}
}

// TestHeld: only the VIPs present on their interfaces are held.
func TestHeld(t *testing.T) {
	a, b := netip.MustParsePrefix("10.0.0.1/32"), netip.MustParsePrefix("10.0.0.2/32")
	vis := []*Instance{{VIPs: []system.VIP{{Prefix: a}, {Prefix: b}}, Present: []bool{true, false}}}
	if got := Held(vis); len(got) != 1 || !got[a.Addr()] {
		t.Errorf("held %v, want only %v", got, a.Addr())
	}
}
