package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/lab"
)

// TestLogUnknownVRIDs: with log_unknown_vrids, adverts for a VRID no
// instance has are logged, once a minute per VRID; without it, silently
// ignored.
func TestLogUnknownVRIDs(t *testing.T) {
	needRoot(t)
	t.Parallel()
	l := lab.New(t, lab.Spec{Hosts: lab.Hosts("a", "b")})
	conf := func(global string, vrid int) string {
		return sprintf(`global_defs {
    %s
}
vrrp_instance X {
    state MASTER
    interface eth1
    virtual_router_id %d
    priority 100
    advert_int 1
    virtual_ipaddress {
        192.168.1.%d
    }
}
`, global, vrid, 100+vrid)
	}
	na := newNode(t, l.Host("a"), conf("log_unknown_vrids", 51))
	nb := newNode(t, l.Host("b"), conf("router_id b", 52))
	na.start(t)
	nb.start(t)
	const line = "Unknown VRID(52) received on interface(eth1) from 192.168.1.3. ignoring..."
	eventually(t, 10*time.Second, "a logs b's VRID 52 as unknown", func() (bool, string) {
		return strings.Contains(na.proc.Output(), line+" vrid=52"), "no line yet"
	})
	time.Sleep(3 * time.Second) // three more adverts from b
	if n := strings.Count(na.proc.Output(), line); n != 1 {
		t.Errorf("a logged %d unknown-VRID lines in ~3 s of adverts, want 1 (rate limited)", n)
	}
	if strings.Contains(nb.proc.Output(), line) {
		t.Errorf("b logged unknown VRIDs without log_unknown_vrids")
	}
}
