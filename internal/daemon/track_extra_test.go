package daemon

import (
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/system"
	"github.com/gokeepalived/gokeepalived/internal/track"
)

func TestTrackWeight(t *testing.T) {
	grp := &config.SyncGroup{Name: "G"}
	grpW := &config.SyncGroup{Name: "G", SyncGroupTrackingWeight: true}
	tests := []struct {
		name string
		ref  config.TrackRef
		def  config.Weight
		g    *config.SyncGroup
		want track.Weight
	}{
		{"tracker's weight", config.TrackRef{Name: "f"}, config.Weight{Value: -10}, nil, track.Weight{Value: -10}},
		{"reference overrides", config.TrackRef{Name: "f", Weight: config.Weight{Value: 5, Reverse: true, Set: true}},
			config.Weight{Value: -10}, nil, track.Weight{Value: 5, Reverse: true}},
		{"reference weight 0 overrides", config.TrackRef{Name: "f", Weight: config.Weight{Set: true}},
			config.Weight{Value: -10}, nil, track.Weight{}},
		{"sync group ignores weights", config.TrackRef{Name: "f"}, config.Weight{Value: -10}, grp, track.Weight{}},
		{"sync_group_tracking_weight keeps them", config.TrackRef{Name: "f"}, config.Weight{Value: -10}, grpW, track.Weight{Value: -10}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, trackWeight(tt.ref, tt.def, tt.g)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestTrackProcessConversion(t *testing.T) {
	tests := []struct {
		in   config.ParamMatch
		want track.ParamMatch
	}{
		{0, 0},
		{config.ParamMatchExact, track.ParamMatchExact},
		{config.ParamMatchPartial, track.ParamMatchPartial},
		{config.ParamMatchInitial, track.ParamMatchInitial},
	}
	for _, tt := range tests {
		p := trackProcess(&config.TrackProcess{Name: "p", Process: "sleep", Params: []string{"1"}, ParamMatch: tt.in, Quorum: 2})
		want := track.Process{Name: "p", Command: "sleep", Params: []string{"1"}, ParamMatch: tt.want, Quorum: 2}
		if diff := cmp.Diff(want, p); diff != "" {
			t.Errorf("param_match %v (-want +got):\n%s", tt.in, diff)
		}
	}
}

// sysVIP carries every virtual_ipaddress option to the system layer.
func TestSysVIP(t *testing.T) {
	lft := 0
	v := config.VIP{Prefix: netip.MustParsePrefix("2001:db8::1/64"), Scope: "link", Label: "x", NoDAD: true,
		NoPrefixRoute: true, Home: true, MngTmpAddr: true, AutoJoin: true, PreferredLft: &lft}
	got := sysVIP(v, 7)
	zero := uint32(0)
	want := system.VIP{Prefix: v.Prefix, Ifindex: 7, Scope: system.ScopeLink, Label: "x", NoDAD: true,
		NoPrefixRoute: true, Home: true, MngTmpAddr: true, AutoJoin: true, PreferredLft: &zero}
	if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b netip.Prefix) bool { return a == b }),
		cmp.Comparer(func(a, b netip.Addr) bool { return a == b })); diff != "" {
		t.Errorf("sysVIP (-want +got):\n%s", diff)
	}
}
