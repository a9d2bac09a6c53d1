package metrics

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gokeepalived/gokeepalived/internal/control"
)

// TestTransitionSeriesAreSmall: the transitions counter keeps what a
// thousand instances' first failover adds (four series each) in under
// 100 bytes a series of live heap; a prometheus.CounterVec child took
// 640. Each instance's series stay for the daemon's life, so they count
// in its memory per instance.
func TestTransitionSeriesAreSmall(t *testing.T) {
	m, err := New(prometheus.NewRegistry(), control.SourceFunc(snapshot))
	if err != nil {
		t.Fatal(err)
	}
	names := make([]string, 1000)
	for i := range names {
		names[i] = fmt.Sprint("VI_", i)
	}
	steps := [][2]control.State{{control.StateInit, control.StateBackup}, {control.StateBackup, control.StateMaster},
		{control.StateMaster, control.StateFault}, {control.StateFault, control.StateBackup}}
	live := func() uint64 {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	before := live()
	for _, s := range steps {
		for _, n := range names {
			m.Transition(n, s[0], s[1])
		}
	}
	after := live()
	series := len(names) * len(steps)
	per := float64(after-min(after, before)) / float64(series)
	t.Logf("%.0f bytes of live heap per series", per)
	if per >= 100 {
		t.Errorf("%.0f bytes of live heap per transitions series, want under 100", per)
	}
	runtime.KeepAlive(m)
}
