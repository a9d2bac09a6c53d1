package sim

import (
	"net/netip"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/instance"
	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

func cfg(addr string, prio uint8, v vrrp.Version, iv time.Duration) instance.Config {
	c := instance.DefaultConfig()
	c.VRID = 1
	c.Version = v
	c.Priority = prio
	c.AdvertInterval = iv
	c.PrimaryAddr = netip.MustParseAddr(addr)
	c.VIPs = []netip.Prefix{netip.MustParsePrefix("10.0.0.100/24")}
	return c
}

// lastAdvert returns when node last sent an advert at or before t.
func lastAdvert(t *testing.T, s *Sim, node string, before time.Duration) time.Duration {
	t.Helper()
	last := time.Duration(-1)
	for _, r := range s.Records() {
		if _, ok := r.Action.(instance.SendAdvert); ok && r.Node == node && r.At <= before {
			last = r.At
		}
	}
	if last < 0 {
		t.Fatalf("%s sent no advert before %s", node, before)
	}
	return last
}

// becameMaster returns when node next became MASTER after t.
func becameMaster(t *testing.T, s *Sim, node string, after time.Duration) time.Duration {
	t.Helper()
	for _, tr := range s.Transitions() {
		if tr.Node == node && tr.To == instance.Master && tr.At > after {
			return tr.At
		}
	}
	t.Fatalf("%s never became MASTER after %s", node, after)
	return 0
}

// TestTakeoverTime checks issue 3's Done-when: crash takeover equals
// 3 × interval + skew − time since the last advert, graceful takeover equals
// skew, within 1 ms.
func TestTakeoverTime(t *testing.T) {
	tests := []struct {
		name     string
		v        vrrp.Version
		iv       time.Duration
		crashOff time.Duration // crash this long after a whole number of intervals
	}{
		{"v2 1s", vrrp.V2, time.Second, 370 * time.Millisecond},
		{"v3 10ms", vrrp.V3, 10 * time.Millisecond, 3700 * time.Microsecond},
		{"v3 1s", vrrp.V3, time.Second, 820 * time.Millisecond},
	}
	for _, tt := range tests {
		for _, graceful := range []bool{false, true} {
			name := tt.name + " crash"
			if graceful {
				name = tt.name + " graceful"
			}
			t.Run(name, func(t *testing.T) {
				s := New(1, Network{})
				s.AddNode("A", cfg("10.0.0.2", 200, tt.v, tt.iv))
				b := cfg("10.0.0.3", 100, tt.v, tt.iv)
				s.AddNode("B", b)
				s.At(0, Start{"A"})
				s.At(0, Start{"B"})
				at := 10*tt.iv + tt.crashOff
				if graceful {
					s.At(at, Stop{"A"})
				} else {
					s.At(at, Crash{"A"})
				}
				s.RunUntil(at + 10*tt.iv)
				if got := becameMaster(t, s, "A", 0); got > at {
					t.Fatalf("A became master at %s, after the failure", got)
				}
				took := becameMaster(t, s, "B", at) - at
				skew := instance.Skew(tt.v, b.Priority, tt.iv)
				want := skew
				if !graceful {
					since := at - lastAdvert(t, s, "A", at)
					want = 3*tt.iv + skew - since
				}
				if d := took - want; d > time.Millisecond || d < -time.Millisecond {
					t.Errorf("takeover after %s, want %s (±1ms)", took, want)
				}
			})
		}
	}
}
