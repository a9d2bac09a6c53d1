//go:build linux

package nftplane

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/lab"
	"github.com/gokeepalived/gokeepalived/internal/lvs"
	"github.com/google/go-cmp/cmp"
	"github.com/google/nftables"
	"github.com/google/nftables/expr"
)

// The balancer lab: one LAN, two subnets. The client (10.0.1.2) reaches
// the VIP 10.0.1.100 through the director (10.0.1.1, 192.168.1.1); the
// three real servers (192.168.1.11-13) answer on :8080 and route back
// through the director, as LVS-NAT wants.
var (
	vip      = netip.MustParseAddr("10.0.1.100")
	rsAddrs  = []string{"192.168.1.11", "192.168.1.12", "192.168.1.13"}
	labHosts = []lab.HostSpec{
		{Name: "client", Addrs: []netip.Prefix{netip.MustParsePrefix("10.0.1.2/24")}},
		{Name: "dir", Addrs: []netip.Prefix{netip.MustParsePrefix("10.0.1.1/24"), netip.MustParsePrefix("192.168.1.1/24"), netip.MustParsePrefix("10.0.1.100/32")}},
		{Name: "rs1", Addrs: []netip.Prefix{netip.MustParsePrefix("192.168.1.11/24")}},
		{Name: "rs2", Addrs: []netip.Prefix{netip.MustParsePrefix("192.168.1.12/24")}},
		{Name: "rs3", Addrs: []netip.Prefix{netip.MustParsePrefix("192.168.1.13/24")}},
	}
)

type balancerLab struct {
	lab    *lab.Lab
	client *lab.Host
	dir    *lab.Host
	nsFd   int
}

func newBalancerLab(t testing.TB) *balancerLab {
	t.Helper()
	l := lab.New(t, lab.Spec{Hosts: labHosts})
	ctx := context.Background()
	b := &balancerLab{lab: l, client: l.Host("client"), dir: l.Host("dir")}
	run := func(h *lab.Host, args ...string) {
		t.Helper()
		if out, err := h.Exec(ctx, args[0], args[1:]...); err != nil {
			t.Fatalf("%s: %s: %v\n%s", h.Name, strings.Join(args, " "), err, out)
		}
	}
	run(b.client, "ip", "route", "add", "default", "via", "10.0.1.1")
	run(b.dir, "sysctl", "-qw", "net.ipv4.ip_forward=1", "net.ipv4.conf.all.send_redirects=0", "net.ipv4.conf.eth1.send_redirects=0")
	for i := range rsAddrs {
		h := l.Host(fmt.Sprintf("rs%d", i+1))
		run(h, "ip", "route", "add", "default", "via", "192.168.1.1")
		serve(t, h)
	}
	f, err := os.Open(filepath.Join("/var/run/netns", b.dir.NS))
	if err != nil {
		t.Fatalf("open director namespace: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	b.nsFd = int(f.Fd())
	return b
}

// serve runs a web server in h on :8080 that answers with h's name.
func serve(t testing.TB, h *lab.Host) {
	t.Helper()
	var ln net.Listener
	if err := h.Do(func() (err error) { ln, err = net.Listen("tcp", ":8080"); return err }); err != nil {
		t.Fatalf("listen in %s: %v", h.Name, err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		io.WriteString(w, h.Name)
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
}

// get asks the VIP n times, each on a new connection, and counts the
// answers per real server.
func (b *balancerLab) get(t testing.TB, n int) map[string]int {
	t.Helper()
	c := b.client.HTTPClient(2 * time.Second)
	got := map[string]int{}
	for range n {
		name, err := lab.Fetch(c, "http://"+vip.String()+"/")
		if err != nil {
			t.Fatalf("request to the VIP: %v", err)
		}
		got[name]++
	}
	return got
}

func state(sched config.Scheduler, persist time.Duration, weights ...int) lvs.State {
	var ds []lvs.Dest
	for i, w := range weights {
		if w < 0 {
			continue // removed
		}
		ds = append(ds, lvs.Dest{Addr: netip.MustParseAddr(rsAddrs[i]), Port: 8080, Kind: config.KindNAT, Weight: w})
	}
	return lvs.State{Services: []lvs.Service{{Key: lvs.ServiceKey{Addr: vip, Protocol: lvs.TCP, Port: 80},
		VS: "[10.0.1.100]:tcp:80", Sched: sched, Persistence: persist, Dests: ds}}}
}

// ruleset lists every table but the plane's, with its chains, rules and
// sets, through `nft list ruleset` when nft is installed and through
// netlink otherwise.
func ruleset(t *testing.T, b *balancerLab) string {
	t.Helper()
	if _, err := exec.LookPath("nft"); err == nil {
		out, err := b.dir.Exec(context.Background(), "nft", "list", "ruleset")
		if err != nil {
			t.Fatalf("nft list ruleset: %v\n%s", err, out)
		}
		return out
	}
	c, err := nftables.New(nftables.WithNetNSFd(b.nsFd))
	if err != nil {
		t.Fatal(err)
	}
	tables, err := c.ListTables()
	if err != nil {
		t.Fatal(err)
	}
	var s strings.Builder
	for _, tb := range tables {
		chains, _ := c.ListChainsOfTableFamily(tb.Family)
		for _, ch := range chains {
			if ch.Table.Name != tb.Name {
				continue
			}
			rules, _ := c.GetRules(tb, ch)
			fmt.Fprintf(&s, "%v %s %s %d rules\n", tb.Family, tb.Name, ch.Name, len(rules))
		}
	}
	return s.String()
}

// foreignTable adds a table the plane must never touch.
func foreignTable(t *testing.T, b *balancerLab) {
	t.Helper()
	c, err := nftables.New(nftables.WithNetNSFd(b.nsFd))
	if err != nil {
		t.Fatal(err)
	}
	tb := c.AddTable(&nftables.Table{Name: "other", Family: nftables.TableFamilyIPv4})
	ch := c.AddChain(&nftables.Chain{Name: "in", Table: tb, Type: nftables.ChainTypeFilter,
		Hooknum: nftables.ChainHookInput, Priority: nftables.ChainPriorityFilter})
	c.AddRule(&nftables.Rule{Table: tb, Chain: ch, Exprs: []expr.Any{&expr.Counter{}, &expr.Verdict{Kind: expr.VerdictAccept}}})
	if err := c.Flush(); err != nil {
		t.Fatalf("add foreign table: %v", err)
	}
}

func TestNFTablesPlaneLab(t *testing.T) {
	b := newBalancerLab(t)
	foreignTable(t, b)
	before := ruleset(t, b)
	p, err := New(Config{NetNS: b.nsFd})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	apply := func(s lvs.State) {
		t.Helper()
		if err := p.Apply(s); err != nil {
			t.Fatalf("apply: %v", err)
		}
	}

	t.Run("rr spreads evenly", func(t *testing.T) {
		apply(state(config.SchedRR, 0, 1, 1, 1))
		want := map[string]int{"rs1": 10, "rs2": 10, "rs3": 10}
		if diff := cmp.Diff(want, b.get(t, 30)); diff != "" {
			t.Errorf("answers per server (-want +got):\n%s", diff)
		}
	})
	t.Run("wrr spreads by weight", func(t *testing.T) {
		apply(state(config.SchedWRR, 0, 3, 2, 1))
		want := map[string]int{"rs1": 30, "rs2": 20, "rs3": 10}
		if diff := cmp.Diff(want, b.get(t, 60)); diff != "" {
			t.Errorf("answers per server (-want +got):\n%s", diff)
		}
	})
	t.Run("sh keeps a client on one server", func(t *testing.T) {
		apply(state(config.SchedSH, 0, 1, 1, 1))
		if got := b.get(t, 20); len(got) != 1 {
			t.Errorf("one client's connections went to %v, want one server", got)
		}
	})
	t.Run("persistence keeps a client on one server under rr", func(t *testing.T) {
		apply(state(config.SchedRR, time.Minute, 1, 1, 1))
		if got := b.get(t, 20); len(got) != 1 {
			t.Errorf("one client's connections went to %v, want one server", got)
		}
	})
	t.Run("removal stops new connections, established ones stay", func(t *testing.T) {
		apply(state(config.SchedRR, 0, 1, 1, 1))
		conn, first := keepAlive(t, b)
		defer conn.Close()
		if first != "rs1" {
			t.Fatalf("first connection after a fresh rr map went to %s, want rs1", first)
		}
		apply(state(config.SchedRR, 0, 1, -1, 1)) // rs2 removed
		if got := b.get(t, 20); got["rs2"] != 0 || got["rs1"]+got["rs3"] != 20 {
			t.Errorf("after removing rs2: %v", got)
		}
		if again := conn.ask(t); again != "rs1" {
			t.Errorf("established connection answered by %q after the change, want rs1", again)
		}
		apply(state(config.SchedRR, 0, 1, 0, 1)) // rs2 back, weight 0: no new connections
		if got := b.get(t, 20); got["rs2"] != 0 {
			t.Errorf("weight 0 server got new connections: %v", got)
		}
	})
	t.Run("no destination: dropped", func(t *testing.T) {
		apply(state(config.SchedRR, 0, -1, -1, -1))
		c := b.client.HTTPClient(300 * time.Millisecond)
		if name, err := lab.Fetch(c, "http://"+vip.String()+"/"); err == nil {
			t.Errorf("with no real server the VIP answered %q", name)
		}
	})
	if err := p.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	// Counters of the foreign table move with whatever reaches the
	// director meanwhile; what must not change is the rules.
	counters := regexp.MustCompile(`counter packets \d+ bytes \d+`)
	unCount := func(s string) string { return counters.ReplaceAllString(s, "counter") }
	if diff := cmp.Diff(unCount(before), unCount(ruleset(t, b))); diff != "" {
		t.Errorf("ruleset after close differs from before (-before +after):\n%s", diff)
	}
}

// TestNFTablesPlaneRefuses checks that the plane fails closed, saying why.
func TestNFTablesPlaneRefuses(t *testing.T) {
	b := newBalancerLab(t)
	p, err := New(Config{NetNS: b.nsFd})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	for _, s := range []lvs.State{state(config.SchedWLC, 0, 1), state(config.SchedLC, 0, 1)} {
		if err := p.Apply(s); err == nil || !strings.Contains(err.Error(), "lvs_backend ipvs") {
			t.Errorf("%s: err %v, want a refusal with a hint", s.Services[0].Sched, err)
		}
	}
	tun := state(config.SchedRR, 0, 1)
	tun.Services[0].Dests[0].Kind = config.KindTUN
	if err := p.Apply(tun); err == nil || !strings.Contains(err.Error(), "TUN") {
		t.Errorf("TUN: err %v", err)
	}
}

// kaConn is one client connection kept open across plane changes.
type kaConn struct {
	net.Conn
	r *bufio.Reader
}

func keepAlive(t *testing.T, b *balancerLab) (*kaConn, string) {
	t.Helper()
	c, err := b.client.DialContext(context.Background(), "tcp", vip.String()+":80")
	if err != nil {
		t.Fatal(err)
	}
	k := &kaConn{Conn: c, r: bufio.NewReader(c)}
	return k, k.ask(t)
}

func (k *kaConn) ask(t *testing.T) string {
	t.Helper()
	k.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := io.WriteString(k, "GET / HTTP/1.1\r\nHost: vip\r\n\r\n"); err != nil {
		t.Fatalf("write on the kept connection: %v", err)
	}
	resp, err := http.ReadResponse(k.r, nil)
	if err != nil {
		t.Fatalf("read on the kept connection: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return string(body)
}

// BenchmarkRequests measures requests per second (one new connection
// each) from the client straight to a real server and through the
// nftables plane (rr over three servers), in the same lab. Run it with a
// bounded count, e.g. -benchtime=2000x.
func BenchmarkRequests(b *testing.B) {
	l := newBalancerLab(b)
	p, err := New(Config{NetNS: l.nsFd})
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	if err := p.Apply(state(config.SchedRR, 0, 1, 1, 1)); err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct{ name, url string }{
		{"direct", "http://" + rsAddrs[0] + ":8080/"},
		{"nftables", "http://" + vip.String() + "/"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			if bc.name == "direct" {
				// The client reaches the real servers' subnet through the director's routing only.
				l.client.Exec(context.Background(), "ip", "route", "replace", "192.168.1.0/24", "via", "10.0.1.1")
			}
			c := l.client.HTTPClient(2 * time.Second)
			for b.Loop() {
				if _, err := lab.Fetch(c, bc.url); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
		})
	}
}
