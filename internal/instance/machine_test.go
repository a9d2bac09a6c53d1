package instance

import (
	"net/netip"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/vrrp"
	"github.com/google/go-cmp/cmp"
)

var (
	t0   = time.Unix(1000, 0)
	self = netip.MustParseAddr("10.0.0.5")
	peer = netip.MustParseAddr("10.0.0.9")
	low  = netip.MustParseAddr("10.0.0.1")
)

func testConfig() Config {
	c := DefaultConfig()
	c.VRID = 7
	c.PrimaryAddr = self
	return c
}

func adv(prio uint8) AdvertReceived {
	return AdvertReceived{From: peer, Advert: vrrp.Advertisement{Version: vrrp.V2, VRID: 7, Priority: prio, Interval: time.Second}}
}

// machineIn returns a machine brought to state st.
func machineIn(t *testing.T, cfg Config, st State) *Machine {
	t.Helper()
	m := New(cfg)
	if st == Init {
		return m
	}
	m.Step(t0, Startup{})
	switch st {
	case Master:
		m.Step(m.Deadline(), Timeout{})
	case Fault:
		m.Step(t0, FaultOn{Cause: "link"})
	case Stop:
		m.Step(t0, Shutdown{})
	}
	if m.State() != st {
		t.Fatalf("setup: state %s, want %s", m.State(), st)
	}
	return m
}

func TestTransitions(t *testing.T) {
	now := t0.Add(10 * time.Second)
	tests := []struct {
		name      string
		from      State
		cfg       func(*Config)
		ev        Event
		wantState State
		wantActs  []string
	}{
		{"init startup", Init, nil, Startup{}, Backup, []string{"notify INIT->BACKUP prio 100 (startup)"}},
		{"init startup faulted", Init, nil, nil, Fault, nil},
		{"backup higher advert", Backup, nil, adv(110), Backup, nil},
		{"backup lower advert", Backup, nil, adv(90), Backup, nil},
		{"backup prio 0", Backup, nil, adv(0), Backup, nil},
		{"backup fault", Backup, nil, FaultOn{Cause: "link"}, Fault, []string{"notify BACKUP->FAULT prio 100 (fault link)"}},
		{"backup stop", Backup, nil, Shutdown{}, Stop, []string{"notify BACKUP->STOP prio 100 (shutdown)"}},
		{"master lower advert", Master, nil, adv(90), Master, []string{"send-advert prio 100 int 1s", "send-gratuitous x5 every 0s", "notify master-rx-lower-pri from 10.0.0.9 prio 90"}},
		{"master prio 0", Master, nil, adv(0), Master, []string{"send-advert prio 100 int 1s"}},
		{"master higher advert", Master, nil, adv(110), Backup, []string{"send-advert prio 100 int 1s", "remove-addresses []", "notify MASTER->BACKUP prio 100 (higher-priority from 10.0.0.9 prio 110)"}},
		{"master higher advert keepalived", Master, func(c *Config) { c.FastFailover = false }, adv(110), Backup, []string{"remove-addresses []", "notify MASTER->BACKUP prio 100 (higher-priority from 10.0.0.9 prio 110)"}},
		{"master equal advert higher ip", Master, nil, adv(100), Backup, []string{"send-advert prio 100 int 1s", "remove-addresses []", "notify MASTER->BACKUP prio 100 (higher-priority from 10.0.0.9 prio 100)"}},
		{"master equal advert lower ip", Master, nil, AdvertReceived{From: low, Advert: vrrp.Advertisement{Priority: 100, Interval: time.Second}}, Master, []string{"send-advert prio 100 int 1s", "send-gratuitous x5 every 0s", "notify master-rx-lower-pri from 10.0.0.1 prio 100"}},
		{"master fault", Master, nil, FaultOn{Cause: "link"}, Fault, []string{"send-advert prio 0 int 1s", "send-advert prio 0 int 1s", "remove-addresses []", "notify MASTER->FAULT prio 100 (fault link)"}},
		{"master stop", Master, nil, Shutdown{}, Stop, []string{"send-advert prio 0 int 1s", "remove-addresses []", "notify MASTER->STOP prio 100 (shutdown)"}},
		{"master weights fast", Master, nil, TrackerWeights{Sum: -20}, Master, []string{"send-advert prio 80 int 1s"}},
		{"master weights keepalived", Master, func(c *Config) { c.FastFailover = false }, TrackerWeights{Sum: -20}, Master, nil},
		{"master higher_prio_send_advert", Master, func(c *Config) { c.HigherPrioSendAdvert = true }, adv(110), Backup, []string{"send-advert prio 100 int 1s", "remove-addresses []", "notify MASTER->BACKUP prio 100 (higher-priority from 10.0.0.9 prio 110)"}},
		{"owner rogue owner", Master, func(c *Config) { c.Priority = 255 }, adv(255), Backup, []string{"send-advert prio 254 int 1s", "remove-addresses []", "notify MASTER->BACKUP prio 254 (higher-priority from 10.0.0.9 prio 255)"}},
		{"fault advert ignored", Fault, nil, adv(0), Fault, nil},
		{"fault cleared", Fault, nil, FaultOff{Cause: "link"}, Backup, []string{"notify FAULT->BACKUP prio 100 (fault-cleared link)"}},
		{"fault other cause cleared", Fault, nil, FaultOff{Cause: "other"}, Fault, nil},
		{"stop stays", Stop, nil, Startup{}, Stop, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig()
			if tt.cfg != nil {
				tt.cfg(&cfg)
			}
			var m *Machine
			ev := tt.ev
			if ev == nil { // faulted before startup
				m = New(cfg)
				m.Step(t0, FaultOn{Cause: "link"})
				ev = Startup{}
			} else {
				m = machineIn(t, cfg, tt.from)
			}
			var got []string
			for _, a := range m.Step(now, ev) {
				got = append(got, a.String())
			}
			if tt.ev == nil {
				got = nil
			}
			if diff := cmp.Diff(tt.wantActs, got); diff != "" {
				t.Errorf("actions (-want +got):\n%s", diff)
			}
			if m.State() != tt.wantState {
				t.Errorf("state %s, want %s", m.State(), tt.wantState)
			}
		})
	}
}

func TestSkew(t *testing.T) {
	tests := []struct {
		v    vrrp.Version
		prio uint8
		mai  time.Duration
		want time.Duration
	}{
		{vrrp.V2, 100, time.Second, 609375 * time.Microsecond},
		{vrrp.V2, 255, time.Second, 3906250 * time.Nanosecond},
		{vrrp.V3, 254, 10 * time.Millisecond, 78125 * time.Nanosecond},
		{vrrp.V3, 100, 10 * time.Millisecond, 6093750 * time.Nanosecond},
		{vrrp.V3, 1, 40950 * time.Millisecond, 40790039062 * time.Nanosecond},
	}
	for _, tt := range tests {
		if got := Skew(tt.v, tt.prio, tt.mai); got != tt.want {
			t.Errorf("Skew(v%d, %d, %s) = %s, want %s", tt.v, tt.prio, tt.mai, got, tt.want)
		}
	}
}

func TestEffectivePriority(t *testing.T) {
	tests := []struct {
		base uint8
		sum  int
		want uint8
	}{
		{100, -20, 80}, {100, -200, 1}, {100, 200, 254}, {255, -100, 255}, {254, 10, 254},
	}
	for _, tt := range tests {
		c := testConfig()
		c.Priority = tt.base
		m := New(c)
		m.Step(t0, TrackerWeights{Sum: tt.sum})
		if got := m.EffectivePriority(); got != tt.want {
			t.Errorf("base %d + %d = %d, want %d", tt.base, tt.sum, got, tt.want)
		}
	}
}

func TestDeadlineStartup(t *testing.T) {
	tests := []struct {
		name string
		cfg  func(*Config)
		want time.Duration
	}{
		{"v2 prio 100", nil, 3609375 * time.Microsecond},
		{"owner state MASTER: MASTER at once, next advert", func(c *Config) { c.Priority, c.WantMaster = 255, true }, time.Second},
		{"down_timer_adverts 5", func(c *Config) { c.DownTimerAdverts = 5 }, 5609375 * time.Microsecond},
		{"v3 50ms", func(c *Config) { c.Version, c.AdvertInterval = vrrp.V3, 50*time.Millisecond }, 150*time.Millisecond + 30468750*time.Nanosecond},
	}
	for _, tt := range tests {
		c := testConfig()
		if tt.cfg != nil {
			tt.cfg(&c)
		}
		m := New(c)
		m.Step(t0, Startup{})
		if got := m.Deadline().Sub(t0); got != tt.want {
			t.Errorf("%s: first deadline after %s, want %s", tt.name, got, tt.want)
		}
	}
}

func BenchmarkStepBackupAdvert(b *testing.B) {
	m := New(testConfig())
	m.Step(t0, Startup{})
	ev := adv(110)
	now := t0
	b.ReportAllocs()
	for b.Loop() {
		now = now.Add(time.Second)
		m.Step(now, ev)
	}
}

func BenchmarkStepMasterTick(b *testing.B) {
	m := New(testConfig())
	m.Step(t0, Startup{})
	m.Step(m.Deadline(), Timeout{})
	m.Step(m.Deadline().Add(10*time.Second), Timeout{}) // past the GARP delay
	b.ReportAllocs()
	for b.Loop() {
		m.Step(m.Deadline(), Timeout{})
	}
}
