package daemon

import (
	"errors"
	"log/slog"
	"slices"
	"testing"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/config/configtest"
	"github.com/gokeepalived/gokeepalived/internal/dynif"
	"github.com/gokeepalived/gokeepalived/internal/effect"
	"github.com/gokeepalived/gokeepalived/internal/route"
	"github.com/gokeepalived/gokeepalived/internal/system"
	"github.com/gokeepalived/gokeepalived/internal/system/systemtest"
	"github.com/gokeepalived/gokeepalived/internal/vinst"
	"github.com/google/go-cmp/cmp"
)

// TestTrackGroupMissingEntry: a tracked static entry that is not on holds
// the group's instances (and only them) in FAULT until a retry puts it on;
// an untracked or no_track entry that fails faults no one.
func TestTrackGroupMissingEntry(t *testing.T) {
	fake := &systemtest.Routing{}
	d := &Daemon{log: slog.New(slog.DiscardHandler)}
	withLinks(t, d)
	d.fx.rtes = route.New(route.Config{Routing: fake, Lookup: d.lookupIface})
	// keepalived takes track_group only on routes with dev and rules with iif.
	d.conf = configtest.TrackGroup(t, "static_routes {\n blackhole 10.1.0.0/16 dev lo track_group G\n blackhole 10.2.0.0/16 dev lo no_track track_group G\n blackhole 10.3.0.0/16\n}\n"+
		"static_rules {\n from 10.4.0.0/16 iif lo table 100 preference 10 track_group G\n}\n")
	r := &vinst.Instance{Conf: d.conf.Instance("R")}
	o := &vinst.Instance{Conf: d.conf.Instance("O")}
	effects := func(vi *vinst.Instance) []string {
		var out []string
		for k, e := range effect.Compute(d.conf, effect.Instance{Conf: vi.Conf, Iface: "lo", IfaceUp: true}, trackStates{d}) {
			if k.Kind != effect.GroupIfaceDown && k.Kind != effect.GroupStaticOff {
				continue
			}
			if !e.Fault || e.Delta != 0 {
				t.Errorf("effect %q = %+v, want a fault without weight", k, e)
			}
			out = append(out, k.String())
		}
		return out
	}

	notReady := errors.New("not ready")
	fake.Fail("AddRoute", notReady, notReady, notReady)
	fake.Fail("AddRule", notReady)
	d.routes().Start(d.conf)
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

	d.routes().RetryStatics() // everything goes on
	if got := effects(r); len(got) != 0 {
		t.Errorf("R's faults after the retry: %q, want none", got)
	}
}

// withLinks gives d a netlink link reader (read-only; it finds lo, up,
// ifindex 1), for static entries written with `dev lo`: keepalived tracks
// routes and rules only through an interface.
func withLinks(t *testing.T, d *Daemon) {
	t.Helper()
	links, err := system.NewLinks(nil)
	if err != nil {
		t.Skipf("netlink: %v", err)
	}
	t.Cleanup(func() { links.Close() })
	d.sys.links = links
	d.fx.ifs = dynif.New(dynif.Deps{Log: d.log, Links: links})
}

// loadConfText loads text as a keepalived.conf and fails on errors.
func loadConfText(t *testing.T, text string) *config.Config {
	t.Helper()
	return configtest.Load(t, text)
}
