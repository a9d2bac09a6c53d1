package daemon

import (
	"io"
	"log/slog"
	"net/netip"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/instance"
	"github.com/gokeepalived/gokeepalived/internal/system"
	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

// TestOwnerIgnoreAdvertsReceive: a valid advert reaching an address owner
// with owner_ignore_adverts is counted (advert_rcvd, pri_zero_rcvd) but
// never reaches the machine; without the keyword it does. The owner waits
// in BACKUP, where a second owner's advert from a higher address restarts
// its Master_Down_Timer and a priority-0 one shortens it to Skew_Time.
func TestOwnerIgnoreAdvertsReceive(t *testing.T) {
	self, group := netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("224.0.0.18")
	for _, tt := range []struct {
		prio   uint8
		ignore bool
	}{{255, false}, {255, true}, {0, false}, {0, true}} {
		cfg := instance.DefaultConfig()
		cfg.VRID, cfg.Priority, cfg.PrimaryAddr, cfg.OwnerIgnoreAdverts = 7, instance.OwnerPriority, self, tt.ignore
		m := instance.New(cfg)
		start := time.Now()
		m.Step(start, instance.Startup{})
		vi := &vinst{conf: &config.Instance{Name: "V"}, log: slog.New(slog.NewTextHandler(io.Discard, nil)), m: m,
			fam:    vrrp.IPv4,
			expect: vrrp.Expect{Version: vrrp.V2, VRID: 7, Interval: time.Second}}
		vi.stats.Drops = map[string]uint64{}
		newUnit("", []*vinst{vi})
		key := connKey{ifindex: 2, fam: vrrp.IPv4}
		d := &Daemon{byKey: map[rxKey]*vinst{{key, 7}: vi}}

		from := netip.MustParseAddr("10.0.0.9")
		adv := vrrp.Advertisement{Version: vrrp.V2, VRID: 7, Priority: tt.prio, Interval: time.Second, Addrs: []netip.Addr{netip.MustParseAddr("10.0.0.100")}}
		data, err := adv.Append(nil, vrrp.Sum{Form: vrrp.FormMessage, Src: from, Dst: group})
		if err != nil {
			t.Fatal(err)
		}
		before := m.Deadline()
		d.receive(rxPacket{key: key, meta: system.Meta{Src: from, Dst: group, TTL: 255, Ifindex: 2}, data: data})

		if vi.stats.AdvertRcvd != 1 {
			t.Errorf("prio %d, ignore %v: advert_rcvd %d, want 1", tt.prio, tt.ignore, vi.stats.AdvertRcvd)
		}
		if want := uint64(map[bool]int{true: 1}[tt.prio == 0]); vi.stats.PriZeroRcvd != want {
			t.Errorf("prio %d, ignore %v: pri_zero_rcvd %d, want %d", tt.prio, tt.ignore, vi.stats.PriZeroRcvd, want)
		}
		if moved := !m.Deadline().Equal(before); moved == tt.ignore {
			t.Errorf("prio %d, ignore %v: Master_Down_Timer moved %v (from %v to %v)", tt.prio, tt.ignore, moved, before, m.Deadline())
		}
		if logged := !vi.ownerLogAt.IsZero(); logged != tt.ignore {
			t.Errorf("prio %d, ignore %v: owner log written %v", tt.prio, tt.ignore, logged)
		}
	}
}
