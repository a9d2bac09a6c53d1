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

// TestReceiveBatchesDrainsQueue: one wake-up of the loop receives the
// batch it woke for and every batch queued behind it, each packet through
// the checks and to the machine, before the timers are looked at again;
// a wake-up by the timer receives what is queued before it fires.
func TestReceiveBatchesDrainsQueue(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	cfg := instance.DefaultConfig()
	cfg.VRID, cfg.PrimaryAddr = 7, netip.MustParseAddr("10.0.0.1")
	m := instance.New(cfg)
	m.Step(time.Now(), instance.Startup{})
	vi := &vinst.Instance{Conf: &config.Instance{Name: "V", VRID: 7}, Log: log, M: m, Fam: vrrp.IPv4,
		Link: system.Link{Index: 2, Name: "eth1"}, Expect: vrrp.Expect{Version: vrrp.V2, VRID: 7, Interval: time.Second}}
	vi.Stats.Drops = map[string]uint64{}
	vinst.NewUnit("", []*vinst.Instance{vi})
	conn := systemtest.NewConn()
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
	deliver := func(n int) {
		for range n {
			conn.Deliver(systemtest.Packet{Payload: data, Meta: system.Meta{Src: from, Dst: group, TTL: 255, Ifindex: 2}})
		}
		// The fake reads one packet per batch: wait until its reader has
		// queued them all.
		for len(d.rx.Batches()) < n {
			time.Sleep(time.Millisecond)
		}
	}
	deliver(3)
	d.receiveBatches(<-d.rx.Batches())
	if vi.Stats.AdvertRcvd != 3 || len(d.rx.Batches()) != 0 {
		t.Errorf("one wake-up received %d adverts and left %d batches queued; want 3 and 0", vi.Stats.AdvertRcvd, len(d.rx.Batches()))
	}
	// A timer's wake-up first receives what is queued.
	d.receiveQueued() // nothing queued: returns at once
	deliver(2)
	d.receiveQueued()
	if vi.Stats.AdvertRcvd != 5 || len(d.rx.Batches()) != 0 {
		t.Errorf("a timer's wake-up left %d adverts received, %d batches queued; want 5 and 0", vi.Stats.AdvertRcvd, len(d.rx.Batches()))
	}
}
