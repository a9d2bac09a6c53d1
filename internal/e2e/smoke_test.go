package e2e

import (
	"net/netip"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/lab"
)

// pairConf is the seed's two instances with a file-driven check script.
const pairConf = `
vrrp_script chk {
    script "@DIR@/check.sh"
    interval 1
    weight -20
}
vrrp_instance X {
    state %s
    interface eth1
    virtual_router_id 80
    priority %d
    advert_int 1
    authentication {
        auth_type PASS
        auth_pass 1234
    }
    track_script {
        chk
    }
    virtual_ipaddress {
        192.168.1.6
    }
}
vrrp_instance Y {
    state %s
    interface eth1
    virtual_router_id 81
    priority %d
    advert_int 1
    authentication {
        auth_type PASS
        auth_pass 1234
    }
    track_script {
        chk
    }
    virtual_ipaddress {
        192.168.1.7
    }
}
`

var (
	vip6 = netip.MustParseAddr("192.168.1.6")
	vip7 = netip.MustParseAddr("192.168.1.7")
)

// writeCheck writes a check script that fails while @DIR@/down exists.
func writeCheck(t *testing.T, n *node) {
	t.Helper()
	s := "#!/bin/sh\n[ ! -e " + filepath.Join(n.dir, "down") + " ]\n"
	if err := os.WriteFile(filepath.Join(n.dir, "check.sh"), []byte(s), 0o755); err != nil {
		t.Fatal(err)
	}
}

func setDown(t *testing.T, n *node, down bool) {
	t.Helper()
	p := filepath.Join(n.dir, "down")
	if down {
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	os.Remove(p)
}

func TestDualMasterFailoverAndBack(t *testing.T) {
	needRoot(t)
	l := lab.New(t, lab.Spec{Hosts: lab.Hosts("a", "b")})
	a, b := l.Host("a"), l.Host("b")
	na := newNode(t, a, sprintf(pairConf, "MASTER", 100, "BACKUP", 90))
	nb := newNode(t, b, sprintf(pairConf, "BACKUP", 90, "MASTER", 100))
	writeCheck(t, na)
	writeCheck(t, nb)
	na.start(t)
	nb.start(t)
	waitPlacement(t, 10*time.Second, map[netip.Addr]string{vip6: "a", vip7: "b"}, a, b)

	setDown(t, na, true)
	waitPlacement(t, 5*time.Second, map[netip.Addr]string{vip6: "b", vip7: "b"}, a, b)
	setDown(t, na, false)
	waitPlacement(t, 5*time.Second, map[netip.Addr]string{vip6: "a", vip7: "b"}, a, b)

	na.signal(t, syscall.SIGTERM)
	na.wait(t, 5*time.Second)
	waitPlacement(t, 3*time.Second, map[netip.Addr]string{vip6: "b", vip7: "b"}, a, b)
}
