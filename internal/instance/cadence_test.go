package instance_test

import (
	"net/netip"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/instance"
)

// TestAdvertCadenceIgnoresLateWakeups: a master stepped late keeps its
// adverts on the original schedule; only a stall of more than an interval
// restarts the schedule from the late step.
func TestAdvertCadenceIgnoresLateWakeups(t *testing.T) {
	cfg := instance.DefaultConfig()
	cfg.VRID, cfg.Priority, cfg.WantMaster = 1, 255, true
	cfg.AdvertInterval = 10 * time.Millisecond
	cfg.PrimaryAddr = netip.MustParseAddr("10.0.0.1")
	cfg.VIPs = []netip.Prefix{netip.MustParsePrefix("10.0.0.100/32")}
	m := instance.New(cfg)
	t0 := time.Unix(1000, 0)
	m.Step(t0, instance.Startup{})
	for m.State() != instance.Master {
		m.Step(m.Deadline(), instance.Timeout{})
	}
	due := m.Deadline()
	// Woken 3 ms late: the next advert is still due one interval after
	// this one was due.
	m.Step(due.Add(3*time.Millisecond), instance.Timeout{})
	if got, want := m.Deadline(), due.Add(10*time.Millisecond); !got.Equal(want) {
		t.Errorf("after a 3 ms late tick the next advert is due at +%s, want +%s", got.Sub(due), want.Sub(due))
	}
	// Woken 25 ms late (more than an interval): start again from now.
	due = m.Deadline()
	late := due.Add(25 * time.Millisecond)
	m.Step(late, instance.Timeout{})
	if got, want := m.Deadline(), late.Add(10*time.Millisecond); !got.Equal(want) {
		t.Errorf("after a 25 ms stall the next advert is due at +%s after the stall, want +%s", got.Sub(late), want.Sub(late))
	}
}
