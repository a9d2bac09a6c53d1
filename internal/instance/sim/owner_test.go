package sim

import (
	"fmt"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

// TestTwoOwners: two routers both configured as address owner (priority
// 255). By default (keepalived's), each reacts to the other's adverts and
// they settle on one master; with owner_ignore_adverts on both, each drops
// the other's adverts, as the RFCs tell an owner to, and both stay MASTER.
func TestTwoOwners(t *testing.T) {
	for _, ignore := range []bool{false, true} {
		t.Run(fmt.Sprintf("owner_ignore_adverts=%v", ignore), func(t *testing.T) {
			s := New(1, Network{Delay: time.Millisecond})
			for _, n := range []struct{ name, addr string }{{"a", "10.0.0.1"}, {"b", "10.0.0.2"}} {
				c := cfg(n.addr, 255, vrrp.V2, time.Second)
				c.OwnerIgnoreAdverts = ignore
				s.AddNode(n.name, c)
				s.At(0, Start{Node: n.name})
			}
			s.RunUntil(20 * time.Second)
			got := s.Masters(1)
			want := 1
			if ignore {
				want = 2
			}
			if len(got) != want {
				t.Errorf("masters after 20 s: %v, want %d of them", got, want)
			}
		})
	}
}
