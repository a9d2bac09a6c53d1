package daemon

import (
	"bytes"
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

// TestDropFloodLogsOnce: 10,000 adverts refused for one reason, and
// 10,000 for an unknown VRID (log_unknown_vrids), write one line each.
func TestDropFloodLogsOnce(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	cfg := instance.DefaultConfig()
	cfg.VRID, cfg.PrimaryAddr = 7, netip.MustParseAddr("10.0.0.1")
	vi := &vinst.Instance{Conf: &config.Instance{Name: "V"}, Log: log, M: instance.New(cfg), Fam: vrrp.IPv4,
		Expect: vrrp.Expect{Version: vrrp.V2, VRID: 7, Interval: time.Second}}
	vi.Stats.Drops = map[string]uint64{}
	vinst.NewUnit("", []*vinst.Instance{vi})
	key := vinst.ConnKey{Ifindex: 2, Fam: vrrp.IPv4}
	conf := &config.Config{}
	conf.Global.LogUnknownVRIDs = true
	vi.Conf.VRID, vi.Link.Index = 7, key.Ifindex
	d := &Daemon{log: log, conf: conf, rx: demux.New(nil, log)}
	d.rx.LogUnknown = conf.Global.LogUnknownVRIDs
	if err := d.rx.Register(vi); err != nil {
		t.Fatal(err)
	}
	from, group := netip.MustParseAddr("10.0.0.9"), netip.MustParseAddr("224.0.0.18")
	for _, vrid := range []uint8{7, 99} {
		adv := vrrp.Advertisement{Version: vrrp.V2, VRID: vrid, Priority: 50, Interval: time.Second}
		data, err := adv.Append(nil, vrrp.Sum{Form: vrrp.FormMessage, Src: from, Dst: group})
		if err != nil {
			t.Fatal(err)
		}
		for range 10000 {
			d.receive(demux.Packet{Key: key, Meta: system.Meta{Src: from, Dst: group, TTL: 64, Ifindex: 2}, Data: data})
		}
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "advert dropped") || !strings.Contains(lines[1], "Unknown VRID") {
		t.Errorf("20,000 refused adverts logged %d lines, want one per cause:\n%s", len(lines), strings.Join(lines[:min(len(lines), 5)], "\n"))
	}
	if vi.Stats.IPTTLErr != 10000 || d.rx.Unknown() != 10000 {
		t.Errorf("counted %d TTL errors and %d unknown VRIDs, want 10000 each", vi.Stats.IPTTLErr, d.rx.Unknown())
	}
}
