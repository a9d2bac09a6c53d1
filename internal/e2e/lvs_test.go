package e2e

import (
	"fmt"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/lab"
)

// The LVS lab: one LAN, two subnets. The client (10.0.1.2) asks the VIP
// 10.0.1.100:80; two directors share it (and the real servers' gateway
// 192.168.1.254) by VRRP and balance it over three real web servers
// (192.168.1.11-13:8080, a fourth added by reload) through the nftables
// plane in NAT mode; the sorry server (192.168.1.20) answers when the
// quorum is lost.
const lvsConf = `global_defs {
    router_id @ROUTER@
    enable_script_security
    script_user root
    lvs_backend nftables
}
vrrp_instance VI_1 {
    state BACKUP
    interface eth1
    virtual_router_id 61
    priority @PRIO@
    advert_int 1
    virtual_ipaddress {
        10.0.1.100/24
        192.168.1.254/24
    }
}
virtual_server 10.0.1.100 80 {
    protocol TCP
    lb_algo rr
    lb_kind NAT
    delay_loop 1
    ha_suspend
    quorum_up "@DIR@/quorum.sh up"
    quorum_down "@DIR@/quorum.sh down"
    sorry_server 192.168.1.20 8080
@RS@}
`

const lvsRS = `    real_server 192.168.1.%d 8080 {
        TCP_CHECK {
            connect_timeout 1
            retry 1
            delay_before_retry 1
        }
    }
`

// lvsBound is delay_loop + (retry+1)·connect_timeout + retry·delay_before_retry.
const lvsBound = 4 * time.Second

func lvsText(router string, prio, servers int) string {
	var rs strings.Builder
	for i := range servers {
		fmt.Fprintf(&rs, lvsRS, 11+i)
	}
	r := strings.NewReplacer("@ROUTER@", router, "@PRIO@", fmt.Sprint(prio), "@RS@", rs.String())
	return r.Replace(lvsConf)
}

type lvsLab struct {
	client *lab.Host
	d1, d2 *node
	web    map[string]*webServer
	http   *http.Client
}

// ask sends n requests to the VIP, each on a new connection, and counts
// the answers per server; failures are counted under "".
func (l *lvsLab) ask(n int) map[string]int {
	got := map[string]int{}
	for range n {
		name, err := lab.Fetch(l.http, "http://10.0.1.100/")
		if err != nil {
			name = ""
		}
		got[name]++
	}
	return got
}

func newLVSLab(t *testing.T) *lvsLab {
	needRoot(t)
	hosts := []lab.HostSpec{
		{Name: "client", Addrs: []netip.Prefix{netip.MustParsePrefix("10.0.1.2/24")}},
		{Name: "d1", Addrs: []netip.Prefix{netip.MustParsePrefix("10.0.1.1/24"), netip.MustParsePrefix("192.168.1.1/24")}},
		{Name: "d2", Addrs: []netip.Prefix{netip.MustParsePrefix("10.0.1.3/24"), netip.MustParsePrefix("192.168.1.3/24")}},
		{Name: "sorry", Addrs: []netip.Prefix{netip.MustParsePrefix("192.168.1.20/24")}},
	}
	lb := lab.New(t, lab.Spec{Hosts: append(hosts, realServerHosts(4)...)})
	run := func(h *lab.Host, args ...string) { t.Helper(); hostRun(t, h, args...) }
	l := &lvsLab{client: lb.Host("client"), web: map[string]*webServer{}}
	l.http = l.client.HTTPClient(2 * time.Second)
	for _, n := range []string{"sorry", "rs1", "rs2", "rs3", "rs4"} {
		h := lb.Host(n)
		run(h, "ip", "route", "add", "default", "via", "192.168.1.254")
		l.web[n] = &webServer{h: h}
	}
	for _, n := range []string{"sorry", "rs1", "rs2", "rs3"} {
		l.web[n].start(t)
	}
	t.Cleanup(func() {
		for _, w := range l.web {
			w.stop()
		}
	})
	for i, d := range []**node{&l.d1, &l.d2} {
		h := lb.Host(fmt.Sprintf("d%d", i+1))
		run(h, "sysctl", "-qw", "net.ipv4.ip_forward=1", "net.ipv4.conf.all.send_redirects=0", "net.ipv4.conf.eth1.send_redirects=0")
		*d = newNode(t, h, lvsText(h.Name, 150-50*i, 3))
		script := "#!/bin/sh\necho \"$1\" >> " + filepath.Join((*d).dir, "quorum.log") + "\n"
		if err := os.WriteFile(filepath.Join((*d).dir, "quorum.sh"), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
		(*d).start(t)
	}
	return l
}

func quorumLog(t *testing.T, n *node) string {
	b, _ := os.ReadFile(filepath.Join(n.dir, "quorum.log"))
	return string(b)
}

// services returns how many kernel services n installed and how many of
// its real servers are up, from its status.
func lvsServices(t *testing.T, n *node) (services, up int) {
	s := statusJSON(t, n)
	if s.LVS == nil || len(s.LVS.VirtualServers) == 0 {
		return -1, -1
	}
	v := s.LVS.VirtualServers[0]
	for _, r := range v.RealServers {
		if r.Up {
			up++
		}
	}
	return v.Services, up
}

// TestLVSDoneWhen is issue 15's done-when lab: real binaries, nftables
// plane, VRRP between two directors with ha_suspend.
func TestLVSDoneWhen(t *testing.T) {
	t.Parallel() // its own lab; overlaps with the other labs
	l := newLVSLab(t)
	vip := netip.MustParseAddr("10.0.1.100")
	waitPlacement(t, 15*time.Second, map[netip.Addr]string{vip: "d1"}, l.d1.host, l.d2.host)
	eventually(t, 10*time.Second, "d1 balancing, d2 suspended", func() (bool, string) {
		s1, up1 := lvsServices(t, l.d1)
		s2, up2 := lvsServices(t, l.d2)
		return s1 == 1 && up1 == 3 && s2 == 0 && up2 == 3, fmt.Sprintf("d1 %d services %d up; d2 %d services %d up", s1, up1, s2, up2)
	})

	// rr: 30 requests, 10 to each server.
	if got := l.ask(30); got["rs1"] != 10 || got["rs2"] != 10 || got["rs3"] != 10 {
		t.Fatalf("rr spread %v, want 10 each", got)
	}

	// A killed real server leaves the pool within the checker bound and
	// comes back once its check passes.
	l.web["rs2"].stop()
	killed := time.Now()
	var gone time.Duration
	eventually(t, lvsBound+3*time.Second, "rs2 out of the pool", func() (bool, string) {
		got := l.ask(6)
		if got[""] == 0 && got["rs2"] == 0 {
			gone = time.Since(killed)
			return true, ""
		}
		return false, fmt.Sprint(got)
	})
	t.Logf("measured: a killed real server stopped getting new connections %v after it died (bound %v + one probe round)", gone.Round(time.Millisecond), lvsBound)
	l.web["rs2"].start(t)
	eventually(t, 5*time.Second, "rs2 back", func() (bool, string) {
		got := l.ask(6)
		return got["rs2"] > 0 && got[""] == 0, fmt.Sprint(got)
	})

	// All down: the sorry server answers, quorum_down ran; back: quorum_up.
	for _, n := range []string{"rs1", "rs2", "rs3"} {
		l.web[n].stop()
	}
	eventually(t, lvsBound+3*time.Second, "sorry server answers", func() (bool, string) {
		got := l.ask(3)
		return got["sorry"] == 3, fmt.Sprint(got)
	})
	eventually(t, 3*time.Second, "quorum_down ran", func() (bool, string) {
		q := quorumLog(t, l.d1)
		return strings.Contains(q, "down"), q
	})
	for _, n := range []string{"rs1", "rs2", "rs3"} {
		l.web[n].start(t)
	}
	eventually(t, 5*time.Second, "pool back", func() (bool, string) {
		got := l.ask(6)
		return got["sorry"] == 0 && got[""] == 0 && len(got) == 3, fmt.Sprint(got)
	})
	if q := quorumLog(t, l.d1); !strings.HasSuffix(q, "down\nup\n") {
		t.Errorf("d1 quorum scripts ran %q, want down then up", q)
	}

	// Reload adds a fourth real server; no request fails meanwhile.
	l.web["rs4"].start(t)
	var failed, sent atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			got := l.ask(1)
			sent.Add(1)
			failed.Add(int64(got[""]))
		}
	})
	for _, d := range []*node{l.d1, l.d2} {
		d.writeConf(t, lvsText(d.host.Name, map[string]int{"d1": 150, "d2": 100}[d.host.Name], 4))
		d.signal(t, syscall.SIGHUP)
	}
	eventually(t, 10*time.Second, "rs4 receives requests", func() (bool, string) {
		n := l.web["rs4"].hits.Load()
		return n > 0, fmt.Sprint(n, " hits")
	})
	time.Sleep(time.Second)
	close(stop)
	wg.Wait()
	if failed.Load() != 0 {
		t.Errorf("reload: %d of %d requests failed, want none", failed.Load(), sent.Load())
	}
	t.Logf("reload: %d requests during the reload, %d failed", sent.Load(), failed.Load())

	// Director failover: d1 stops, d2 takes the VIP and balances.
	l.d1.signal(t, syscall.SIGTERM)
	l.d1.wait(t, 10*time.Second)
	waitPlacement(t, 10*time.Second, map[netip.Addr]string{vip: "d2"}, l.d1.host, l.d2.host)
	eventually(t, 10*time.Second, "d2 balances over four", func() (bool, string) {
		got := l.ask(8)
		return got[""] == 0 && len(got) == 4, fmt.Sprint(got)
	})
}
