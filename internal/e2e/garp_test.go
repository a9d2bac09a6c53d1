package e2e

import (
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/lab"
)

// vrrp_garp_interval (vrrp_gna_interval for IPv6) spaces the messages of
// a burst on the wire, and the burst runs beside the protocol: adverts
// keep their one-second cadence while it lasts.
func TestGARPIntervalSpacesBurst(t *testing.T) {
	needRoot(t)
	for _, tt := range []struct {
		name, keyword, bits string
		vips                [2]string
	}{
		{"IPv4", "vrrp_garp_interval", "/24", [2]string{"192.168.1.100", "192.168.1.101"}},
		{"IPv6", "vrrp_gna_interval", "/64", [2]string{"2001:db8::100", "2001:db8::101"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			l := lab.New(t, lab.Spec{Hosts: lab.Hosts("a", "b")})
			c := startCapture(t, l)
			const gap = 300 * time.Millisecond
			global := tt.keyword + " 0.3\n    vrrp_garp_master_repeat 3\n    vrrp_garp_master_delay 0"
			n := newNode(t, l.Host("a"), fmt.Sprintf(dynConf, global, "", "eth1", 100, tt.vips[0]+tt.bits+"\n        "+tt.vips[1]+tt.bits))
			n.start(t)
			waitState(t, n, "MASTER", 15*time.Second)
			time.Sleep(6*gap + 2*time.Second)

			var anns []ioAnnouncement
			for _, a := range c.announcements() {
				if a.SrcMAC == l.Host("a").Spec().MAC.String() {
					anns = append(anns, a)
				}
			}
			if len(anns) != 6 {
				t.Fatalf("announcements from a: %d, want 3 rounds × 2 VIPs = 6: %v", len(anns), anns)
			}
			for i, a := range anns {
				if want := netip.MustParseAddr(tt.vips[i%2]); a.Addr != want {
					t.Errorf("announcement %d is for %s, want %s", i, a.Addr, want)
				}
				// The interval is a floor: the sender sleeps at least that long.
				if i > 0 {
					if d := a.At.Sub(anns[i-1].At); d < gap-20*time.Millisecond {
						t.Errorf("announcement %d came %v after the one before, want at least %v", i, d, gap)
					}
				}
			}
			// Adverts went out while the burst ran.
			start, end := anns[0].At, anns[len(anns)-1].At
			during := 0
			for _, ad := range c.adverts() {
				if ad.At.After(start) && ad.At.Before(end) {
					during++
				}
			}
			if during == 0 {
				t.Errorf("no advert between %v and %v: the burst held up the protocol", start.Format(time.StampMilli), end.Format(time.StampMilli))
			}
		})
	}
}
