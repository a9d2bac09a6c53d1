package daemon

import (
	"context"
	"log/slog"
	"net/netip"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/demux"
	"github.com/gokeepalived/gokeepalived/internal/instance"
	"github.com/gokeepalived/gokeepalived/internal/system"
	"github.com/gokeepalived/gokeepalived/internal/system/systemtest"
	"github.com/gokeepalived/gokeepalived/internal/vinst"
	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

// TestReceiveDrainsQueue: one wake-up of the loop by a socket receives
// every packet the socket has queued, each through the checks and to the
// machine, before the timers are looked at again; a wake-up by the timer
// reads every socket before it fires.
func TestReceiveDrainsQueue(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	cfg := instance.DefaultConfig()
	cfg.VRID, cfg.PrimaryAddr = 7, netip.MustParseAddr("10.0.0.1")
	m := instance.New(cfg)
	m.Step(time.Now(), instance.Startup{})
	vi := &vinst.Instance{Conf: &config.Instance{Name: "V", VRID: 7}, Log: log, M: m, Fam: vrrp.IPv4,
		Link: system.Link{Index: 2, Name: "eth1"}, Expect: vrrp.Expect{Version: vrrp.V2, VRID: 7, Interval: time.Second}}
	vi.Stats.Drops = map[string]uint64{}
	vinst.NewUnit("", []*vinst.Instance{vi})
	conn := systemtest.NewBatchConn()
	d := &Daemon{log: log, conf: &config.Config{}, rx: demux.New(func(system.ConnConfig) (system.Conn, error) { return conn, nil }, log)}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	d.rx.Start(ctx)
	defer d.rx.Close()
	if err := d.rx.Bind(vi); err != nil {
		t.Fatal(err)
	}
	from, group := netip.MustParseAddr("10.0.0.9"), netip.MustParseAddr("224.0.0.18")
	adv := vrrp.Advertisement{Version: vrrp.V2, VRID: 7, Priority: 50, Interval: time.Second}
	data, err := adv.Append(nil, vrrp.Sum{Form: vrrp.FormMessage, Src: from, Dst: group})
	if err != nil {
		t.Fatal(err)
	}
	pkt := systemtest.Packet{Payload: data, Meta: system.Meta{Src: from, Dst: group, TTL: 255, Ifindex: 2}}
	pkts := make([]systemtest.Packet, 40)
	for i := range pkts {
		pkts[i] = pkt
	}
	// 40 packets queued: one wake-up by the socket's waiter receives
	// them all (three reads) before the timers are served.
	conn.Deliver(pkts...)
	d.receiveReady(<-d.rx.Ready())
	if vi.Stats.AdvertRcvd != 40 {
		t.Errorf("one wake-up received %d adverts; want the 40 queued", vi.Stats.AdvertRcvd)
	}
	// A timer's wake-up first reads every socket, waiter or not.
	conn.Deliver(pkts[:5]...)
	d.receiveQueued()
	if vi.Stats.AdvertRcvd != 45 {
		t.Errorf("a timer's wake-up left advert_rcvd at %d; want 45", vi.Stats.AdvertRcvd)
	}
}
