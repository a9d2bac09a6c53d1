package bgp

import (
	"net/netip"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/config"
)

// TestSpeakerUpdate: a reloaded bgp_speaker block is taken in place when
// only neighbors change (an unchanged neighbor keeps its status, a new
// one appears, a removed one goes), and refused when local_as changes.
func TestSpeakerUpdate(t *testing.T) {
	sp := quietSpeaker(t)
	old := sp.cfg.Speaker
	kept := *old.Neighbors[0]
	added := &config.BGPNeighbor{Addr: netip.MustParseAddr("192.0.2.9"), RemoteAS: 65009, HoldTime: 9 * time.Second,
		KeepaliveTime: 3 * time.Second, Passive: true, Port: 179}
	kept.Pos = config.Pos{Line: 99} // moved in the file: still the same neighbor
	next := &config.BGPSpeaker{LocalAS: old.LocalAS, GracefulShutdown: time.Second, Neighbors: []*config.BGPNeighbor{&kept, added}}
	// Mark the kept neighbor's status, so that a restart of its session
	// (a fresh "idle" entry) would show.
	sp.mu.Lock()
	sp.status.Neighbors[0].Flaps = 7
	sp.mu.Unlock()
	if !sp.Update(next, netip.MustParseAddr("192.0.2.2")) {
		t.Fatal("Update refused a neighbor change")
	}
	st := waitStatus(t, sp, "two neighbors", func(s Status) bool { return len(s.Neighbors) == 2 })
	if st.Neighbors[0].Addr != kept.Addr || st.Neighbors[0].Flaps != 7 || st.Neighbors[1].Addr != added.Addr || st.LastError != "" {
		t.Errorf("after adding: %+v, want 192.0.2.1 kept (flaps 7) and 192.0.2.9 new, no error", st)
	}
	only := &config.BGPSpeaker{LocalAS: old.LocalAS, Neighbors: []*config.BGPNeighbor{added}}
	if !sp.Update(only, netip.MustParseAddr("192.0.2.2")) {
		t.Fatal("Update refused a neighbor removal")
	}
	st = waitStatus(t, sp, "one neighbor", func(s Status) bool { return len(s.Neighbors) == 1 })
	if st.Neighbors[0].Addr != added.Addr || st.LastError != "" {
		t.Errorf("after removing: %+v, want only 192.0.2.9", st)
	}
	if sp.Update(&config.BGPSpeaker{LocalAS: 65002, Neighbors: only.Neighbors}, netip.MustParseAddr("192.0.2.2")) {
		t.Error("Update took a new local_as in place")
	}
	if sp.Update(only, netip.MustParseAddr("192.0.2.3")) {
		t.Error("Update took a new router_id in place")
	}
}
