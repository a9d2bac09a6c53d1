package trackers

import (
	"runtime"
	"testing"
	"weak"

	"github.com/gokeepalived/gokeepalived/internal/config"
)

// TestGateLetsReplacedConfigGo: the gate is kept for the same
// configuration and rebuilt for a new one, and it does not keep the last
// configuration it was asked about alive: a daemon without scripts asks
// only at start, and through the gate every instance of the configuration
// it started with stayed in memory beside each reload's.
func TestGateLetsReplacedConfigGo(t *testing.T) {
	var g Gate
	old := &config.Config{Instances: []*config.Instance{{Name: "VI_1"}}}
	first := g.For(old)
	if g.For(old) != first {
		t.Error("For twice with the same configuration built a second gate")
	}
	gone := weak.Make(old)
	old = nil
	runtime.GC()
	if gone.Value() != nil {
		t.Error("a replaced configuration is still reachable through the gate")
	}
	if g.For(&config.Config{}) == first {
		t.Error("For with a new configuration kept the old gate")
	}
	runtime.KeepAlive(&g)
}
