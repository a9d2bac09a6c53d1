package dynif

import (
	"net/netip"
	"testing"

	"github.com/gokeepalived/gokeepalived/internal/system"
	"github.com/gokeepalived/gokeepalived/internal/vinst"
)

// TestIsOurVIP: address events for our own VIPs are recognised (and so
// never trigger a re-read of every instance's source address).
func TestIsOurVIP(t *testing.T) {
	insts := []*vinst.Instance{
		{VIPs: []system.VIP{{Prefix: netip.MustParsePrefix("10.0.0.1/32"), Ifindex: 2}}},
		{VIPs: []system.VIP{{Prefix: netip.MustParsePrefix("10.0.0.2/24"), Ifindex: 3}}},
	}
	tests := []struct {
		ifindex int
		addr    string
		want    bool
	}{
		{2, "10.0.0.1", true},
		{3, "10.0.0.2", true},
		{3, "10.0.0.1", false}, // another interface
		{2, "192.168.1.2", false},
	}
	for _, tt := range tests {
		if got := isOurVIP(insts, tt.ifindex, netip.MustParseAddr(tt.addr)); got != tt.want {
			t.Errorf("isOurVIP(%d, %s) = %v, want %v", tt.ifindex, tt.addr, got, tt.want)
		}
	}
}
