package e2e

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/control"
	"github.com/gokeepalived/gokeepalived/internal/lab"
)

// TestLVSMeasure records the LVS figures of docs/BENCHMARKS.md (never
// asserted): VRRP advert intervals, CPU and memory of the daemon while
// 1,000 and 10,000 real servers fail their checks (and with none, for
// comparison); how long a failed
// real server takes to leave the nftables plane; requests per second
// through the plane against straight to a real server. Root, and
// GK_LVS_BENCH=1 (several minutes; GK_LVS_BENCH=small: 1,000 real
// servers for 10 s only).
func TestLVSMeasure(t *testing.T) {
	if os.Getenv("GK_LVS_BENCH") == "" {
		t.Skip("measurement run: set GK_LVS_BENCH=1 (root, several minutes)")
	}
	needRoot(t)
	window := 40 * time.Second
	if os.Getenv("GK_LVS_BENCH") == "small" {
		window = 10 * time.Second
	}
	sizes := []int{0, 1000, 10000} // 0: the same daemon with no real server, for the machine's own jitter
	if os.Getenv("GK_LVS_BENCH") == "small" {
		sizes = []int{1000}
	}
	for _, n := range sizes {
		t.Run(fmt.Sprintf("failing-%d", n), func(t *testing.T) { measureFailing(t, n, window) })
	}
	t.Run("removal-and-rps", measureRemovalAndRPS)
}

// failingConf: a lone VRRP master (advert_int 1) and one virtual server
// whose n real servers sit behind a host that drops every packet, so
// each check is a connection timing out.
func failingConf(n int) string {
	var b strings.Builder
	b.WriteString(`global_defs {
    router_id d
    lvs_backend nftables
}
` + masterInst("VI_1", 51, "192.168.1.100/24", "") + `
virtual_server 192.168.1.100 80 {
    protocol TCP
    lb_algo rr
    lb_kind NAT
    delay_loop 5
`)
	for i := range n {
		fmt.Fprintf(&b, "    real_server 10.99.%d.%d 80 {\n        TCP_CHECK {\n            connect_timeout 1\n        }\n    }\n", i/250, 1+i%250)
	}
	b.WriteString("}\n")
	return b.String()
}

// procCPU is the user+system CPU time of pid; procMem its VmRSS and VmHWM.
func procCPU(t *testing.T, pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
	ut, _ := strconv.Atoi(f[11])
	st, _ := strconv.Atoi(f[12])
	return time.Duration(ut+st) * 10 * time.Millisecond // USER_HZ 100
}

func procMem(t *testing.T, pid int) (rss, hwm string) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			rss = strings.TrimSpace(v)
		}
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			hwm = strings.TrimSpace(v)
		}
	}
	return rss, hwm
}

// pct returns the p-th percentile of sorted ds.
func pct(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	return ds[min(len(ds)-1, int(float64(len(ds))*p))]
}

func measureFailing(t *testing.T, n int, window time.Duration) {
	l := lab.New(t, lab.Spec{Hosts: lab.Hosts("d", "cap")})
	d, capture := l.Host("d"), l.Host("cap")
	if out, err := d.Exec(context.Background(), "ip", "route", "add", "10.99.0.0/16", "via", "192.168.1.3"); err != nil {
		t.Fatalf("route: %v: %s", err, out)
	}
	sn := seedSniff(t, capture)
	nd := newNode(t, d, failingConf(n))
	nd.start(t)
	waitPlacement(t, 15*time.Second, map[netip.Addr]string{netip.MustParseAddr("192.168.1.100"): "d"}, d)
	time.Sleep(2 * time.Second) // the checks start 1 s + warmup after start
	sn.reset()
	cpu0, t0 := procCPU(t, nd.proc.Pid), time.Now()
	time.Sleep(window)
	cpu1, el := procCPU(t, nd.proc.Pid), time.Since(t0)
	rss, hwm := procMem(t, nd.proc.Pid)
	sn.mu.Lock()
	var iv []time.Duration
	for i := 1; i < len(sn.all); i++ {
		iv = append(iv, sn.all[i].at.Sub(sn.all[i-1].at))
	}
	sn.mu.Unlock()
	slices.Sort(iv)
	down := 0
	s := statusJSON(t, nd)
	why := map[string]int{}
	var servers []control.RealServer
	if s.LVS != nil && len(s.LVS.VirtualServers) > 0 { // none without real servers
		servers = s.LVS.VirtualServers[0].RealServers
	}
	for _, r := range servers {
		if !r.Up {
			down++
		}
		for _, c := range r.Checkers {
			why[fmt.Sprintf("up=%v ran=%v ok=%v %s", r.Up, !c.LastRun.IsZero(), c.LastOK, c.LastReason)]++
		}
	}
	t.Logf("real servers by state and last check: %v", why)
	t.Logf("measured: %d real servers failing (%d down at the end), %v window: adverts %d, interval p50 %v p99 %v max %v; daemon CPU %v (%.1f %% of a core), RSS %s, peak RSS %s",
		n, down, window, len(iv), pct(iv, 0.5).Round(time.Millisecond), pct(iv, 0.99).Round(time.Millisecond),
		pct(iv, 1).Round(time.Millisecond), cpu1-cpu0, 100*float64(cpu1-cpu0)/float64(el), rss, hwm)
}

// measureRemovalAndRPS uses the done-when lab: how long rs2 (refusing
// connections) takes to leave d1's nftables table, from the check that
// found it down and from its death; then requests per second.
func measureRemovalAndRPS(t *testing.T) {
	l := newLVSLab(t)
	vip := netip.MustParseAddr("10.0.1.100")
	waitPlacement(t, 15*time.Second, map[netip.Addr]string{vip: "d1"}, l.d1.host, l.d2.host)
	eventually(t, 10*time.Second, "d1 balancing", func() (bool, string) {
		s, up := lvsServices(t, l.d1)
		return s == 1 && up == 3, fmt.Sprint(s, up)
	})
	inPlane := func() bool {
		out, _ := l.d1.host.Exec(context.Background(), "nft", "list", "table", "ip", "gokeepalived_lvs")
		return strings.Contains(out, "192.168.1.12")
	}
	var fromCheck, fromKill []time.Duration
	for range 20 {
		l.web["rs2"].stop()
		killed := time.Now()
		for inPlane() && time.Since(killed) < 10*time.Second {
		}
		gone := time.Now()
		for _, rs := range statusJSON(t, l.d1).LVS.VirtualServers[0].RealServers {
			if rs.Addr.Addr() == netip.MustParseAddr("192.168.1.12") && len(rs.Checkers) > 0 && !rs.Checkers[0].LastOK {
				fromCheck = append(fromCheck, gone.Sub(rs.Checkers[0].LastRun))
			}
		}
		fromKill = append(fromKill, gone.Sub(killed))
		l.web["rs2"].start(t)
		eventually(t, 10*time.Second, "rs2 back", func() (bool, string) { return inPlane(), "" })
	}
	slices.Sort(fromCheck)
	slices.Sort(fromKill)
	t.Logf("measured: failed real server out of the plane, %d runs: after the check that found it down p50 %v p99 %v; after it died p50 %v p99 %v (delay_loop 1, connect_timeout 1, retry 1, delay_before_retry 1)",
		len(fromKill), pct(fromCheck, 0.5).Round(time.Millisecond), pct(fromCheck, 0.99).Round(time.Millisecond),
		pct(fromKill, 0.5).Round(time.Millisecond), pct(fromKill, 0.99).Round(time.Millisecond))

	// Requests per second: straight to rs1 (routed through d1) and to the
	// VIP through the plane, each request on a new connection.
	if out, err := l.client.Exec(context.Background(), "ip", "route", "add", "192.168.1.0/24", "via", "10.0.1.100"); err != nil {
		t.Fatalf("route: %v: %s", err, out)
	}
	rate := func(url string) float64 {
		const n = 2000
		start := time.Now()
		for range n {
			if _, err := lab.Fetch(l.http, url); err != nil {
				t.Fatalf("%s: %v", url, err)
			}
		}
		return n / time.Since(start).Seconds()
	}
	var direct, plane []string
	for range 5 {
		direct = append(direct, fmt.Sprintf("%.0f", rate("http://192.168.1.11:8080/")))
		plane = append(plane, fmt.Sprintf("%.0f", rate("http://10.0.1.100/")))
	}
	t.Logf("measured: req/s over 5 runs of 2,000: direct to a real server %v; through the nftables plane %v", direct, plane)
}
