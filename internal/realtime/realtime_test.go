package realtime

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gokeepalived/gokeepalived/internal/config"
)

// TestApply checks which calls each setting makes, in
// keepalived's order, and that a failure is logged and the rest go on.
func TestApply(t *testing.T) {
	u := func(v uint64) *uint64 { return &v }
	tests := []struct {
		name    string
		r       config.Realtime
		failRR  bool
		want    []string
		wantLog string
	}{
		{name: "none", r: config.Realtime{}},
		{name: "priority takes the default rttime", r: config.Realtime{Priority: 10},
			want: []string{"lockThread", "setRR 10", "rttime 10000", "watchXCPU"}},
		{name: "all", r: config.Realtime{Priority: 99, NoSwap: true, CPUs: []int{1}, RlimitRTTime: u(4000)},
			want: []string{"lockThread", "setRR 99", "rttime 4000", "watchXCPU", "lockMemory", "affinity [1]"}},
		{name: "rttime 0 leaves the limit", r: config.Realtime{Priority: 1, RlimitRTTime: u(0)},
			want: []string{"lockThread", "setRR 1"}},
		{name: "rttime alone does nothing", r: config.Realtime{RlimitRTTime: u(5000)}},
		{name: "failed priority: no rttime, the rest applied", r: config.Realtime{Priority: 5, NoSwap: true}, failRR: true,
			want: []string{"lockThread", "setRR 5", "lockMemory"}, wantLog: "cannot raise priority"},
	}
	saved := osCalls
	t.Cleanup(func() { osCalls = saved })
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			rec := func(s string) { got = append(got, s) }
			osCalls.lockThread = func() { rec("lockThread") }
			osCalls.setRR = func(p int) error {
				rec(fmt.Sprint("setRR ", p))
				if tt.failRR {
					return errors.New("EPERM")
				}
				return nil
			}
			osCalls.rttime = func(l uint64) error { rec(fmt.Sprint("rttime ", l)); return nil }
			osCalls.lockMemory = func() error { rec("lockMemory"); return nil }
			osCalls.affinity = func(c []int) error { rec(fmt.Sprint("affinity ", c)); return nil }
			osCalls.watchXCPU = func(chan<- os.Signal) { rec("watchXCPU") }
			var logs bytes.Buffer
			Apply(slog.New(slog.NewTextHandler(&logs, nil)), tt.r)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("calls (-want +got):\n%s", diff)
			}
			if !strings.Contains(logs.String(), tt.wantLog) || (tt.wantLog == "" && logs.Len() > 0) {
				t.Errorf("log %q, want %q", logs.String(), tt.wantLog)
			}
		})
	}
}
