package e2e

import (
	"context"
	"net"
	"net/netip"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/control"
	"github.com/gokeepalived/gokeepalived/internal/lab"
)

// subsystemsConf has both halves: a lone MASTER holding 192.168.1.50 and a
// virtual server whose real server (host rs, 192.168.1.3:8080) a
// TCP_CHECK probes every second.
var subsystemsConf = `global_defs {
    router_id a
    lvs_backend nftables
}
` + masterInst("VI_1", 51, "192.168.1.50/24", "") + `virtual_server 192.168.1.60 80 {
    protocol TCP
    lb_algo rr
    lb_kind NAT
    delay_loop 1
    real_server 192.168.1.3 8080 {
        TCP_CHECK {
            connect_timeout 1
        }
    }
}
`

// TestSubsystemFlags runs the binary with keepalived's -P (--vrrp: only
// the VRRP process) and then -C (--check: only the checker process) on a
// configuration that has both halves. keepalived starts only the one
// child process: with -P the checker never runs (no IPVS, no probe), with
// -C no vrrp_instance runs (no advert, no VIP).
func TestSubsystemFlags(t *testing.T) {
	needRoot(t)
	t.Parallel()
	l := lab.New(t, lab.Spec{Hosts: lab.Hosts("a", "rs")})
	a, rs := l.Host("a"), l.Host("rs")
	vip := netip.MustParseAddr("192.168.1.50")
	var probes atomic.Int64 // connections the checker made to the real server
	var ln net.Listener
	if err := rs.Do(func() (err error) { ln, err = net.Listen("tcp", ":8080"); return err }); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			probes.Add(1)
			c.Close()
		}
	}()
	lvsTable := func() string {
		out, err := a.Exec(context.Background(), "nft", "list", "tables")
		if err != nil {
			t.Fatalf("nft list tables: %v: %s", err, out)
		}
		return out
	}
	stop := func(n *node) {
		n.signal(t, syscall.SIGTERM)
		n.wait(t, 15*time.Second)
	}

	// -P: VRRP only.
	p := newNode(t, a, subsystemsConf)
	p.extras = []string{"-P"}
	p.start(t)
	waitInstance(t, p, "VI_1", control.StateMaster, 100, 10*time.Second)
	if !hasAddr(t, a, vip) {
		t.Errorf("-P: master without its VIP %s", vip)
	}
	// Three delay_loops: a running checker would have probed by now
	// (its first check is within 1 s of the start).
	time.Sleep(3 * time.Second)
	if s := statusJSON(t, p); s.LVS != nil {
		t.Errorf("-P: status shows an LVS half: %+v", *s.LVS)
	}
	if n := probes.Load(); n != 0 {
		t.Errorf("-P: the real server was probed %d times, want 0", n)
	}
	if tabs := lvsTable(); strings.Contains(tabs, "gokeepalived_lvs") {
		t.Errorf("-P: LVS table installed:\n%s", tabs)
	}
	stop(p)
	if out := p.proc.Output(); strings.Contains(out, "TCP_CHECK") || strings.Contains(out, "LVS") {
		t.Errorf("-P: log mentions the checker or LVS:\n%s", tail(out, 30))
	}

	// -C: the checker only, on the same configuration.
	c := newNode(t, a, subsystemsConf)
	c.extras = []string{"-C"}
	c.start(t)
	eventually(t, 10*time.Second, "-C: the real server probed and up", func() (bool, string) {
		services, up := lvsServices(t, c)
		return probes.Load() > 0 && services == 1 && up == 1, sprintf("%d probes, %d services, %d up", probes.Load(), services, up)
	})
	if tabs := lvsTable(); !strings.Contains(tabs, "gokeepalived_lvs") {
		t.Errorf("-C: no LVS table installed:\n%s", tabs)
	}
	if s := statusJSON(t, c); len(s.Instances) != 0 {
		t.Errorf("-C: status shows %d VRRP instances, want none", len(s.Instances))
	}
	if hasAddr(t, a, vip) {
		t.Errorf("-C: VIP %s added without VRRP", vip)
	}
	stop(c)
	if out := c.proc.Output(); strings.Contains(out, "VI_1") {
		t.Errorf("-C: log mentions the vrrp_instance:\n%s", tail(out, 30))
	}
}
