package control

import (
	"bytes"
	"encoding/json"
	"net/netip"
	"strings"
	"testing"
	"time"
)

func fixtureLVS(now time.Time) *LVS {
	return &LVS{Backend: "nftables", VirtualServers: []VirtualServer{{
		Name: "[10.0.1.100]:tcp:80", QuorumUp: true, WeightSum: 2, Quorum: 1, Services: 1,
		RealServers: []RealServer{
			{Addr: netip.MustParseAddrPort("10.0.2.11:8080"), Up: true, Weight: 1, Checkers: []Checker{
				{Kind: "HTTP_GET", LastOK: true, LastLatency: Duration(1500 * time.Microsecond), LastRun: now.Add(-2 * time.Second)}}},
			{Addr: netip.MustParseAddrPort("10.0.2.12:8080"), Up: false, Weight: 1, Checkers: []Checker{
				{Kind: "HTTP_GET", LastReason: "connection refused", LastLatency: Duration(time.Millisecond), LastRun: now.Add(-time.Second)}}},
		}}}}
}

// TestRenderLVS: `gokeepalived status` lists each virtual server's quorum
// and each real server's state, weight, last check and latency.
func TestRenderLVS(t *testing.T) {
	s := fixture(true)
	s.LVS = fixtureLVS(s.Time)
	var b bytes.Buffer
	if err := RenderTable(&b, s, s.Time); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"VIRTUAL SERVER (nftables)", "[10.0.1.100]:tcp:80        UP      2/1            1",
		"10.0.2.11:8080  [10.0.1.100]:tcp:80  UP     1       HTTP_GET  ok 2s ago",
		"10.0.2.12:8080  [10.0.1.100]:tcp:80  DOWN   1       HTTP_GET  failed 1s ago",
		"1.5ms",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("status lacks %q:\n%s", want, out)
		}
	}
	b.Reset()
	if err := RenderTable(&b, fixture(true), s.Time); err != nil || strings.Contains(b.String(), "VIRTUAL SERVER") {
		t.Errorf("no LVS half: %v\n%s", err, b.String())
	}
}

// TestLVSJSON: the API's field names.
func TestLVSJSON(t *testing.T) {
	now := time.Unix(1700000000, 0).UTC()
	j, err := json.Marshal(fixtureLVS(now).VirtualServers[0].RealServers[1])
	if err != nil {
		t.Fatal(err)
	}
	want := `{"addr":"10.0.2.12:8080","up":false,"weight":1,"checkers":[{"kind":"HTTP_GET","last_ok":false,"last_reason":"connection refused","last_latency_seconds":0.001,"last_run":"2023-11-14T22:13:19Z"}]}`
	if string(j) != want {
		t.Errorf("got  %s\nwant %s", j, want)
	}
}
