package instance

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestMasterAnswersOncePerInterval: a master answers a lower-priority
// advert (advert, gratuitous ARP burst, notify) and a priority-0 advert
// (advert) at most once per advertisement interval, however many arrive;
// the next interval allows the next answer.
func TestMasterAnswersOncePerInterval(t *testing.T) {
	lower := []string{"send-advert prio 100 int 1s", "send-gratuitous x5 every 0s", "notify master-rx-lower-pri from 10.0.0.9 prio 90"}
	zero := []string{"send-advert prio 100 int 1s"}
	ms := time.Millisecond
	tests := []struct {
		name string
		ev   AdvertReceived
		at   []time.Duration // after the first advert
		want [][]string      // actions per advert
	}{
		{"lower flood within an interval", adv(90), []time.Duration{0, ms / 10, 500 * ms, 999 * ms}, [][]string{lower, nil, nil, nil}},
		{"lower a second apart", adv(90), []time.Duration{0, time.Second, 2 * time.Second}, [][]string{lower, lower, lower}},
		{"lower flood across intervals", adv(90), []time.Duration{0, 400 * ms, 1000 * ms, 1500 * ms, 2100 * ms}, [][]string{lower, nil, lower, nil, lower}},
		{"priority 0 flood", adv(0), []time.Duration{0, ms, 999 * ms, time.Second}, [][]string{zero, nil, nil, zero}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := machineIn(t, testConfig(), Master)
			start := m.Deadline().Add(-time.Second + time.Millisecond) // just after becoming master
			var got [][]string
			for _, d := range tt.at {
				var acts []string
				for _, a := range m.Step(start.Add(d), tt.ev) {
					acts = append(acts, a.String())
				}
				got = append(got, acts)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("actions per advert (-want +got):\n%s", diff)
			}
			if m.State() != Master {
				t.Errorf("state %s, want MASTER", m.State())
			}
		})
	}
}

// TestAnswerBoundsSeparateAndReset: the bounds on priority-0 and
// lower-priority answers are separate, and a machine that leaves MASTER
// and takes it back answers at once.
func TestAnswerBoundsSeparateAndReset(t *testing.T) {
	m := machineIn(t, testConfig(), Master)
	now := m.Deadline().Add(-500 * time.Millisecond)
	count := func(ev AdvertReceived) int { return len(m.Step(now, ev)) }
	if n := count(adv(0)); n != 1 {
		t.Fatalf("first priority-0 advert: %d actions, want 1", n)
	}
	if n := count(adv(90)); n != 3 {
		t.Errorf("lower advert right after a priority-0 answer: %d actions, want 3", n)
	}
	m.Step(now, adv(110)) // yields
	m.Step(m.Deadline(), Timeout{})
	if m.State() != Master {
		t.Fatalf("state %s after Master_Down_Interval, want MASTER", m.State())
	}
	now = m.Deadline().Add(-900 * time.Millisecond)
	if n := count(adv(90)); n != 3 {
		t.Errorf("lower advert after becoming master again: %d actions, want 3", n)
	}
}
