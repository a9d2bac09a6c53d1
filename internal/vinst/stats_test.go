package vinst

import (
	"testing"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/control"
	"github.com/google/go-cmp/cmp"
)

func statsInst(name string, sent uint64, drops map[string]uint64) *Instance {
	return &Instance{Conf: &config.Instance{Name: name}, Stats: control.Stats{AdvertSent: sent, Drops: drops}}
}

// TestCarryStatsOverRestart: an instance restarted by a reload keeps its
// counters; a new instance starts from zero.
func TestCarryStatsOverRestart(t *testing.T) {
	old := statsInst("VI_1", 40, map[string]uint64{"checksum": 2})
	old.Cleared = control.Stats{AdvertSent: 7}
	restarted, added := statsInst("VI_1", 0, map[string]uint64{}), statsInst("VI_2", 0, map[string]uint64{})
	CarryStats([]*Unit{{Members: []*Instance{old}}}, []*Instance{restarted, added})

	got := map[string][2]control.Stats{"VI_1": {restarted.Stats, restarted.Cleared}, "VI_2": {added.Stats, added.Cleared}}
	want := map[string][2]control.Stats{
		"VI_1": {{AdvertSent: 40, Drops: map[string]uint64{"checksum": 2}}, {AdvertSent: 7}},
		"VI_2": {{Drops: map[string]uint64{}}, {}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("stats after restart (-want +got):\n%s", diff)
	}
}

// TestClearStatsKeepsLifetime: SIGRTMAX-1 zeroes the counters shown in
// keepalived.stats, while Stats.Plus(StatsCleared), which the metrics
// export, keeps growing; a snapshot taken before the clear is unchanged.
func TestClearStatsKeepsLifetime(t *testing.T) {
	vi := statsInst("VI_1", 10, map[string]uint64{"checksum": 3})
	lifetime := func() control.Stats { return vi.Stats.Plus(vi.Cleared) }

	ClearStats([]*Instance{vi})
	before := vi.Cleared
	vi.Stats.AdvertSent += 5
	vi.Stats.Drops["checksum"]++
	ClearStats([]*Instance{vi})
	vi.Stats.AdvertSent += 2

	if vi.Stats.AdvertSent != 2 || vi.Stats.Drops["checksum"] != 0 {
		t.Errorf("after the clears stats = %+v, want 2 sent and no drops", vi.Stats)
	}
	want := control.Stats{AdvertSent: 17, Drops: map[string]uint64{"checksum": 4}}
	if diff := cmp.Diff(want, lifetime()); diff != "" {
		t.Errorf("stats + cleared (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(control.Stats{AdvertSent: 10, Drops: map[string]uint64{"checksum": 3}}, before); diff != "" {
		t.Errorf("cleared taken after the first clear changed later (-want +got):\n%s", diff)
	}
}
