package daemon

import (
	"log/slog"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/demux"
	"github.com/gokeepalived/gokeepalived/internal/instance"
	"github.com/gokeepalived/gokeepalived/internal/system"
	"github.com/gokeepalived/gokeepalived/internal/vinst"
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
		var logBuf strings.Builder
		vi := &vinst.Instance{Conf: &config.Instance{Name: "V"}, Log: slog.New(slog.NewTextHandler(&logBuf, nil)), M: m,
			Fam:    vrrp.IPv4,
			Expect: vrrp.Expect{Version: vrrp.V2, VRID: 7, Interval: time.Second}}
		vi.Stats.Drops = map[string]uint64{}
		vinst.NewUnit("", []*vinst.Instance{vi})
		key := vinst.ConnKey{Ifindex: 2, Fam: vrrp.IPv4}
		vi.Conf.VRID, vi.Link.Index = 7, key.Ifindex
		d := &Daemon{rx: demux.New(nil, vi.Log)}
		if err := d.rx.Register(vi); err != nil {
			t.Fatal(err)
		}

		from := netip.MustParseAddr("10.0.0.9")
		adv := vrrp.Advertisement{Version: vrrp.V2, VRID: 7, Priority: tt.prio, Interval: time.Second, Addrs: []netip.Addr{netip.MustParseAddr("10.0.0.100")}}
		data, err := adv.Append(nil, vrrp.Sum{Form: vrrp.FormMessage, Src: from, Dst: group})
		if err != nil {
			t.Fatal(err)
		}
		before := m.Deadline()
		d.receive(demux.Packet{Key: key, Meta: system.Meta{Src: from, Dst: group, TTL: 255, Ifindex: 2}, Data: data})

		if vi.Stats.AdvertRcvd != 1 {
			t.Errorf("prio %d, ignore %v: advert_rcvd %d, want 1", tt.prio, tt.ignore, vi.Stats.AdvertRcvd)
		}
		if want := uint64(map[bool]int{true: 1}[tt.prio == 0]); vi.Stats.PriZeroRcvd != want {
			t.Errorf("prio %d, ignore %v: pri_zero_rcvd %d, want %d", tt.prio, tt.ignore, vi.Stats.PriZeroRcvd, want)
		}
		if moved := !m.Deadline().Equal(before); moved == tt.ignore {
			t.Errorf("prio %d, ignore %v: Master_Down_Timer moved %v (from %v to %v)", tt.prio, tt.ignore, moved, before, m.Deadline())
		}
		if logged := strings.Contains(logBuf.String(), "owner_ignore_adverts"); logged != tt.ignore {
			t.Errorf("prio %d, ignore %v: owner log written %v", tt.prio, tt.ignore, logged)
		}
	}
}
