package trackers

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/track"
)

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
