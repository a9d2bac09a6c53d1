package instance

import (
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

func TestReconfigure(t *testing.T) {
	now := t0.Add(10 * time.Second)
	vipB := netip.MustParsePrefix("192.168.1.7/32")
	tests := []struct {
		name     string
		from     State
		cfg      func(*Config) // the starting config
		change   func(*Config) // applied to a copy for Reconfigure
		wantOK   bool
		wantActs []string
		wantPrio uint8
		wantVIPs []netip.Prefix
	}{
		{name: "master lower priority fast failover advertises", from: Master,
			change: func(c *Config) { c.Priority = 50 }, wantOK: true,
			wantActs: []string{"send-advert prio 50 int 1s"}, wantPrio: 50},
		{name: "master higher priority fast failover advertises", from: Master,
			change: func(c *Config) { c.Priority = 200 }, wantOK: true,
			wantActs: []string{"send-advert prio 200 int 1s"}, wantPrio: 200},
		{name: "master lower priority keepalived timing waits for tick", from: Master,
			cfg:    func(c *Config) { c.FastFailover = false },
			change: func(c *Config) { c.FastFailover = false; c.Priority = 50 }, wantOK: true,
			wantPrio: 50},
		{name: "backup priority change is silent", from: Backup,
			change: func(c *Config) { c.Priority = 150 }, wantOK: true, wantPrio: 150},
		{name: "unchanged master emits nothing", from: Master,
			change: func(c *Config) {}, wantOK: true, wantPrio: 100},
		{name: "VIP list change emits no address action", from: Master,
			change: func(c *Config) { c.VIPs = append(c.VIPs, vipB) }, wantOK: true, wantPrio: 100,
			wantVIPs: []netip.Prefix{vipB}},
		{name: "fault keeps fault, priority recorded", from: Fault,
			change: func(c *Config) { c.Priority = 10 }, wantOK: true, wantPrio: 10},
		{name: "vrid needs restart", from: Master,
			change: func(c *Config) { c.VRID = 8 }, wantOK: false, wantPrio: 100},
		{name: "version needs restart", from: Backup,
			change: func(c *Config) { c.Version = vrrp.V3 }, wantOK: false, wantPrio: 100},
		{name: "advert interval needs restart", from: Backup,
			change: func(c *Config) { c.AdvertInterval = 2 * time.Second }, wantOK: false, wantPrio: 100},
		{name: "source address needs restart", from: Master,
			change: func(c *Config) { c.PrimaryAddr = low }, wantOK: false, wantPrio: 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig()
			if tt.cfg != nil {
				tt.cfg(&cfg)
			}
			m := machineIn(t, cfg, tt.from)
			before := m.State()
			next := cfg
			next.VIPs = nil
			tt.change(&next)
			acts, ok := m.Reconfigure(now, next)
			if ok != tt.wantOK {
				t.Fatalf("ok = %v, want %v", ok, tt.wantOK)
			}
			if diff := cmp.Diff(tt.wantActs, actionStrings(acts)); diff != "" {
				t.Errorf("actions (-want +got):\n%s", diff)
			}
			if got := m.State(); got != before {
				t.Errorf("state %s after reconfigure, want %s unchanged", got, before)
			}
			if got := m.EffectivePriority(); got != tt.wantPrio {
				t.Errorf("effective priority %d, want %d", got, tt.wantPrio)
			}
			if diff := cmp.Diff(tt.wantVIPs, m.Config().VIPs, cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })); diff != "" {
				t.Errorf("VIPs (-want +got):\n%s", diff)
			}
		})
	}
}

// TestReconfigureKeepsTimers checks that an in-place reload neither
// resets nor advances the running timer of a BACKUP, and that tracker
// weights stay applied on top of the new base priority.
func TestReconfigureKeepsTimers(t *testing.T) {
	cfg := testConfig()
	m := machineIn(t, cfg, Backup)
	m.Step(t0, TrackerWeights{Sum: -20})
	dl := m.Deadline()
	next := cfg
	next.Priority = 120
	if _, ok := m.Reconfigure(t0.Add(time.Second), next); !ok {
		t.Fatal("Reconfigure refused a priority change")
	}
	if got := m.Deadline(); !got.Equal(dl) {
		t.Errorf("deadline moved: %v, want %v", got, dl)
	}
	if got, want := m.EffectivePriority(), uint8(100); got != want {
		t.Errorf("effective priority %d, want %d (120 - 20)", got, want)
	}
}

// TestReconfigureMasterTicks checks that a reconfigured master keeps
// advertising every interval with its new priority: no advert gap.
func TestReconfigureMasterTicks(t *testing.T) {
	cfg := testConfig()
	cfg.FastFailover = false
	m := machineIn(t, cfg, Master)
	next := cfg
	next.Priority = 90
	tick := m.Deadline()
	m.Reconfigure(tick.Add(-100*time.Millisecond), next)
	if got := m.Deadline(); !got.Equal(tick) {
		t.Fatalf("deadline %v, want the running tick %v", got, tick)
	}
	got := actionStrings(m.Step(tick, Timeout{}))
	if diff := cmp.Diff([]string{"send-advert prio 90 int 1s"}, got); diff != "" {
		t.Errorf("tick after reconfigure (-want +got):\n%s", diff)
	}
}

// TestReconfigureOwnerBackoff checks that a rogue-owner back-off to 254
// survives a reload that does not change the priority.
func TestReconfigureOwnerBackoff(t *testing.T) {
	cfg := testConfig()
	cfg.Priority = OwnerPriority
	m := machineIn(t, cfg, Master)
	m.Step(t0.Add(time.Second), AdvertReceived{From: low, Advert: vrrp.Advertisement{Version: vrrp.V2, VRID: 7, Priority: OwnerPriority, Interval: time.Second}})
	backedOff := m.EffectivePriority()
	if backedOff != OwnerPriority-1 {
		t.Fatalf("setup: priority %d, want %d", backedOff, OwnerPriority-1)
	}
	m.Reconfigure(t0.Add(2*time.Second), cfg)
	if got := m.EffectivePriority(); got != backedOff {
		t.Errorf("priority %d after an unchanged reload, want %d", got, backedOff)
	}
}

func actionStrings(acts []Action) []string {
	var out []string
	for _, a := range acts {
		out = append(out, a.String())
	}
	return out
}
