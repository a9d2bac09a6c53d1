package metrics

import (
	"net/netip"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gokeepalived/gokeepalived/internal/control"
)

// TestScrapeLVS: per virtual server quorum and live weight, per real
// server up/down and weight, per checker last result and latency.
func TestScrapeLVS(t *testing.T) {
	s := snapshot()
	s.LVS = &control.LVS{Backend: "nftables", VirtualServers: []control.VirtualServer{{
		Name: "[10.0.1.100]:tcp:80", QuorumUp: true, WeightSum: 3, Quorum: 1, Services: 1,
		RealServers: []control.RealServer{
			{Addr: netip.MustParseAddrPort("10.0.2.11:80"), Up: true, Weight: 3, Checkers: []control.Checker{
				{Kind: "TCP_CHECK", LastOK: true, LastLatency: control.Duration(2 * time.Millisecond), LastRun: time.Unix(1, 0)}}},
			{Addr: netip.MustParseAddrPort("10.0.2.12:80"), Weight: 1, Checkers: []control.Checker{{Kind: "TCP_CHECK"}}},
		}}}}
	reg := prometheus.NewRegistry()
	if _, err := New(reg, control.SourceFunc(func() control.Snapshot { return s })); err != nil {
		t.Fatal(err)
	}
	got := scrape(t, reg)
	vs := `virtual_server="[10.0.1.100]:tcp:80"`
	for k, v := range map[string]float64{
		`gokeepalived_lvs_quorum_up{` + vs + `}`:                                                                   1,
		`gokeepalived_lvs_live_weight{` + vs + `}`:                                                                 3,
		`gokeepalived_lvs_services_installed{` + vs + `}`:                                                          1,
		`gokeepalived_lvs_real_server_up{real_server="10.0.2.11:80",` + vs + `}`:                                   1,
		`gokeepalived_lvs_real_server_up{real_server="10.0.2.12:80",` + vs + `}`:                                   0,
		`gokeepalived_lvs_real_server_weight{real_server="10.0.2.11:80",` + vs + `}`:                               3,
		`gokeepalived_lvs_checker_last_ok{checker="TCP_CHECK",real_server="10.0.2.11:80",` + vs + `}`:              1,
		`gokeepalived_lvs_checker_last_latency_seconds{checker="TCP_CHECK",real_server="10.0.2.11:80",` + vs + `}`: 0.002,
	} {
		if g, ok := got[k]; !ok || g != v {
			t.Errorf("%s = %v (present %v), want %v", k, g, ok, v)
		}
	}
	if _, ok := got[`gokeepalived_lvs_checker_last_ok{checker="TCP_CHECK",real_server="10.0.2.12:80",`+vs+`}`]; ok {
		t.Error("a checker that never ran has a last result")
	}
}
