package daemon

import (
	"net/netip"
	"testing"

	"github.com/gokeepalived/gokeepalived/internal/config"
)

// TestTrackedSrc: track_src_ip tracks unicast_src_ip, else mcast_src_ip,
// and nothing without a configured source or without the keyword.
func TestTrackedSrc(t *testing.T) {
	uni, mc := netip.MustParseAddr("10.0.0.2"), netip.MustParseAddr("10.0.0.3")
	tests := []struct {
		name string
		ci   config.Instance
		want netip.Addr
	}{
		{"unicast", config.Instance{TrackSrcIP: true, UnicastSrcIP: uni, McastSrcIP: mc}, uni},
		{"multicast", config.Instance{TrackSrcIP: true, McastSrcIP: mc}, mc},
		{"no configured source", config.Instance{TrackSrcIP: true}, netip.Addr{}},
		{"no keyword", config.Instance{UnicastSrcIP: uni}, netip.Addr{}},
	}
	for _, tt := range tests {
		got, ok := trackedSrc(&tt.ci)
		if got != tt.want || ok != tt.want.IsValid() {
			t.Errorf("%s: trackedSrc = %v, %v; want %v", tt.name, got, ok, tt.want)
		}
	}
}
