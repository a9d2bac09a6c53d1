package daemon

import (
	"net/netip"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/system"
	"github.com/gokeepalived/gokeepalived/internal/track"
)

func TestRefWeight(t *testing.T) {
	tests := []struct {
		name string
		ref  config.TrackRef
		def  config.Weight
		want track.Weight
	}{
		{"tracker's weight", config.TrackRef{Name: "f"}, config.Weight{Value: -10}, track.Weight{Value: -10}},
		{"reference overrides", config.TrackRef{Name: "f", Weight: config.Weight{Value: 5, Reverse: true, Set: true}},
			config.Weight{Value: -10}, track.Weight{Value: 5, Reverse: true}},
		{"reference weight 0 overrides", config.TrackRef{Name: "f", Weight: config.Weight{Set: true}},
			config.Weight{Value: -10}, track.Weight{}},
		{"reference weight 0 reverse", config.TrackRef{Name: "f", Weight: config.Weight{Reverse: true, Set: true}},
			config.Weight{Value: -10}, track.Weight{Reverse: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, refWeight(tt.ref, tt.def)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestSyncGroupExtraEffects: the effects of track_file and track_process
// on a sync group member follow keepalived's rule as the loader resolves
// it. The group's entries (tf, web) count with their weights in every
// member, with or without sync_group_tracking_weight; a member's own
// weighted entry (db) means FAULT unless sync_group_tracking_weight; a
// member with priority 255 turns the group's weights into FAULT too.
func TestSyncGroupExtraEffects(t *testing.T) {
	conf := func(groupExtra string, prioB int) string {
		return `track_file tf {
 file /run/tf
 weight 3
}
vrrp_track_process web {
 process nginx
 weight -30
}
vrrp_track_process db {
 process postgres
 weight -40
}
vrrp_instance A {
 interface eth0
 virtual_router_id 1
 virtual_ipaddress {
  10.0.0.1
 }
 track_process {
  db
 }
}
vrrp_instance B {
 interface eth0
 virtual_router_id 2
 priority ` + strconv.Itoa(prioB) + `
 virtual_ipaddress {
  10.0.0.2
 }
}
vrrp_sync_group G {
 group {
  A
  B
 }
 track_file {
  tf
 }
 track_process {
  web weight -25
 }
` + groupExtra + `}
`
	}
	tests := []struct {
		name  string
		extra string
		prioB int
		want  map[string]map[string]trackEffect // instance -> effects
	}{
		{"group weights count", "", 100, map[string]map[string]trackEffect{
			"A": {"track_file tf": {delta: 6}, "track_process web": {delta: -25}, "track_process db": {fault: true}},
			"B": {"track_file tf": {delta: 6}, "track_process web": {delta: -25}},
		}},
		{"sync_group_tracking_weight", " sync_group_tracking_weight\n", 100, map[string]map[string]trackEffect{
			"A": {"track_file tf": {delta: 6}, "track_process web": {delta: -25}, "track_process db": {delta: -40}},
			"B": {"track_file tf": {delta: 6}, "track_process web": {delta: -25}},
		}},
		{"address owner member", " sync_group_tracking_weight\n", 255, map[string]map[string]trackEffect{
			"A": {"track_file tf": {fault: true}, "track_process web": {fault: true}, "track_process db": {delta: -40}},
			"B": {"track_file tf": {fault: true}, "track_process web": {fault: true}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := loadText(t, conf(tt.extra, tt.prioB))
			d := &Daemon{conf: c, trk: trackers{
				files: map[string]*fileTracker{},
				procs: map[string]*procTracker{},
			}}
			for _, f := range c.TrackFiles {
				d.trk.files[f.Name] = &fileTracker{conf: f, value: 2}
			}
			for _, p := range c.TrackProcesses {
				d.trk.procs[p.Name] = &procTracker{conf: p, state: track.StateDown}
			}
			got := map[string]map[string]trackEffect{}
			for _, ci := range c.Instances {
				want := map[string]trackEffect{}
				d.extraEffects(&vinst{conf: ci}, want)
				got[ci.Name] = want
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(trackEffect{})); diff != "" {
				t.Errorf("effects (-want +got):\n%s", diff)
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
	v := config.VIP{Prefix: netip.MustParsePrefix("2001:db8::1/64"), Scope: 253, Label: "x", NoDAD: true,
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
