package e2e

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/lab"
)

// One director running the checker only (-C, no VRRP), balancing its own
// address 10.0.1.1:80 over three real servers with the nftables plane.
const lvsAlgoConf = `global_defs {
    router_id d1
    lvs_backend nftables
    smtp_server 127.0.0.1 @SMTP@
    notification_email {
        ops@example.com
    }
}
virtual_server 10.0.1.1 80 {
    protocol TCP
    lb_algo @ALGO@
    lb_kind NAT
    delay_loop 1
    smtp_alert
    quorum 6
    real_server 192.168.1.11 8080 {
        weight 3
        TCP_CHECK {
            connect_timeout 1
        }
    }
    real_server 192.168.1.12 8080 {
        weight 2
        TCP_CHECK {
            connect_timeout 1
        }
    }
    real_server 192.168.1.13 8080 {
        weight 1
        TCP_CHECK {
            connect_timeout 1
        }
    }
}
`

// TestLVSAlgoAndKeep runs the real binary with -C -I: lb_algo wrr
// spreads by weight (3:2:1), a reload to sh keeps one client on one
// server, a killed real server and the quorum lost with it are mailed
// (smtp_alert, keepalived's subjects), and after the daemon exits the
// balancer still forwards, as keepalived's --dont-release-ipvs leaves
// IPVS in place.
func TestLVSAlgoAndKeep(t *testing.T) {
	t.Parallel() // its own lab; overlaps with the other labs
	needRoot(t)
	hosts := []lab.HostSpec{
		{Name: "client", Addrs: []netip.Prefix{netip.MustParsePrefix("10.0.1.2/24")}},
		{Name: "d1", Addrs: []netip.Prefix{netip.MustParsePrefix("10.0.1.1/24"), netip.MustParsePrefix("192.168.1.1/24")}},
	}
	lb := lab.New(t, lab.Spec{Hosts: append(hosts, realServerHosts(3)...)})
	var web []*webServer
	for i := range 3 {
		h := lb.Host(fmt.Sprintf("rs%d", i+1))
		hostRun(t, h, "ip", "route", "add", "default", "via", "192.168.1.1")
		w := &webServer{h: h}
		w.start(t)
		t.Cleanup(w.stop)
		web = append(web, w)
	}
	d1 := lb.Host("d1")
	sink := startMailSink(t, d1)
	conf := func(algo string) string {
		return strings.NewReplacer("@ALGO@", algo, "@SMTP@", fmt.Sprint(sink.port())).Replace(lvsAlgoConf)
	}
	hostRun(t, d1, "sysctl", "-qw", "net.ipv4.ip_forward=1")
	client := lb.Host("client").HTTPClient(2 * time.Second)
	ask := func(n int) map[string]int {
		got := map[string]int{}
		for range n {
			name, err := lab.Fetch(client, "http://10.0.1.1/")
			if err != nil {
				name = ""
			}
			got[name]++
		}
		return got
	}

	d := newNode(t, d1, conf("wrr"))
	d.extras = []string{"-C", "-I"}
	d.start(t)
	eventually(t, 10*time.Second, "three real servers up", func() (bool, string) {
		s, up := lvsServices(t, d)
		return s == 1 && up == 3, fmt.Sprintf("%d services, %d up", s, up)
	})

	// wrr 3:2:1 over 60 new connections: 30/20/10, within 2.
	got := ask(60)
	for name, want := range map[string]int{"rs1": 30, "rs2": 20, "rs3": 10} {
		if got[name] < want-2 || got[name] > want+2 {
			t.Errorf("wrr spread %v, want about 30/20/10", got)
			break
		}
	}

	// sh: one client, always the same server.
	d.writeConf(t, conf("sh"))
	d.signal(t, syscall.SIGHUP)
	eventually(t, 10*time.Second, "sh installed", func() (bool, string) {
		got := ask(10)
		return len(got) == 1 && got[""] == 0, fmt.Sprint(got)
	})
	if got := ask(20); len(got) != 1 || got[""] != 0 {
		t.Errorf("sh sent one client's connections to %v, want one server", got)
	}

	// smtp_alert: the virtual server's quorum (on by its smtp_alert) and
	// its real servers (on by keepalived's default).
	web[2].stop()
	const rsDown = "[d1] Realserver [192.168.1.13]:tcp:8080 of virtual server [10.0.1.1]:tcp:80 - DOWN | => CHECK failed on service <="
	const quorumDown = "[d1] Virtualserver [10.0.1.1]:tcp:80 - DOWN | => Lost quorum 6+0=6 <= 5 <="
	eventually(t, 10*time.Second, "real server DOWN and quorum loss mailed", func() (bool, string) {
		sink.mu.Lock()
		defer sink.mu.Unlock()
		return slices.Contains(sink.mails, rsDown) && slices.Contains(sink.mails, quorumDown), strings.Join(sink.mails, " || ")
	})

	// -I: the balancer stays after the daemon exits.
	d.signal(t, syscall.SIGTERM)
	d.wait(t, 10*time.Second)
	if got := ask(6); got[""] != 0 || got["rs3"] != 0 {
		t.Errorf("after exit with -I: %v, want every request still balanced", got)
	}
	if out, err := d1.Exec(context.Background(), "nft", "list", "tables"); err == nil && !strings.Contains(out, "gokeepalived_lvs") {
		t.Errorf("after exit with -I the plane's table is gone:\n%s", out)
	}
}

// realServerHosts are the lab's real servers rs1..rsN at 192.168.1.11...
func realServerHosts(n int) []lab.HostSpec {
	var hosts []lab.HostSpec
	for i := range n {
		hosts = append(hosts, lab.HostSpec{Name: fmt.Sprintf("rs%d", i+1),
			Addrs: []netip.Prefix{netip.PrefixFrom(netip.AddrFrom4([4]byte{192, 168, 1, byte(11 + i)}), 24)}})
	}
	return hosts
}

// hostRun runs a command on h, failing the test when it fails.
func hostRun(t *testing.T, h *lab.Host, args ...string) {
	t.Helper()
	if out, err := h.Exec(context.Background(), args[0], args[1:]...); err != nil {
		t.Fatalf("%s: %s: %v\n%s", h.Name, strings.Join(args, " "), err, out)
	}
}
