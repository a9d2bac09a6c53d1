package director

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// TestManyFailingAllDown: a thousand real servers failing at once all
// end DOWN and out of the plane, in a few plane changes rather than one
// per server (each change rebuilds the nftables table).
func TestManyFailingAllDown(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var rs strings.Builder
		for i := range 1000 {
			fmt.Fprintf(&rs, "  real_server 10.99.%d.%d 80 {\n    TCP_CHECK {\n      connect_timeout 1\n      warmup 0\n    }\n  }\n", i/250, 1+i%250)
		}
		conf := loadConf(t, "virtual_server 10.0.0.100 80 {\n  protocol TCP\n  lb_algo rr\n  lb_kind NAT\n  delay_loop 5\n"+rs.String()+"}\n")
		l := start(t, conf, false)
		defer l.d.Stop(time.Second)
		l.mu.Lock()
		for i := range 1000 {
			l.down[netip.MustParseAddr(fmt.Sprintf("10.99.%d.%d", i/250, 1+i%250))] = true
		}
		l.mu.Unlock()
		wait(30 * time.Second)
		up := 0
		for _, r := range l.d.Status().VirtualServers[0].RealServers {
			if r.Up {
				up++
			}
		}
		if up != 0 || len(l.dests()) != 0 {
			t.Errorf("after 30 s: %d of 1000 real servers up, %d in the plane; want none", up, len(l.dests()))
		}
		l.mu.Lock()
		applies := len(l.states)
		l.mu.Unlock()
		if applies > 100 {
			t.Errorf("%d plane changes for 1000 servers failing together, want a few", applies)
		}
	})
}
