package daemon

import (
	"context"
	"log/slog"
	"net/netip"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/bgp"
	"github.com/gokeepalived/gokeepalived/internal/bgp/announcer"
	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/demux"
	"github.com/gokeepalived/gokeepalived/internal/instance"
	"github.com/gokeepalived/gokeepalived/internal/system"
	"github.com/gokeepalived/gokeepalived/internal/vinst"
	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

// upSpeaker is a bgp speaker that starts at once and announces nothing.
type upSpeaker struct{}

func (upSpeaker) Start(context.Context) error                { return nil }
func (upSpeaker) Update(*config.BGPSpeaker, netip.Addr) bool { return true }
func (upSpeaker) SetAnnounced([]bgp.Route)                   {}
func (upSpeaker) GracefulShutdown(context.Context) error     { return nil }
func (upSpeaker) Close(context.Context) error                { return nil }
func (upSpeaker) Status() bgp.Status                         { return bgp.Status{Running: true} }

// TestIdleAdvertsComputeNoRoutes: the loop syncs the BGP side after every
// event; adverts from the master that change nothing for a backup
// compute no routes (bgp.Desired reads the instances' states once per
// computation). Before, every event computed them, with a health map and
// a DeepEqual of the routes. (That a Touch recomputes them is
// announcer's TestIdleSyncComputesNothing; the lab's BGP tests follow
// real state changes.)
func TestIdleAdvertsComputeNoRoutes(t *testing.T) {
	conf := loadConfText(t, `global_defs {
    bgp_speaker {
        local_as 65001
        router_id 127.0.0.1
        neighbor 127.0.0.2 {
            remote_as 65000
        }
    }
}
vrrp_instance V {
    interface eth1
    virtual_router_id 7
    priority 100
    virtual_ipaddress {
        10.0.0.100
    }
    bgp_announce
}
`)
	cfg := instance.DefaultConfig()
	cfg.VRID, cfg.Priority, cfg.PrimaryAddr = 7, 100, netip.MustParseAddr("10.0.0.1")
	m := instance.New(cfg)
	m.Step(time.Now(), instance.Startup{})
	vi := &vinst.Instance{Conf: conf.Instance("V"), Log: slog.New(slog.DiscardHandler), M: m, Fam: vrrp.IPv4,
		Expect: vrrp.Expect{Version: vrrp.V2, VRID: 7, Interval: time.Second}}
	vi.Stats.Drops = map[string]uint64{}
	vinst.NewUnit("", []*vinst.Instance{vi})
	key := vinst.ConnKey{Ifindex: 2, Fam: vrrp.IPv4}
	vi.Link.Index = key.Ifindex
	d := &Daemon{log: vi.Log, conf: conf, rx: demux.New(nil, vi.Log), insts: []*vinst.Instance{vi}}
	d.loop.ctx = context.Background()
	if err := d.rx.Register(vi); err != nil {
		t.Fatal(err)
	}
	computed := 0
	d.ann.bgp = announcer.New(announcer.Deps{Log: d.log, Links: nil, Addrs: nil,
		Trackers: func() announcer.Trackers { return nil }, LinkUp: func(string) bool { return true },
		VRRP: func() map[string]bgp.VRRP { computed++; return d.bgpVRRP() },
		Wake: func() {}, NewSpeaker: func(bgp.Config) (announcer.Speaker, error) { return upSpeaker{}, nil }})
	for d.bgpSync(); !d.ann.bgp.Running(); d.bgpSync() {
		time.Sleep(time.Millisecond) // the speaker's start ends off the loop
	}

	from, group := netip.MustParseAddr("10.0.0.9"), netip.MustParseAddr("224.0.0.18")
	adv := vrrp.Advertisement{Version: vrrp.V2, VRID: 7, Priority: 200, Interval: time.Second,
		Addrs: []netip.Addr{netip.MustParseAddr("10.0.0.100")}}
	data, err := adv.Append(nil, vrrp.Sum{Form: vrrp.FormMessage, Src: from, Dst: group})
	if err != nil {
		t.Fatal(err)
	}
	before := computed
	for range 100 {
		d.receive(demux.Packet{Key: key, Meta: system.Meta{Src: from, Dst: group, TTL: 255, Ifindex: 2}, Data: data})
		d.bgpSync()
	}
	if vi.Stats.AdvertRcvd != 100 || m.State() != instance.Backup {
		t.Fatalf("received %d adverts, state %v; want 100 in BACKUP", vi.Stats.AdvertRcvd, m.State())
	}
	if n := computed - before; n != 0 {
		t.Errorf("100 idle adverts computed the BGP routes %d times, want 0", n)
	}
}
