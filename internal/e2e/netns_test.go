package e2e

import (
	"context"
	"net/netip"
	"path/filepath"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/lab"
)

// TestNamespaceFlag: -s NAME (keepalived's --namespace) and global_defs
// net_namespace run the daemon in that network namespace, whatever
// namespace it was started from. Started from host b, the daemon must
// hold its VIP in host a.
func TestNamespaceFlag(t *testing.T) {
	needRoot(t)
	t.Parallel()
	l := lab.New(t, lab.Spec{Hosts: lab.Hosts("a", "b")})
	a, b := l.Host("a"), l.Host("b")
	conf := func(global string) string {
		return `global_defs {
    router_id x
    ` + global + `
}
vrrp_instance X {
    state MASTER
    interface eth1
    virtual_router_id 61
    priority 255
    advert_int 1
    virtual_ipaddress {
        192.168.1.61
    }
}
`
	}
	for _, tt := range []struct {
		name, global string
		flag         []string
	}{
		{name: "-s", flag: []string{"-s", a.NS}},
		{name: "net_namespace", global: "net_namespace " + a.NS},
	} {
		t.Run(tt.name, func(t *testing.T) {
			n := newNode(t, b, conf(tt.global))
			args := append([]string{"-n", "-l", "-G", "-f", n.conf, "-p", n.pid, "--socket", filepath.Join(n.dir, "s")}, tt.flag...)
			p, err := b.Run(context.Background(), binary(t), args...)
			if err != nil {
				t.Fatal(err)
			}
			vip := netip.MustParseAddr("192.168.1.61")
			eventually(t, 8*time.Second, "VIP on a", func() (bool, string) {
				return hasAddr(t, a, vip), "not on a; daemon output: " + tail(p.Output(), 5)
			})
			if hasAddr(t, b, vip) {
				t.Errorf("VIP also on b, where the daemon was started")
			}
			p.Signal(15)
			select {
			case <-p.Done():
			case <-time.After(5 * time.Second):
				t.Fatal("daemon did not stop")
			}
			eventually(t, 3*time.Second, "VIP gone from a", func() (bool, string) { return !hasAddr(t, a, vip), "still there" })
		})
	}
}
