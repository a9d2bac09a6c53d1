package systemtest

import (
	"errors"
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gokeepalived/gokeepalived/internal/system"
)

func TestRoutingFake(t *testing.T) {
	f := &Routing{}
	r1 := system.Route{Dst: netip.MustParsePrefix("10.1.0.0/16"), Dev: "eth1"}
	r2 := system.Route{Type: system.RouteBlackhole, Dst: netip.MustParsePrefix("10.2.0.0/16")}
	u := system.NewRule()
	u.From, u.Table, u.Priority = netip.MustParsePrefix("10.1.0.0/16"), 100, 5
	boom := errors.New("boom")
	f.Fail("AddRoute", nil, boom)
	if err := f.AddRoute(r1); err != nil {
		t.Fatal(err)
	}
	if err := f.AddRoute(r2); !errors.Is(err, boom) {
		t.Fatalf("second AddRoute = %v, want the injected error", err)
	}
	f.AddRoute(r1)
	f.AddRule(u)
	routes, rules := f.Installed()
	want := [][]string{{"10.1.0.0/16 dev eth1"}, {"pref 5 from 10.1.0.0/16 lookup 100"}}
	if diff := cmp.Diff(want, [][]string{routes, rules}); diff != "" {
		t.Errorf("installed (-want +got):\n%s", diff)
	}
	f.DelRoute(r1)
	f.DelRule(u)
	routes, rules = f.Installed()
	if len(routes)+len(rules) != 0 {
		t.Errorf("after Del: %v %v", routes, rules)
	}
	if got := len(f.Calls()); got != 6 {
		t.Errorf("%d calls recorded, want 6", got)
	}
}
