package e2e

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/control"
	"github.com/gokeepalived/gokeepalived/internal/lab"
)

// trackGroupExtra is a's top-level text in TestTrackGroup: instance D
// tracks, through group G, a static address on tg0 (a veth end).
const trackGroupExtra = `
track_group G {
    group {
        D
    }
}
static_ipaddress {
    10.77.0.1/24 dev tg0 track_group G
}
`

// TestTrackGroup: a (priority 150) holds the VIP; its instance D is in
// track group G, which a static address on tg0 names; b (priority 100)
// backs it up. As keepalived does, the static address removed from
// outside is put back at once and D does not move; with tg0 down, or
// deleted (the address cannot be put back), D is in FAULT and b takes the
// VIP; when tg0 is back, the address is put back and a is MASTER again.
func TestTrackGroup(t *testing.T) {
	needRoot(t)
	vip := netip.MustParseAddr("192.168.1.100")
	const static = "10.77.0.1/24"
	l := lab.New(t, lab.Spec{Hosts: lab.Hosts("a", "b")})
	a, b := l.Host("a"), l.Host("b")
	mkTG := func() { // a veth pair: the lab kernel may lack the dummy driver
		sh(t, a, "ip link add tg0 type veth peer name tg1")
		sh(t, a, "ip link set tg1 up")
		sh(t, a, "ip link set tg0 up")
	}
	mkTG()
	na := newNode(t, a, fmt.Sprintf(dynConf, "", trackGroupExtra, "eth1", 150, vip.String()+"/24"))
	nb := newNode(t, b, fmt.Sprintf(dynConf, "", "", "eth1", 100, vip.String()+"/24"))
	na.start(t)
	nb.start(t)

	aMaster := map[string]control.State{"a": "MASTER", "b": "BACKUP"}
	bMaster := map[string]control.State{"a": "FAULT", "b": "MASTER"}
	staticOn := func(what string) {
		t.Helper()
		eventually(t, 10*time.Second, what+": "+static+" on tg0", func() (bool, string) {
			return addrOnDev(a, "tg0", static)
		})
	}
	aHolds := func(what string) {
		t.Helper()
		waitStates(t, 20*time.Second, "D", aMaster, na, nb)
		waitPlacement(t, 10*time.Second, map[netip.Addr]string{vip: "a"}, a, b)
		staticOn(what)
	}
	faultFromGroup := func(what string) {
		t.Helper()
		waitStates(t, 20*time.Second, "D", bMaster, na, nb)
		waitPlacement(t, 10*time.Second, map[netip.Addr]string{vip: "b"}, a, b)
		if c := inst(t, na, "D").LastTransition.Cause; !strings.Contains(c, "track_group G") {
			t.Errorf("%s: a's last transition cause %q, want the track_group G fault", what, c)
		}
	}

	aHolds("start-up")

	// Removed from outside: put back, no transition.
	before := inst(t, na, "D").LastTransition
	sh(t, a, "ip addr del "+static+" dev tg0")
	eventually(t, 10*time.Second, "the put-back logged", func() (bool, string) {
		return logCount(na, "static address removed from outside: put back") == 1, tail(na.proc.Output(), 5)
	})
	staticOn("removed from outside")
	if after := inst(t, na, "D").LastTransition; after != before {
		t.Errorf("a made a transition when the static address was removed and put back: %+v (was %+v)", after, before)
	}
	if got := states(t, "D", na, nb); fmt.Sprint(got) != fmt.Sprint(aMaster) {
		t.Errorf("states after the put-back %v, want %v", got, aMaster)
	}

	// The interface of the tracked address down: FAULT until it is up.
	sh(t, a, "ip link set tg0 down")
	faultFromGroup("tg0 down")
	sh(t, a, "ip link set tg0 up")
	aHolds("tg0 up")

	// The interface deleted: the address goes with it and cannot be put
	// back; a new tg0 gets it back.
	sh(t, a, "ip link del tg0")
	faultFromGroup("tg0 deleted")
	mkTG()
	aHolds("tg0 re-created")
}
