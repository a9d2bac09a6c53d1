package daemon

import (
	"bytes"
	"log/slog"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/instance"
	"github.com/gokeepalived/gokeepalived/internal/system"
	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

func TestLogLimiter(t *testing.T) {
	t0 := time.Unix(1000, 0)
	type ev struct {
		key string
		at  time.Duration
	}
	type out struct {
		OK   bool
		Held []any
	}
	tests := []struct {
		name string
		evs  []ev
		want []out
	}{
		{"first of each cause", []ev{{"a", 0}, {"b", 0}, {"a", time.Second}},
			[]out{{OK: true}, {OK: true}, {}}},
		{"a minute later with the count", []ev{{"a", 0}, {"a", time.Millisecond}, {"a", 2 * time.Millisecond}, {"a", time.Minute}},
			[]out{{OK: true}, {}, {}, {OK: true, Held: []any{"suppressed", uint64(2)}}}},
		{"count restarts", []ev{{"a", 0}, {"a", 1}, {"a", time.Minute}, {"a", 2 * time.Minute}},
			[]out{{OK: true}, {}, {OK: true, Held: []any{"suppressed", uint64(1)}}, {OK: true}}},
		{"clock stepped back", []ev{{"a", time.Hour}, {"a", 0}}, []out{{OK: true}, {OK: true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var l logLimiter[string]
			var got []out
			for _, e := range tt.evs {
				ok, held := l.allow(e.key, t0.Add(e.at))
				got = append(got, out{ok, held})
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("allow (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDropFloodLogsOnce: 10,000 adverts refused for one reason, and
// 10,000 for an unknown VRID (log_unknown_vrids), write one line each.
func TestDropFloodLogsOnce(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	cfg := instance.DefaultConfig()
	cfg.VRID, cfg.PrimaryAddr = 7, netip.MustParseAddr("10.0.0.1")
	vi := &vinst{conf: &config.Instance{Name: "V"}, log: log, m: instance.New(cfg), fam: vrrp.IPv4,
		expect: vrrp.Expect{Version: vrrp.V2, VRID: 7, Interval: time.Second}}
	vi.stats.Drops = map[string]uint64{}
	newUnit("", []*vinst{vi})
	key := connKey{ifindex: 2, fam: vrrp.IPv4}
	conf := &config.Config{}
	conf.Global.LogUnknownVRIDs = true
	d := &Daemon{log: log, conf: conf, byKey: map[rxKey]*vinst{{key, 7}: vi}}
	from, group := netip.MustParseAddr("10.0.0.9"), netip.MustParseAddr("224.0.0.18")
	for _, vrid := range []uint8{7, 99} {
		adv := vrrp.Advertisement{Version: vrrp.V2, VRID: vrid, Priority: 50, Interval: time.Second}
		data, err := adv.Append(nil, vrrp.Sum{Form: vrrp.FormMessage, Src: from, Dst: group})
		if err != nil {
			t.Fatal(err)
		}
		for range 10000 {
			d.receive(rxPacket{key: key, meta: system.Meta{Src: from, Dst: group, TTL: 64, Ifindex: 2}, data: data})
		}
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "advert dropped") || !strings.Contains(lines[1], "Unknown VRID") {
		t.Errorf("20,000 refused adverts logged %d lines, want one per cause:\n%s", len(lines), strings.Join(lines[:min(len(lines), 5)], "\n"))
	}
	if vi.stats.IPTTLErr != 10000 || d.unknownRx != 10000 {
		t.Errorf("counted %d TTL errors and %d unknown VRIDs, want 10000 each", vi.stats.IPTTLErr, d.unknownRx)
	}
}
