package plan

import (
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gokeepalived/gokeepalived/internal/instance"
	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

var (
	vipX = netip.MustParseAddr("192.168.1.6")
	vipY = netip.MustParseAddr("192.168.1.7")
)

// seedPlan plans the seed scenario's two servers from testdata/DIR.
func seedPlan(t *testing.T, dir string) *Plan {
	t.Helper()
	p := New([]NodeSpec{
		{Name: "A", Path: "testdata/" + dir + "/a.conf", Addrs: []IfaceAddr{{Iface: "eth1", Prefix: netip.MustParsePrefix("192.168.1.2/24")}}},
		{Name: "B", Path: "testdata/" + dir + "/b.conf", Addrs: []IfaceAddr{{Iface: "eth1", Prefix: netip.MustParsePrefix("192.168.1.3/24")}}},
	})
	if len(p.Problems) > 0 {
		t.Fatalf("problems: %v", p.Problems)
	}
	return p
}

// placement is who holds .6 and .7.
type placement struct{ X, Y string }

func holder(h []string) string {
	if len(h) != 1 {
		return holderWords(h)
	}
	return h[0]
}

func steadyByOrder(p *Plan) map[string]placement {
	out := map[string]placement{}
	for i, o := range p.Orders {
		var pl placement
		for _, r := range p.Steady {
			switch r.VIP {
			case vipX:
				pl.X = holder(r.Placements[i].Holders)
			case vipY:
				pl.Y = holder(r.Placements[i].Holders)
			}
		}
		out[o] = pl
	}
	return out
}

// TestSeedOriginal: with equal priorities both VIPs land on whichever
// server starts first (and on B, the higher address, when both start
// together), and the plan warns about it.
func TestSeedOriginal(t *testing.T) {
	p := seedPlan(t, "seed-original")
	want := map[string]placement{
		"A first":  {"A", "A"},
		"B first":  {"B", "B"},
		"together": {"B", "B"},
	}
	if diff := cmp.Diff(want, steadyByOrder(p)); diff != "" {
		t.Errorf("steady state (-want +got):\n%s", diff)
	}
	for _, r := range p.Steady {
		if !r.OrderDeps {
			t.Errorf("%s: placement depends on start order but is not flagged", r.VIP)
		}
	}
	wantF := []string{where("equal-priority", "a.conf", 11), where("equal-priority", "a.conf", 28)}
	if diff := cmp.Diff(wantF, findingsOf(p)); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	// From "A first", A failing moves both VIPs to B for good: B has the
	// same priority, so A never takes them back.
	row, ok := p.Row(Failure{Kind: FailCrash, Node: "A"})
	if !ok {
		t.Fatal("no row for A down")
	}
	for _, v := range row.VIPs {
		if got := holder(v.Recovered); got != "B" || v.Back || !strings.HasPrefix(v.Why, "equal priority") {
			t.Errorf("%s after A recovers: held by %s, back %v, why %q; want B, false, equal priority", v.VIP, got, v.Back, v.Why)
		}
	}
}

// TestSeedFixed: the seed scenario's routing table, row by row.
func TestSeedFixed(t *testing.T) {
	p := seedPlan(t, "seed-fixed")
	for order, pl := range steadyByOrder(p) {
		if pl != (placement{"A", "B"}) {
			t.Errorf("start %s: .6 on %s, .7 on %s; want A, B", order, pl.X, pl.Y)
		}
	}
	if len(p.Findings) > 0 {
		t.Errorf("findings on the fixed configuration: %v", p.Findings)
	}
	tests := []struct {
		f     Failure
		after placement
	}{
		{Failure{Kind: FailCrash, Node: "A"}, placement{"B", "B"}},
		{Failure{Kind: FailStop, Node: "A"}, placement{"B", "B"}},
		{Failure{Kind: FailCrash, Node: "B"}, placement{"A", "A"}},
		{Failure{Kind: FailStop, Node: "B"}, placement{"A", "A"}},
		{Failure{Kind: FailScript, Node: "A", Target: "check_haproxy"}, placement{"B", "B"}},
		{Failure{Kind: FailScript, Node: "B", Target: "check_haproxy"}, placement{"A", "A"}},
		{Failure{Kind: FailInterface, Node: "A", Target: "eth1"}, placement{"B", "B"}},
		{Failure{Kind: FailInterface, Node: "B", Target: "eth1"}, placement{"A", "A"}},
	}
	var got []Failure
	for _, r := range p.Failures {
		got = append(got, r.Failure)
	}
	var want []Failure
	for _, tt := range tests {
		want = append(want, tt.f)
	}
	if diff := cmp.Diff(want, got, cmp.Transformer("sort", sortFailures)); diff != "" {
		t.Errorf("failures tried (-want +got):\n%s", diff)
	}
	for _, tt := range tests {
		row, ok := p.Row(tt.f)
		if !ok {
			continue
		}
		var after, rec placement
		for _, v := range row.VIPs {
			if !v.Back {
				t.Errorf("%s: %s does not come back on recovery", tt.f, v.VIP)
			}
			if v.VIP == vipX {
				after.X, rec.X = holder(v.After), holder(v.Recovered)
			} else {
				after.Y, rec.Y = holder(v.After), holder(v.Recovered)
			}
		}
		if diff := cmp.Diff(tt.after, after); diff != "" {
			t.Errorf("%s: holders (-want +got):\n%s", tt.f, diff)
		}
		if diff := cmp.Diff(placement{"A", "B"}, rec); diff != "" {
			t.Errorf("%s: after recovery (-want +got):\n%s", tt.f, diff)
		}
	}
}

func sortFailures(fs []Failure) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.String())
	}
	slices.Sort(out)
	return out
}

// TestSeedTakeover checks the exported prediction against the protocol's
// formulas: a crash is noticed after Master_Down_Interval of the backup
// (3 × advert_int + Skew_Time) from the last advert, a graceful stop or a
// priority drop after Skew_Time.
func TestSeedTakeover(t *testing.T) {
	p := seedPlan(t, "seed-fixed")
	mdi90 := instance.MasterDownInterval(vrrp.V2, 3, 90, 2*time.Second)
	skew90 := instance.Skew(vrrp.V2, 90, 2*time.Second)
	tests := []struct {
		f    Failure
		vip  netip.Addr
		want time.Duration
		ok   bool
	}{
		{Failure{Kind: FailCrash, Node: "A"}, vipX, mdi90, true},
		{Failure{Kind: FailCrash, Node: "B"}, vipY, mdi90, true},
		{Failure{Kind: FailStop, Node: "A"}, vipX, skew90, true},
		{Failure{Kind: FailScript, Node: "A", Target: "check_haproxy"}, vipX, skew90, true},
		{Failure{Kind: FailCrash, Node: "A"}, vipY, 0, false},
		{Failure{Kind: FailCrash, Node: "C"}, vipX, 0, false},
	}
	for _, tt := range tests {
		got, ok := p.Takeover(tt.f, tt.vip)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Takeover(%s, %s) = %v, %v; want %v, %v", tt.f, tt.vip, got, ok, tt.want, tt.ok)
		}
	}
	row, _ := p.Row(Failure{Kind: FailCrash, Node: "A"})
	if lo := time.Duration(*row.VIPs[0].TakeoverMin); lo != mdi90-2*time.Second+1 {
		t.Errorf("fastest crash takeover = %v, want %v (failure just before an advert)", lo, mdi90-2*time.Second+1)
	}
}

// BenchmarkNewSeed measures a whole plan of the seed's two servers: three
// start orders, eight failures each tried at ~70 moments.
func BenchmarkNewSeed(b *testing.B) {
	specs := []NodeSpec{
		{Name: "A", Path: "testdata/seed-fixed/a.conf", Addrs: []IfaceAddr{{Iface: "eth1", Prefix: netip.MustParsePrefix("192.168.1.2/24")}}},
		{Name: "B", Path: "testdata/seed-fixed/b.conf", Addrs: []IfaceAddr{{Iface: "eth1", Prefix: netip.MustParsePrefix("192.168.1.3/24")}}},
	}
	for b.Loop() {
		if p := New(specs); len(p.Problems) > 0 {
			b.Fatal(p.Problems)
		}
	}
}
