package route

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gokeepalived/gokeepalived/internal/config/configtest"
	"github.com/gokeepalived/gokeepalived/internal/system"
	"github.com/gokeepalived/gokeepalived/internal/system/systemtest"
)

// TestTrackGroupLinkBack: when the interface of static entries comes up
// again, its addresses and routes are put back (the kernel flushed the
// routes with the link); rules, which stay, are not touched unless they
// failed, and no_track entries are left alone.
func TestTrackGroupLinkBack(t *testing.T) {
	fake := &systemtest.Routing{}
	d := New(Config{Routing: fake})
	d.Start(configtest.TrackGroup(t, "static_routes {\n 10.1.0.0/16 dev eth2 track_group G\n 10.2.0.0/16 dev eth2\n 10.3.0.0/16 dev eth2 no_track\n 10.4.0.0/16 dev eth3\n}\n"+
		"static_rules {\n from 10.5.0.0/16 table 100 preference 10 iif eth2\n}\n"))
	fake.Reset()

	eth2 := system.Link{Name: "eth2", Index: 7}
	d.LinkChanged(system.LinkEvent{Link: eth2})                                // up, never seen down: nothing to do
	d.LinkChanged(system.LinkEvent{Link: system.Link{Name: "eth2", Index: 7}}) // down
	eth2.Up = true
	d.LinkChanged(system.LinkEvent{Link: eth2}) // up again
	d.LinkChanged(system.LinkEvent{Link: eth2}) // still up: nothing more
	var got []string
	for _, c := range fake.Calls() {
		got = append(got, c.String())
	}
	want := []string{"AddRoute[10.1.0.0/16 dev eth2]", "AddRoute[10.2.0.0/16 dev eth2]"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("calls after eth2 went down and up (-want +got):\n%s", diff)
	}

	// A rule that failed to go on is tried again when its interface
	// comes up.
	fake.Reset()
	for _, e := range d.statics {
		if e.rule != nil {
			e.on = false
		}
	}
	d.LinkChanged(system.LinkEvent{Link: eth2})
	got = nil
	for _, c := range fake.Calls() {
		got = append(got, c.String())
	}
	if diff := cmp.Diff([]string{"AddRule[pref 10 from 10.5.0.0/16 iif eth2 lookup 100]"}, got); diff != "" {
		t.Errorf("calls for a failed rule (-want +got):\n%s", diff)
	}
}
