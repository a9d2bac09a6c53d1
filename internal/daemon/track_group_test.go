package daemon

import (
	"errors"
	"log/slog"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/system"
	"github.com/gokeepalived/gokeepalived/internal/system/systemtest"
)

// loadTrackGroup loads static blocks after `track_group G { group { R } }`
// and instances R and O, and fails on errors.
func loadTrackGroup(t *testing.T, statics string) *config.Config {
	t.Helper()
	return loadConfText(t, "track_group G {\n group {\n  R\n }\n}\n"+statics+
		"vrrp_instance R {\n interface eth0\n virtual_router_id 1\n}\n"+
		"vrrp_instance O {\n interface eth0\n virtual_router_id 2\n}\n")
}

// TestTrackGroupMissingEntry: a tracked static entry that is not on holds
// the group's instances (and only them) in FAULT until a retry puts it on;
// an untracked or no_track entry that fails faults no one.
func TestTrackGroupMissingEntry(t *testing.T) {
	fake := &systemtest.Routing{}
	d := &Daemon{log: slog.New(slog.DiscardHandler), rtes: routeState{r: fake}}
	withLinks(t, d)
	// keepalived takes track_group only on routes with dev and rules with iif.
	d.conf = loadTrackGroup(t, "static_routes {\n blackhole 10.1.0.0/16 dev lo track_group G\n blackhole 10.2.0.0/16 dev lo no_track track_group G\n blackhole 10.3.0.0/16\n}\n"+
		"static_rules {\n from 10.4.0.0/16 iif lo table 100 preference 10 track_group G\n}\n")
	r := &vinst{conf: d.conf.Instance("R")}
	o := &vinst{conf: d.conf.Instance("O")}
	effects := func(vi *vinst) []string {
		want := map[string]trackEffect{}
		d.trackGroupEffects(vi, want)
		var out []string
		for k, e := range want {
			if !e.fault || e.delta != 0 {
				t.Errorf("effect %q = %+v, want a fault without weight", k, e)
			}
			out = append(out, k)
		}
		return out
	}

	notReady := errors.New("not ready")
	fake.Fail("AddRoute", notReady, notReady, notReady)
	fake.Fail("AddRule", notReady)
	d.startStatics()
	got := effects(r)
	slices.Sort(got)
	want := []string{"track_group G: static route blackhole 10.1.0.0/16 dev lo missing",
		"track_group G: static rule pref 10 from 10.4.0.0/16 iif lo lookup 100 missing"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("R's faults with every entry off (-want +got):\n%s", diff)
	}
	if got := effects(o); len(got) != 0 {
		t.Errorf("O is not in the group but has faults %q", got)
	}

	d.retryStatics() // everything goes on
	if got := effects(r); len(got) != 0 {
		t.Errorf("R's faults after the retry: %q, want none", got)
	}
}

// TestTrackGroupLinkBack: when the interface of static entries comes up
// again, its addresses and routes are put back (the kernel flushed the
// routes with the link); rules, which stay, are not touched unless they
// failed, and no_track entries are left alone.
func TestTrackGroupLinkBack(t *testing.T) {
	fake := &systemtest.Routing{}
	d := &Daemon{log: slog.New(slog.DiscardHandler), rtes: routeState{r: fake}}
	d.conf = loadTrackGroup(t, "static_routes {\n 10.1.0.0/16 dev eth2 track_group G\n 10.2.0.0/16 dev eth2\n 10.3.0.0/16 dev eth2 no_track\n 10.4.0.0/16 dev eth3\n}\n"+
		"static_rules {\n from 10.5.0.0/16 table 100 preference 10 iif eth2\n}\n")
	d.startStatics()
	fake.Reset()

	eth2 := system.Link{Name: "eth2", Index: 7}
	d.staticLinkChanged(system.LinkEvent{Link: eth2})                                // up, never seen down: nothing to do
	d.staticLinkChanged(system.LinkEvent{Link: system.Link{Name: "eth2", Index: 7}}) // down
	eth2.Up = true
	d.staticLinkChanged(system.LinkEvent{Link: eth2}) // up again
	d.staticLinkChanged(system.LinkEvent{Link: eth2}) // still up: nothing more
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
	for _, e := range d.rtes.statics {
		if e.rule != nil {
			e.on = false
		}
	}
	d.staticLinkChanged(system.LinkEvent{Link: eth2})
	got = nil
	for _, c := range fake.Calls() {
		got = append(got, c.String())
	}
	if diff := cmp.Diff([]string{"AddRule[pref 10 from 10.5.0.0/16 iif eth2 lookup 100]"}, got); diff != "" {
		t.Errorf("calls for a failed rule (-want +got):\n%s", diff)
	}
}
