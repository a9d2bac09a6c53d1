package metrics

import (
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/gokeepalived/gokeepalived/internal/control"
)

// TestScrapeBGP: the BGP speaker's neighbors and announced prefixes are
// scraped; without a bgp_speaker there is no bgp series.
func TestScrapeBGP(t *testing.T) {
	snap := control.Snapshot{BGP: &control.BGP{Running: true, LocalAS: 65001,
		Neighbors: []control.BGPNeighbor{{Addr: netip.MustParseAddr("192.168.1.1"), RemoteAS: 65000, State: "established", Flaps: 2}},
		Prefixes: []control.BGPPrefix{
			{Prefix: netip.MustParsePrefix("10.99.0.1/32"), Group: "WEB"},
			{Prefix: netip.MustParsePrefix("192.168.1.100/32"), Instance: "VI_1"},
		}}}
	reg := prometheus.NewRegistry()
	if _, err := New(reg, control.SourceFunc(func() control.Snapshot { return snap })); err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for k, v := range scrape(t, reg) {
		if len(k) > 17 && k[:17] == "gokeepalived_bgp_" {
			got[k] = v
		}
	}
	want := map[string]float64{
		`gokeepalived_bgp_speaker_running{local_as="65001"}`:                                         1,
		`gokeepalived_bgp_neighbor_established{neighbor="192.168.1.1",remote_as="65000"}`:            1,
		`gokeepalived_bgp_neighbor_sessions_established_total{neighbor="192.168.1.1"}`:               2,
		`gokeepalived_bgp_prefix_announced{group="WEB",prefix="10.99.0.1/32",vrrp_instance=""}`:      1,
		`gokeepalived_bgp_prefix_announced{group="",prefix="192.168.1.100/32",vrrp_instance="VI_1"}`: 1,
	}
	for _, st := range sessionStates {
		want[`gokeepalived_bgp_neighbor_state{neighbor="192.168.1.1",state="`+st+`"}`] = b2f(st == "established")
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("bgp samples (-want +got):\n%s", diff)
	}
	snap.BGP = nil
	for k := range scrape(t, reg) {
		if len(k) > 17 && k[:17] == "gokeepalived_bgp_" {
			t.Errorf("without a bgp_speaker: %s", k)
		}
	}
}
