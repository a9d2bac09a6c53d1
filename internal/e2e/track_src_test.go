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

// trackSrc is the secondary address a's instance sends its adverts from
// (mcast_src_ip) in TestTrackSrc.
const trackSrc = "192.168.1.12"

// TestTrackSrc: a (priority 150) sends from the secondary address
// mcast_src_ip; b (priority 100) backs it up. With track_src_ip, a is in
// FAULT while that address is not on eth1 — from start-up, and again when
// it is removed — and b holds the VIP; adding it back brings a back as
// MASTER. Without track_src_ip, as in keepalived, removing the address
// changes nothing: a stays MASTER and goes on sending from it.
func TestTrackSrc(t *testing.T) {
	needRoot(t)
	vip := netip.MustParseAddr("192.168.1.100")
	setup := func(t *testing.T, track, addrFirst bool) (a, b *lab.Host, na, nb *node) {
		l := lab.New(t, lab.Spec{Hosts: lab.Hosts("a", "b")})
		a, b = l.Host("a"), l.Host("b")
		if addrFirst {
			sh(t, a, "ip addr add "+trackSrc+"/24 dev eth1")
		}
		lines := "    mcast_src_ip " + trackSrc
		if track {
			lines += "\n    track_src_ip"
		}
		na = newNode(t, a, fmt.Sprintf(claimConf, "", "BACKUP", 150, lines, vip.String()+"/24"))
		nb = newNode(t, b, fmt.Sprintf(claimConf, "", "BACKUP", 100, "", vip.String()+"/24"))
		na.start(t)
		nb.start(t)
		return a, b, na, nb
	}
	aMaster := map[string]control.State{"a": "MASTER", "b": "BACKUP"}
	bMaster := map[string]control.State{"a": "FAULT", "b": "MASTER"}

	t.Run("track_src_ip", func(t *testing.T) {
		t.Parallel()
		a, b, na, nb := setup(t, true, false)
		faultFromSrc := func(what string) {
			t.Helper()
			waitStates(t, 20*time.Second, "D", bMaster, na, nb)
			waitPlacement(t, 10*time.Second, map[netip.Addr]string{vip: "b"}, a, b)
			if c := inst(t, na, "D").LastTransition.Cause; !strings.Contains(c, "track_src_ip") || !strings.Contains(c, trackSrc) {
				t.Errorf("%s: a's last transition cause %q, want the track_src_ip fault naming %s", what, c, trackSrc)
			}
		}
		recovered := func(what string) {
			t.Helper()
			waitStates(t, 20*time.Second, "D", aMaster, na, nb)
			waitPlacement(t, 10*time.Second, map[netip.Addr]string{vip: "a"}, a, b)
			if got := inst(t, nb, "D").MasterAddr.String(); got != trackSrc {
				t.Errorf("%s: b sees master %s, want %s", what, got, trackSrc)
			}
		}

		// The address is not there at start-up.
		faultFromSrc("at start-up")
		sh(t, a, "ip addr add "+trackSrc+"/24 dev eth1")
		recovered("address added")

		sh(t, a, "ip addr del "+trackSrc+"/24 dev eth1")
		faultFromSrc("address removed")
		sh(t, a, "ip addr add "+trackSrc+"/24 dev eth1")
		recovered("address back")
	})

	t.Run("without track_src_ip", func(t *testing.T) {
		t.Parallel()
		a, b, na, nb := setup(t, false, true)
		waitStates(t, 20*time.Second, "D", aMaster, na, nb)
		waitPlacement(t, 10*time.Second, map[netip.Addr]string{vip: "a"}, a, b)
		before := inst(t, na, "D").LastTransition

		sh(t, a, "ip addr del "+trackSrc+"/24 dev eth1")
		// FAULT would come at once; watch for longer than b's
		// master-down interval (3 × 1 s + skew).
		deadline := time.Now().Add(5 * time.Second)
		for time.Now().Before(deadline) {
			if got := states(t, "D", na, nb); fmt.Sprint(got) != fmt.Sprint(aMaster) {
				t.Fatalf("after removing mcast_src_ip without track_src_ip: states %v, want %v", got, aMaster)
			}
			time.Sleep(250 * time.Millisecond)
		}
		if after := inst(t, na, "D").LastTransition; after != before {
			t.Errorf("a made a transition: %+v (was %+v)", after, before)
		}
		if got := inst(t, nb, "D").MasterAddr.String(); got != trackSrc {
			t.Errorf("b sees master %s, want %s: a stopped sending from mcast_src_ip", got, trackSrc)
		}
		if got := holders(t, vip, a, b); fmt.Sprint(got) != "[a]" {
			t.Errorf("VIP held by %v, want [a]", got)
		}
	})
}
