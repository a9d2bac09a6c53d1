package main

import (
	"net/netip"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/google/go-cmp/cmp"
)

func TestSkewAndMasterDown(t *testing.T) {
	tests := []struct {
		name     string
		version  int
		prio     int
		interval time.Duration
		skew     time.Duration
		down     time.Duration
	}{
		{"v2 1 s prio 90", 2, 90, time.Second, 648437500 * time.Nanosecond, 3648437500 * time.Nanosecond},
		{"v3 100 ms prio 90", 3, 90, 100 * time.Millisecond, 64843750 * time.Nanosecond, 364843750 * time.Nanosecond},
		{"v3 50 ms prio 100", 3, 100, 50 * time.Millisecond, 30468750 * time.Nanosecond, 180468750 * time.Nanosecond},
		{"v3 10 ms prio 254", 3, 254, 10 * time.Millisecond, 78125 * time.Nanosecond, 30078125 * time.Nanosecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := []time.Duration{skew(tt.version, tt.prio, tt.interval), masterDown(tt.version, tt.prio, tt.interval)}
			if diff := cmp.Diff([]time.Duration{tt.skew, tt.down}, got); diff != "" {
				t.Errorf("skew, master down (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSpread(t *testing.T) {
	t0 := time.Unix(1000, 0)
	var evs []event
	// VRID 1 every 10 ms, VRID 2 every 10 ms with one 30 ms gap.
	for i := 0; i < 100; i++ {
		evs = append(evs, event{at: t0.Add(time.Duration(i) * 10 * time.Millisecond), frameInfo: frameInfo{Kind: kindAdvert, VRID: 1}})
	}
	at := t0
	for i := 0; i < 100; i++ {
		d := 10 * time.Millisecond
		if i == 50 {
			d = 30 * time.Millisecond
		}
		at = at.Add(d)
		evs = append(evs, event{at: at, frameInfo: frameInfo{Kind: kindAdvert, VRID: 2}})
	}
	got := spread(evs)
	want := timerResult{Intervals: 198, P50: 10 * time.Millisecond, P99: 10 * time.Millisecond, Max: 30 * time.Millisecond}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(timerResult{})); diff != "" {
		t.Errorf("spread (-want +got):\n%s", diff)
	}
	if r := spread(nil); r.Err == nil {
		t.Errorf("spread(nil): no error")
	}
}

func TestSummarize(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		in   []time.Duration
		want stats
	}{
		{nil, stats{}},
		{[]time.Duration{3 * ms}, stats{1, 3 * ms, 3 * ms, 3 * ms}},
		{[]time.Duration{5 * ms, 1 * ms, 3 * ms}, stats{3, 3 * ms, 1 * ms, 5 * ms}},
		{[]time.Duration{4 * ms, 1 * ms, 2 * ms, 9 * ms}, stats{4, 3 * ms, 1 * ms, 9 * ms}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, summarize(tt.in)); diff != "" {
			t.Errorf("summarize(%v) (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestTimeline(t *testing.T) {
	t0 := time.Unix(1000, 0)
	ms := time.Millisecond
	a, b := [6]byte{2, 0, 0, 0, 1, 2}, [6]byte{2, 0, 0, 0, 1, 3}
	vip := netip.MustParseAddr("192.168.1.10")
	ev := func(off time.Duration, mac [6]byte, k frameKind, vrid, prio uint8, ip netip.Addr) event {
		return event{at: t0.Add(off), frameInfo: frameInfo{Kind: k, SrcMAC: mac, VRID: vrid, Priority: prio, IP: ip}}
	}
	evs := []event{
		ev(-200*ms, a, kindAdvert, 51, 100, netip.Addr{}),
		ev(-100*ms, a, kindAdvert, 51, 100, netip.Addr{}),
		ev(-50*ms, a, kindAdvert, 52, 100, netip.Addr{}), // another VRID
		ev(2*ms, a, kindAdvert, 51, 0, netip.Addr{}),     // priority 0 on leaving
		ev(66*ms, b, kindAdvert, 51, 90, netip.Addr{}),
		ev(67*ms, b, kindGARP, 0, 0, netip.MustParseAddr("192.168.1.99")), // another address
		ev(68*ms, b, kindGARP, 0, 0, vip),
		ev(70*ms, a, kindAdvert, 51, 100, netip.Addr{}), // after the new master's first advert
	}
	var got measurement
	timeline(&got, evs, t0, 51, a, b, vip)
	want := measurement{LastOld: 2 * ms, HasLastOld: true, FirstAdv: 66 * ms, HasFirstAdv: true, FirstGARP: 68 * ms, HasFirstG: true}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("timeline (-want +got):\n%s", diff)
	}
	last, ok := lastAdvertBefore(evs, t0, 51, a, 100)
	if diff := cmp.Diff(t0.Add(-100*ms), last); diff != "" || !ok {
		t.Errorf("lastAdvertBefore ok %v (-want +got):\n%s", ok, diff)
	}
}

// TestConfigsLoad checks that every config the benchmark writes loads in
// gokeepalived without errors. (keepalived -t would need eth1 to exist;
// the benchmark itself runs keepalived on them.)
func TestConfigsLoad(t *testing.T) {
	confs := map[string]confSpec{
		"failover v2": {routerID: "a", version: 2, interval: time.Second, check: "/bin/true",
			insts: []instSpec{{vrid: 51, state: "MASTER", priority: 100, vip: "192.168.1.10/32"}}},
		"failover v3 50ms": {routerID: "b", version: 3, interval: 50 * time.Millisecond, check: "/bin/true",
			insts: []instSpec{{vrid: 51, state: "BACKUP", priority: 90, vip: "192.168.1.10/32"}}},
		"255 x 10ms": manyInstances(255, 10*time.Millisecond),
		"255 x 10ms real-time": func() confSpec {
			c := manyInstances(255, 10*time.Millisecond)
			c.realtime = true
			return c
		}(),
	}
	for name, c := range confs {
		t.Run(name, func(t *testing.T) {
			cfg, diags := config.LoadBytes(name, []byte(c.text()), config.Options{})
			if config.HasErrors(diags) || cfg == nil {
				t.Fatalf("gokeepalived rejects the config: %v\n%s", diags, c.text())
			}
			if rt := cfg.Global.Realtime.Priority > 0 && cfg.Global.Realtime.NoSwap; rt != c.realtime {
				t.Errorf("vrrp_rt_priority set = %v, want %v", rt, c.realtime)
			}
			if got := len(cfg.Instances); got != len(c.insts) {
				t.Errorf("instances = %d, want %d", got, len(c.insts))
			}
		})
	}
}
