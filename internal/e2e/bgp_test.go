package e2e

import (
	"context"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/lab"
)

// The BGP lab (issue 16): FRR's bgpd and zebra in r (192.168.1.2, AS
// 65000, maximum-paths 4) with two gokeepalived nodes a (.3) and b (.4)
// as eBGP neighbors (AS 65001); c (.5) is a client whose route to
// 10.99.0.0/16 goes through r.

// bgpSpeakerConf is a node's global_defs with its bgp_speaker.
const bgpSpeakerConf = `global_defs {
    bgp_speaker {
        local_as 65001
        router_id @ME@
        hold_down 1
        neighbor 192.168.1.2 {
            remote_as 65000
            hold_time 3
            keepalive_time 1
        }
    }
}
`

const (
	anycastVIP = "10.99.0.1"
	ipA, ipB   = "192.168.1.3", "192.168.1.4"
)

// bgpLab builds r, a, b, c: FRR on r forwarding between the LAN's hosts,
// c routing 10.99.0.0/16 through r.
func bgpLab(t *testing.T) (*lab.Lab, *lab.FRR) {
	t.Helper()
	needRoot(t)
	l := lab.New(t, lab.Spec{Hosts: lab.Hosts("r", "a", "b", "c")})
	ctx := context.Background()
	r := l.Host("r")
	for _, kv := range []string{"net.ipv4.ip_forward=1", "net.ipv4.conf.all.send_redirects=0",
		"net.ipv4.conf.eth1.send_redirects=0", "net.ipv4.fib_multipath_hash_policy=1"} {
		if out, err := r.Exec(ctx, "sysctl", "-qw", kv); err != nil {
			t.Fatalf("%s: %v %s", kv, err, out)
		}
	}
	if out, err := l.Host("c").Exec(ctx, "ip", "route", "add", "10.99.0.0/16", "via", "192.168.1.2"); err != nil {
		t.Fatalf("client route: %v %s", err, out)
	}
	frr := r.MustStartFRR(t, lab.RouterConf("192.168.1.2", ipA, ipB))
	return l, frr
}

// bgpNode starts gokeepalived on h with the bgp_speaker and rest.
func bgpNode(t *testing.T, h *lab.Host, rest string) *node {
	t.Helper()
	conf := strings.ReplaceAll(bgpSpeakerConf, "@ME@", h.Addr(false).String()) + rest
	n := newNode(t, h, conf)
	n.start(t)
	return n
}

// anycastGroupConf tracks the local web server.
const anycastGroupConf = `vrrp_script chk_web {
    script "/usr/bin/curl -fsS -o /dev/null -m 1 http://127.0.0.1:8080/"
    interval 1
    fall 1
    rise 1
}
anycast_group WEB {
    virtual_ipaddress {
        10.99.0.1/32
    }
    track_script {
        chk_web
    }
}
`

// poll is one request of the client.
type poll struct {
	at   time.Time
	from string // the node that answered; "" on failure
}

// poller requests http://10.99.0.1:8080/ from c every 50 ms until stop.
func poller(c *lab.Host) (stop func() []poll) {
	client := c.HTTPClient(500 * time.Millisecond)
	done := make(chan struct{})
	out := make(chan []poll, 1)
	go func() {
		var ps []poll
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				out <- ps
				return
			case <-tick.C:
			}
			p := poll{at: time.Now()}
			if resp, err := client.Get("http://" + anycastVIP + ":8080/"); err == nil {
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				p.from = string(b)
			}
			ps = append(ps, p)
		}
	}()
	return func() []poll { close(done); return <-out }
}

// TestBGPAnycastFRR runs the real binary on two nodes announcing
// anycast_group 10.99.0.1/32 to FRR: two next hops at the router and a
// client answered by both nodes; a node's web server stopped (its
// track_script fails) withdraws its path, and a client polling every
// 50 ms loses no request after the withdrawal reached the router; the
// server back brings two next hops again. GK_BGP_ROUNDS repeats the
// failure for the measurement in docs/BENCHMARKS.md.
func TestBGPAnycastFRR(t *testing.T) {
	t.Parallel() // its own lab; overlaps with the other labs
	l, frr := bgpLab(t)
	ctx := context.Background()
	webA, webB := &webServer{h: l.Host("a")}, &webServer{h: l.Host("b")}
	webA.start(t)
	webB.start(t)
	na := bgpNode(t, l.Host("a"), anycastGroupConf)
	bgpNode(t, l.Host("b"), anycastGroupConf)
	if _, err := frr.WaitHops(ctx, 30*time.Second, anycastVIP+"/32", ipA, ipB); err != nil {
		t.Fatalf("both nodes announce: %v", err)
	}
	st := statusJSON(t, na)
	if st.BGP == nil || len(st.BGP.Neighbors) != 1 || st.BGP.Neighbors[0].State != "established" ||
		len(st.BGP.Prefixes) != 1 || st.BGP.Prefixes[0].Group != "WEB" {
		t.Errorf("a's status: %+v, want the session established and WEB's prefix announced", st.BGP)
	}
	if out, _ := cli(t, "status", "--socket", na.sock); !strings.Contains(out, "10.99.0.1/32") || !strings.Contains(out, "established") {
		t.Errorf("a's status table lacks the prefix or the session:\n%s", out)
	}

	stopPoll := poller(l.Host("c"))
	seen := map[string]bool{}
	for deadline := time.Now().Add(10 * time.Second); len(seen) < 2 && time.Now().Before(deadline); {
		time.Sleep(200 * time.Millisecond)
		ps := stopPoll()
		for _, p := range ps {
			seen[p.from] = p.from != ""
		}
		stopPoll = poller(l.Host("c"))
	}
	if !seen["a"] || !seen["b"] {
		t.Fatalf("the client was answered by %v, want both a and b", seen)
	}

	rounds := 1
	if v, err := strconv.Atoi(os.Getenv("GK_BGP_ROUNDS")); err == nil && v > 0 {
		rounds = v
	}
	var withdrawn, outage []time.Duration
	for range rounds {
		t0 := time.Now()
		webA.stop()
		if _, err := frr.WaitHops(ctx, 20*time.Second, anycastVIP+"/32", ipB); err != nil {
			t.Fatalf("a's web server stopped: %v", err)
		}
		t1 := time.Now()
		withdrawn = append(withdrawn, t1.Sub(t0))
		time.Sleep(2 * time.Second) // the client keeps polling b only
		ps := stopPoll()
		var lastFail time.Time
		for _, p := range ps {
			if p.from == "" && p.at.After(t0) {
				lastFail = p.at
			}
			if p.from == "" && p.at.After(t1) {
				t.Errorf("a request at +%v (withdrawal at the router at +%v) failed", p.at.Sub(t0), t1.Sub(t0))
			}
		}
		if !lastFail.IsZero() {
			outage = append(outage, lastFail.Sub(t0))
		} else {
			outage = append(outage, 0)
		}
		stopPoll = poller(l.Host("c"))
		webA.start(t)
		if _, err := frr.WaitHops(ctx, 20*time.Second, anycastVIP+"/32", ipA, ipB); err != nil {
			t.Fatalf("a's web server back: %v", err)
		}
	}
	stopPoll()
	t.Logf("measure: health failure -> withdrawn at the router: %s", durStats(withdrawn))
	t.Logf("measure: health failure -> last failed client request: %s", durStats(outage))
}

// durStats writes p50, p99 (the largest below 100 samples) and the
// samples.
func durStats(ds []time.Duration) string {
	s := slices.Clone(ds)
	slices.Sort(s)
	p := func(q float64) time.Duration { return s[min(len(s)-1, int(q*float64(len(s))))] }
	return "n=" + strconv.Itoa(len(s)) + " p50=" + p(0.5).Round(time.Millisecond).String() +
		" p99=" + p(0.99).Round(time.Millisecond).String() + " " + roundAll(ds)
}

func roundAll(ds []time.Duration) string {
	out := "["
	for i, d := range ds {
		if i > 0 {
			out += " "
		}
		out += d.Round(time.Millisecond).String()
	}
	return out + "]"
}

// TestBGPAnnounceVRRP: bgp_announce on a vrrp_instance puts only the
// MASTER's route in FRR's RIB, and a failover (SIGTERM of the master)
// moves it to the new master.
func TestBGPAnnounceVRRP(t *testing.T) {
	t.Parallel() // its own lab; overlaps with the other labs
	l, frr := bgpLab(t)
	ctx := context.Background()
	inst := func(prio int) string {
		return sprintf(`vrrp_instance VI_1 {
    interface eth1
    virtual_router_id 51
    priority %d
    advert_int 1
    virtual_ipaddress {
        10.99.1.1/32
    }
    bgp_announce
}
`, prio)
	}
	na := bgpNode(t, l.Host("a"), inst(150))
	nb := bgpNode(t, l.Host("b"), inst(100))
	if _, err := frr.WaitHops(ctx, 30*time.Second, "10.99.1.1/32", ipA); err != nil {
		t.Fatalf("a is master: %v", err)
	}
	// b, BACKUP, must not announce: its session is up, and the route has
	// one next hop.
	waitBGPEstablished(t, nb)
	if hops, err := frr.Hops(ctx, "10.99.1.1/32"); err != nil || !slices.Equal(hops, []string{ipA}) {
		t.Fatalf("with b's session up: next hops %v (%v), want only a", hops, err)
	}
	t0 := time.Now()
	na.signal(t, syscall.SIGTERM)
	if _, err := frr.WaitHops(ctx, 30*time.Second, "10.99.1.1/32", ipB); err != nil {
		t.Fatalf("after a's SIGTERM: %v", err)
	}
	t.Logf("measure: master SIGTERM -> route moved at the router: %v", time.Since(t0).Round(time.Millisecond))
	na.wait(t, 10*time.Second)
}

// waitBGPEstablished waits until n's only session is established.
func waitBGPEstablished(t *testing.T, n *node) {
	t.Helper()
	for range 100 {
		if st := statusJSON(t, n); st.BGP != nil && len(st.BGP.Neighbors) == 1 && st.BGP.Neighbors[0].State == "established" {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s: the BGP session never came up", n.host.Name)
}
