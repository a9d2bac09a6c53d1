package config

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// trackGroupInst is instance A (as inst) plus instance B.
func trackGroupInsts() string {
	return inst(" virtual_ipaddress {\n  10.0.0.1\n }\n") +
		"vrrp_instance B {\n interface eth0\n virtual_router_id 2\n virtual_ipaddress {\n  10.0.0.2\n }\n}\n"
}

// A track_group and the static entries naming it are modelled: the
// group's instances, and the group on each entry.
func TestTrackGroupModel(t *testing.T) {
	src := "track_group G {\n group {\n  A B\n }\n}\n" +
		"static_ipaddress {\n 10.1.0.1/24 dev eth2 track_group G\n 10.1.0.2/24 dev eth2\n}\n" +
		"static_routes {\n 10.2.0.0/16 via 10.1.0.254 dev eth2 track_group G\n}\n" +
		"static_rules {\n from 10.3.0.0/16 table 100 iif eth2 preference 100 track_group G\n}\n" + trackGroupInsts()
	cfg, diags := load1(t, src)
	if len(diags) != 0 {
		t.Fatalf("unexpected diagnostics: %q", diags)
	}
	if len(cfg.NoEffect) != 0 {
		t.Errorf("track_group listed as having no effect: %+v", cfg.NoEffect)
	}
	g := cfg.TrackGroup("G")
	if g == nil {
		t.Fatalf("group G not modelled: %+v", cfg.TrackGroups)
	}
	if diff := cmp.Diff([]string{"A", "B"}, g.Instances); diff != "" {
		t.Errorf("G's instances (-want +got):\n%s", diff)
	}
	got := []string{cfg.StaticAddresses[0].TrackGroup, cfg.StaticAddresses[1].TrackGroup,
		cfg.StaticRoutes[0].TrackGroup, cfg.StaticRules[0].TrackGroup}
	if diff := cmp.Diff([]string{"G", "", "G", "G"}, got); diff != "" {
		t.Errorf("track groups of address, address, route, rule (-want +got):\n%s", diff)
	}
	if p := cfg.StaticAddresses[0].TrackGroupPos; p.Line != 7 || p.Col != 35 {
		t.Errorf("address track_group position %d:%d, want 7:35", p.Line, p.Col)
	}
}

// The checks keepalived makes, with their positions and exit codes: group
// names are looked up while the static entry is read (so the group comes
// first), instances once the file is read (keepalived only logs those).
func TestTrackGroupChecks(t *testing.T) {
	group := "track_group G {\n group {\n  A\n }\n}\n"
	tests := []struct {
		name string
		in   string
		want []string
		exit int
		// groups are the groups left, tracked the track_group of the
		// first static address (if any).
		groups  []string
		tracked string
	}{
		{"unknown group", "static_ipaddress {\n 10.1.0.1/24 dev eth2 track_group NOPE\n}\n" + trackGroupInsts(),
			[]string{"2:35: error: track_group NOPE not found"}, 5, nil, ""},
		{"group defined after the entry", "static_ipaddress {\n 10.1.0.1/24 dev eth2 track_group G\n}\n" + group + trackGroupInsts(),
			[]string{"2:35: error: track_group G not found"}, 5, []string{"G"}, ""},
		{"duplicate option", group + "static_ipaddress {\n 10.1.0.1/24 dev eth2 track_group G track_group H\n}\n" + trackGroupInsts(),
			[]string{"7:49: error: track_group H is a duplicate, ignoring it"}, 5, []string{"G"}, "G"},
		{"unknown instance", "track_group G {\n group {\n  A NOPE\n }\n}\n" +
			"static_ipaddress {\n 10.1.0.1/24 dev eth2 track_group G\n}\n" + trackGroupInsts(),
			[]string{"3:5: warning: vrrp instance NOPE specified in track group G doesn't exist, ignoring it"}, 0, []string{"G"}, "G"},
		{"no instance left", "track_group G {\n group {\n  NOPE\n }\n}\n" +
			"static_ipaddress {\n 10.1.0.1/24 dev eth2 track_group G\n}\n" + trackGroupInsts(),
			[]string{"3:3: warning: vrrp instance NOPE specified in track group G doesn't exist, ignoring it",
				"1:13: warning: track group G has no VRRP instance(s), removing it"}, 0, nil, ""},
		{"no group block", "track_group G {\n}\nstatic_ipaddress {\n 10.1.0.1/24 dev eth2 track_group G\n}\n" + trackGroupInsts(),
			[]string{"1:13: error: track group G has no members, removing it", "4:35: error: track_group G not found"}, 5, nil, ""},
		{"empty group block", "track_group G {\n group {\n }\n}\n" + trackGroupInsts(),
			[]string{"2:2: warning: track group G has an empty group block", "1:13: error: track group G has no members, removing it"}, 5, nil, ""},
		{"defined twice", group + "track_group G {\n group {\n  B\n }\n}\n" + trackGroupInsts(),
			[]string{"6:13: error: track_group G already defined, skipping it"}, 5, []string{"G"}, ""},
		{"no name", "track_group {\n group {\n  A\n }\n}\n" + trackGroupInsts(),
			[]string{"1:12: error: track_group needs one name, skipping it"}, 5, nil, ""},
		{"with no_track", group + "static_ipaddress {\n 10.1.0.1/24 dev eth2 no_track track_group G\n}\n" + trackGroupInsts(),
			[]string{"7:44: warning: static address has both track_group and no_track set, not tracking"}, 0, []string{"G"}, "G"},
		{"on a virtual address", group + inst(" virtual_ipaddress {\n  10.0.0.1 track_group G\n }\n"),
			[]string{"10:24: error: track_group is only valid on static_ipaddress, static_routes and static_rules, ignoring it"}, 5, []string{"G"}, ""},
		{"on a virtual route", group + inst(" virtual_ipaddress {\n  10.0.0.1\n }\n virtual_routes {\n  10.9.0.0/16 dev eth0 track_group G\n }\n"),
			[]string{"13:36: error: track_group is only valid on static_ipaddress, static_routes and static_rules, ignoring it"}, 5, []string{"G"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, diags := load1(t, tt.in)
			if diff := cmp.Diff(tt.want, diags); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s", diff)
			}
			if code := ExitCode(cfg); code != tt.exit {
				t.Errorf("ExitCode = %d, want %d", code, tt.exit)
			}
			var groups []string
			for _, g := range cfg.TrackGroups {
				groups = append(groups, g.Name)
			}
			if diff := cmp.Diff(tt.groups, groups); diff != "" {
				t.Errorf("groups left (-want +got):\n%s", diff)
			}
			tracked := ""
			if len(cfg.StaticAddresses) > 0 {
				tracked = cfg.StaticAddresses[0].TrackGroup
			}
			if tracked != tt.tracked {
				t.Errorf("static address tracks %q, want %q", tracked, tt.tracked)
			}
			for _, in := range cfg.Instances {
				for _, v := range in.VIPs {
					if v.TrackGroup != "" {
						t.Errorf("virtual address %s keeps track_group %q", v.Prefix, v.TrackGroup)
					}
				}
				for _, r := range in.VirtualRoutes {
					if r.TrackGroup != "" {
						t.Errorf("virtual route %s keeps track_group %q", r.Dst, r.TrackGroup)
					}
				}
			}
		})
	}
}
