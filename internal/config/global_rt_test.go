package config

import (
	"runtime"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRealtimeKeywords(t *testing.T) {
	u := func(v uint64) *uint64 { return &v }
	lastCPU := strconv.Itoa(runtime.NumCPU() - 1)
	tests := []struct {
		name, in string
		want     Realtime
		limit    uint64
		errs     int
	}{
		{name: "absent", in: "router_id x", limit: 10000},
		{name: "all four", in: "vrrp_rt_priority 30\nvrrp_no_swap\nvrrp_cpu_affinity 0 " + lastCPU + "\nvrrp_rlimit_rttime 20000",
			want: Realtime{Priority: 30, NoSwap: true, CPUs: []int{0, runtime.NumCPU() - 1}, RlimitRTTime: u(20000)}, limit: 20000},
		{name: "priority clamped low", in: "vrrp_rt_priority 0", want: Realtime{Priority: 1}, limit: 10000, errs: 1},
		{name: "priority clamped high", in: "vrrp_rt_priority 150", want: Realtime{Priority: 99}, limit: 10000, errs: 1},
		{name: "priority not a number", in: "vrrp_rt_priority x", limit: 10000, errs: 1},
		{name: "cpu out of range drops the set", in: "vrrp_cpu_affinity 0 " + strconv.Itoa(runtime.NumCPU()), limit: 10000, errs: 1},
		{name: "rttime 1 becomes 2", in: "vrrp_rlimit_rttime 1", want: Realtime{RlimitRTTime: u(2)}, limit: 2},
		{name: "bad rttime turns the limit off", in: "vrrp_rlimit_rttime 0", want: Realtime{RlimitRTTime: u(0)}, limit: 0, errs: 1},
		{name: "old spelling", in: "vrrp_rlimit_rtime 5000", want: Realtime{RlimitRTTime: u(5000)}, limit: 5000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, diags := LoadBytes("t.conf", []byte("global_defs {\n"+tt.in+"\n}\n"), Options{ConfigID: "x"})
			errs := 0
			for _, d := range diags {
				if d.Severity == SeverityError {
					errs++
				}
			}
			if errs != tt.errs {
				t.Errorf("%d errors, want %d: %v", errs, tt.errs, diags)
			}
			if diff := cmp.Diff(tt.want, cfg.Global.Realtime); diff != "" {
				t.Errorf("Realtime (-want +got):\n%s", diff)
			}
			if got := cfg.Global.Realtime.RTTimeLimit(); got != tt.limit {
				t.Errorf("RTTimeLimit = %d, want %d", got, tt.limit)
			}
			for _, n := range cfg.NoEffect {
				t.Errorf("%s is listed as having no effect", n.Keyword)
			}
		})
	}
}
