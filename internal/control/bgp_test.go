package control

import (
	"bytes"
	"net/netip"
	"strings"
	"testing"
	"time"
)

// TestRenderTableBGP: `gokeepalived status` lists each neighbor with its
// session state and each announced prefix with what announces it and its
// attributes; without a bgp_speaker there is no BGP table.
func TestRenderTableBGP(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	med := uint32(250)
	s := Snapshot{BGP: &BGP{Running: true, LocalAS: 65001,
		Neighbors: []BGPNeighbor{{Addr: netip.MustParseAddr("192.168.1.1"), RemoteAS: 65000, State: "established", Since: now.Add(-42 * time.Second), Flaps: 1}},
		Prefixes: []BGPPrefix{
			{Prefix: netip.MustParsePrefix("10.99.0.1/32"), Group: "WEB", Communities: []string{"65000:100"}, Since: now.Add(-5 * time.Second)},
			{Prefix: netip.MustParsePrefix("192.168.1.100/32"), Instance: "VI_1", MED: &med},
		}}}
	var buf bytes.Buffer
	if err := RenderTable(&buf, s, now); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"192.168.1.1   65000      established  42s ago  1",
		"10.99.0.1/32      group WEB      communities 65000:100  5s ago",
		"192.168.1.100/32  instance VI_1  med 250                -",
	} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("status table lacks %q:\n%s", want, buf.String())
		}
	}
	buf.Reset()
	RenderTable(&buf, Snapshot{}, now)
	if strings.Contains(buf.String(), "BGP") {
		t.Errorf("a snapshot without BGP shows a BGP table:\n%s", buf.String())
	}
}
