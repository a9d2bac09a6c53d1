package e2e

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/control"
	"github.com/gokeepalived/gokeepalived/internal/lab"
)

// TestTrackProcessConnectorFallback: a daemon in a lab host runs in a
// network namespace of its own, where the kernel's process events
// connector cannot be reached (its kernel socket lives in the initial
// namespace only). The daemon says so once, at start, and vrrp_track_process
// still works through the /proc poll.
func TestTrackProcessConnectorFallback(t *testing.T) {
	needRoot(t)
	t.Parallel()
	l := lab.New(t, lab.Spec{Hosts: lab.Hosts("a")})
	a := l.Host("a")
	arg := fmt.Sprintf("%d.%d", 30000+rand.IntN(10000), rand.IntN(1000000))
	n := newNode(t, a, sprintf(`
vrrp_track_process svc {
    process sleep %s
    weight 20
}
`+masterInst("VI_1", 56, "192.168.1.56", trackBlock("track_process", "svc"))+`
`, arg))
	n.start(t)
	waitInstance(t, n, "VI_1", control.StateMaster, 100, 10*time.Second)
	p, err := n.host.Start(n.host.Command(context.Background(), "sleep", arg))
	if err != nil {
		t.Fatal(err)
	}
	waitInstance(t, n, "VI_1", control.StateMaster, 120, 8*time.Second)
	p.Signal(9)
	waitInstance(t, n, "VI_1", control.StateMaster, 100, 8*time.Second)

	if c := logCount(n, "process events connector unavailable"); c != 1 {
		t.Errorf("connector fallback reported %d times, want once", c)
	}
	if c := logCount(n, "connection refused"); c != 1 {
		t.Errorf("reason (connection refused) given %d times, want once", c)
	}
	if c := logCount(n, "tracking processes through the kernel's process events connector"); c != 0 {
		t.Errorf("connector reported in use %d times inside a network namespace, want 0", c)
	}
}
