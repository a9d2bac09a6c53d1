package instance

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestPreemptedMasterYieldNotAnswered: a backup that preempts a
// lower-priority master sends its advert and GARP burst as it becomes
// master; the preempted master's parting advert (fast failover), which
// arrives as it yields, gets no second advert, burst or notify — the
// daemontest transcripts showed two bursts at once, keepalived sends one.
// Anything else lower is still answered as keepalived does.
func TestPreemptedMasterYieldNotAnswered(t *testing.T) {
	lowerFrom := func(a netip.Addr, prio uint8) []string {
		return []string{"send-advert prio 100 int 1s", "send-gratuitous x5 every 0s",
			"notify master-rx-lower-pri from " + a.String() + " prio " + fmt.Sprint(prio)}
	}
	ms := time.Millisecond
	type rx struct {
		after time.Duration // after becoming master
		from  netip.Addr
	}
	tests := []struct {
		name    string
		preempt bool // the backup heard peer at 90 and preempted it
		rxs     []rx
		want    [][]string
	}{
		{"parting advert of the preempted master", true, []rx{{ms, peer}}, [][]string{nil}},
		{"its next advert an interval later", true, []rx{{ms, peer}, {time.Second + ms, peer}}, [][]string{nil, lowerFrom(peer, 90)}},
		{"a second advert at once is no yield", true, []rx{{ms, peer}, {2 * ms, peer}}, [][]string{nil, lowerFrom(peer, 90)}},
		{"another router's lower advert", true, []rx{{ms, low}}, [][]string{lowerFrom(low, 90)}},
		{"no preemption (split brain heal)", false, []rx{{ms, peer}}, [][]string{lowerFrom(peer, 90)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := New(testConfig())
			m.Step(t0, Startup{})
			if tt.preempt {
				m.Step(t0.Add(500*ms), adv(90))
			}
			became := m.Deadline()
			m.Step(became, Timeout{})
			if m.State() != Master {
				t.Fatalf("setup: state %s, want MASTER", m.State())
			}
			var got [][]string
			for _, r := range tt.rxs {
				ev := adv(90)
				ev.From = r.from
				var acts []string
				for _, a := range m.Step(became.Add(r.after), ev) {
					acts = append(acts, a.String())
				}
				got = append(got, acts)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("actions per advert (-want +got):\n%s", diff)
			}
		})
	}
}

// TestNoPartingAdvert: a master yielding to a higher priority sends its
// parting advert (fast failover) unless NoPartingAdvert is set, as it is
// for auth_type AH, where the new master has moved the shared sequence
// number past it and would refuse it as a replay.
func TestNoPartingAdvert(t *testing.T) {
	for _, noParting := range []bool{false, true} {
		cfg := testConfig()
		cfg.NoPartingAdvert = noParting
		m := New(cfg)
		m.Step(t0, Startup{})
		became := m.Deadline()
		m.Step(became, Timeout{})
		if m.State() != Master {
			t.Fatalf("setup: state %s, want MASTER", m.State())
		}
		sent := false
		for _, a := range m.Step(became.Add(time.Millisecond), adv(200)) {
			if strings.HasPrefix(a.String(), "send-advert") {
				sent = true
			}
		}
		if m.State() != Backup || sent == noParting {
			t.Errorf("NoPartingAdvert %v: state %s, parting advert sent %v", noParting, m.State(), sent)
		}
	}
}
