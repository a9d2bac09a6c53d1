package e2e

import (
	"bufio"
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/control"
	"github.com/gokeepalived/gokeepalived/internal/healthcheck"
	"github.com/gokeepalived/gokeepalived/internal/lab"
)

// Issue 15: every sample keepalived ships that defines a virtual server
// starts, with its checkers running against lab servers. Per sample the
// lab is one LAN: a director (interface eth0, as the samples name it,
// with an address in each real server's subnet) and one server host
// holding every real and sorry server address, answering each checker
// at the address and port it connects to (TCP/HTTP_GET: a web server,
// SSL_GET: the same over TLS, SMTP_CHECK: a greeting and 250s,
// UDP_CHECK: a UDP socket, PING_CHECK: the kernel). The sample runs as
// shipped except for what points outside the lab, each rewrite listed in
// sampleText: checks every second (the samples wait up to 60 s), the
// digests of our stub page, scripts in the test's folder, and
// lvs_backend nftables (the plane this machine has).

// lvsSampleCase is one sample and the kernel services its configuration
// makes when every real server is up; skip says why it cannot be built.
type lvsSampleCase struct {
	file     string
	services int
	skip     string
}

var lvsSampleCases = []lvsSampleCase{
	{file: "keepalived.conf.HTTP_GET.port", services: 1},
	{file: "keepalived.conf.IPv6", services: 1},
	{file: "keepalived.conf.PING_CHECK", services: 1},
	{file: "keepalived.conf.SMTP_CHECK", services: 1},
	{file: "keepalived.conf.SSL_GET", services: 2},
	{file: "keepalived.conf.UDP_CHECK", services: 1},
	{file: "keepalived.conf.fwmark", services: 1},
	{file: "keepalived.conf.inhibit", services: 1},
	{file: "keepalived.conf.misc_check", services: 1},
	{file: "keepalived.conf.misc_check_arg", services: 1},
	{file: "keepalived.conf.quorum", services: 1},
	{file: "keepalived.conf.sample", services: 1},
	{file: "keepalived.conf.status_code", services: 1},
	// 10.0.0.1:8080, 10.0.0.2:80, 192.168.200.1:1358, .3-10:80, fwmark 1 and 2.
	{file: "keepalived.conf.virtual_server_group", services: 13},
	{file: "keepalived.conf.virtualhost", services: 1},
	{file: "keepalived.conf.vrrp.lvs_syncd", services: 1},
}

// sampleBody is what the stub web servers answer on every path.
const sampleBody = "gokeepalived sample real server\n"

var (
	sampleDigestRE = regexp.MustCompile(`(?m)(\bdigest\s+)[0-9a-fA-F]{32}`)
	sampleDelayRE  = regexp.MustCompile(`(?m)(\bdelay_loop\s+)\d+`)
	sampleScriptRE = regexp.MustCompile(`/usr/local/s?bin/`)
	// samplePublicRE: the SMTP_CHECK sample's host blocks name public
	// addresses; the lab puts them in a private range instead.
	samplePublicRE = regexp.MustCompile(`\b64\.233\.167\.(\d+)\b`)
)

// sampleText is the sample as the lab runs it (see the file comment).
func sampleText(src string) string {
	sum := md5.Sum([]byte(sampleBody))
	s := sampleDigestRE.ReplaceAllString(src, "${1}"+hex.EncodeToString(sum[:]))
	s = sampleDelayRE.ReplaceAllString(s, "${1}1")
	s = sampleScriptRE.ReplaceAllString(s, "@DIR@/")
	s = samplePublicRE.ReplaceAllString(s, "10.233.167.$1")
	const ours = "    lvs_backend nftables\n    enable_script_security\n    script_user root\n"
	if i := strings.Index(s, "global_defs {"); i >= 0 {
		i += len("global_defs {")
		return s[:i] + "\n" + ours + s[i:]
	}
	return "global_defs {\n" + ours + "}\n" + s
}

func TestLVSSamples(t *testing.T) {
	t.Parallel() // its own lab; overlaps with the other labs
	needRoot(t)
	dir := "../../../shared/corpus/keepalived-samples"
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("keepalived's samples not found at %s: %v", dir, err)
	}
	var started, skipped []string
	for _, tc := range lvsSampleCases {
		t.Run(strings.TrimPrefix(tc.file, "keepalived.conf."), func(t *testing.T) {
			if tc.skip != "" {
				skipped = append(skipped, tc.file)
				t.Skipf("%s cannot be built in the lab: %s", tc.file, tc.skip)
			}
			src, err := os.ReadFile(filepath.Join(dir, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			runLVSSample(t, tc, sampleText(string(src)))
			started = append(started, tc.file)
		})
	}
	t.Logf("measured: %d of %d samples with a virtual server started with every checker passing against lab servers; skipped %v",
		len(started), len(lvsSampleCases), skipped)
}

// sampleLayout is what a sample needs from the lab.
type sampleLayout struct {
	conf     *config.Config
	servers  []netip.Addr                        // real and sorry server addresses, checker targets
	binds    []netip.Addr                        // checkers' bindto addresses (on the director)
	stubs    map[netip.AddrPort]healthcheck.Kind // endpoints the checkers connect to
	checkers int
	ifaces   []string // VRRP interfaces other than eth0 (a veth pair each)
}

func layoutOf(t *testing.T, text string) sampleLayout {
	t.Helper()
	conf, diags := config.LoadBytes("sample.conf", []byte(text), config.Options{ConfigID: "none"})
	for _, d := range diags {
		t.Logf("sample: %v", d)
	}
	if conf == nil {
		t.Fatal("sample does not load")
	}
	l := sampleLayout{conf: conf, stubs: map[netip.AddrPort]healthcheck.Kind{}}
	add := func(a netip.Addr) {
		if !slices.Contains(l.servers, a) {
			l.servers = append(l.servers, a)
		}
	}
	for _, vs := range conf.VirtualServers {
		for _, rs := range vs.RealServers {
			add(rs.Addr)
		}
		if vs.Sorry != nil {
			add(vs.Sorry.Addr)
		}
	}
	rss, _ := healthcheck.FromConfig(conf)
	for _, rs := range rss {
		for _, c := range rs.Checks {
			l.checkers++
			l.stubs[c.Target.Addr] = c.Kind
			add(c.Target.Addr.Addr())
			if b := c.Target.BindTo; b.IsValid() && !slices.Contains(l.binds, b) {
				l.binds = append(l.binds, b)
			}
		}
	}
	for _, in := range conf.Instances {
		if in.Interface != "eth0" && !slices.Contains(l.ifaces, in.Interface) {
			l.ifaces = append(l.ifaces, in.Interface)
		}
	}
	return l
}

// subnetHost is address number n in a's /24 (IPv4) or /64 (IPv6).
func subnetHost(a netip.Addr, n byte) netip.Prefix {
	b := a.As16()
	if a.Is4() {
		v4 := a.As4()
		v4[3] = n
		return netip.PrefixFrom(netip.AddrFrom4(v4), 24)
	}
	clear(b[8:])
	b[15] = n
	return netip.PrefixFrom(netip.AddrFrom16(b), 64)
}

func runLVSSample(t *testing.T, tc lvsSampleCase, text string) {
	l := layoutOf(t, text)
	var dirAddrs, srvAddrs []netip.Prefix
	for _, a := range l.servers {
		if p := subnetHost(a, 250); !slices.Contains(dirAddrs, p) {
			dirAddrs = append(dirAddrs, p)
		}
		srvAddrs = append(srvAddrs, netip.PrefixFrom(a, subnetHost(a, 0).Bits()))
	}
	for _, b := range l.binds {
		dirAddrs = append(dirAddrs, netip.PrefixFrom(b, subnetHost(b, 0).Bits()))
	}
	lb := lab.New(t, lab.Spec{Hosts: []lab.HostSpec{
		{Name: "dir", Ifname: "eth0", Addrs: dirAddrs},
		{Name: "srv", Addrs: srvAddrs},
	}})
	d, srv := lb.Host("dir"), lb.Host("srv")
	for _, ifn := range l.ifaces {
		for _, args := range [][]string{{"link", "add", ifn, "type", "veth", "peer", "name", ifn + "p"},
			{"link", "set", ifn, "up"}, {"link", "set", ifn + "p", "up"}} {
			if out, err := d.Exec(context.Background(), "ip", args...); err != nil {
				t.Fatalf("ip %v: %v: %s", args, err, out)
			}
		}
	}
	for ap, kind := range l.stubs {
		startStub(t, srv, ap, kind)
	}
	n := newNode(t, d, text)
	for _, s := range []string{"script.sh", "quorum-up.sh", "quorum-down.sh"} {
		body := "#!/bin/sh\necho \"$0 $*\" >> " + filepath.Join(n.dir, "scripts.log") + "\n"
		if err := os.WriteFile(filepath.Join(n.dir, s), []byte(body), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	n.env = append(n.env, "GOKEEPALIVED_DUMP_DIR="+n.dir)
	n.start(t)
	var last control.Snapshot
	eventually(t, 20*time.Second, tc.file+": every real server up, every checker passed, services installed", func() (bool, string) {
		last = statusJSON(t, n)
		ok, why := sampleSettled(last, l, tc.services)
		return ok, why
	})
	// The plane holds every real server: the nftables tables name each.
	rules := ""
	for _, fam := range []string{"ip", "ip6"} {
		out, _ := d.Exec(context.Background(), "nft", "list", "table", fam, "gokeepalived_lvs")
		rules += out
	}
	for _, vs := range l.conf.VirtualServers {
		for _, rs := range vs.RealServers {
			if !strings.Contains(rules, " to "+rs.Addr.String()) && !strings.Contains(rules, " to ["+rs.Addr.String()+"]") {
				t.Errorf("%s: real server %s not in the nftables plane:\n%s", tc.file, rs.Addr, rules)
			}
		}
	}
	// SIGUSR1 writes the checker part as keepalived's checker process:
	// every checker has run.
	dump := string(readDump(t, n, syscall.SIGUSR1, filepath.Join(n.dir, "keepalived_check.data")))
	if got := strings.Count(dump, "   Has run = yes\n"); got != l.checkers || !strings.HasPrefix(dump, "------< Health checkers >------\n") {
		t.Errorf("%s: keepalived_check.data has %d checkers that ran, want %d:\n%s", tc.file, got, l.checkers, dump)
	}
	// The sample's scripts ran: MISC_CHECK, and quorum_up once the
	// quorum was reached (keepalived.conf.quorum starts with alpha).
	for _, want := range []string{"script.sh", "quorum-up.sh"} {
		if !strings.Contains(text, "@DIR@/"+want) {
			continue
		}
		eventually(t, 5*time.Second, tc.file+": "+want+" ran", func() (bool, string) {
			b, _ := os.ReadFile(filepath.Join(n.dir, "scripts.log"))
			return strings.Contains(string(b), want), string(b)
		})
	}
	t.Logf("%s: %d virtual servers, %d services, %d real servers, %d checkers passed", tc.file,
		len(last.LVS.VirtualServers), tc.services, len(l.servers), l.checkers)
}

// sampleSettled reports whether s shows the sample fully up.
func sampleSettled(s control.Snapshot, l sampleLayout, services int) (bool, string) {
	if s.LVS == nil {
		return false, "no lvs in status"
	}
	if s.LVS.PlaneError != "" || s.LVS.Backend != "nftables" {
		return false, fmt.Sprintf("backend %q plane error %q", s.LVS.Backend, s.LVS.PlaneError)
	}
	if len(s.LVS.VirtualServers) != len(l.conf.VirtualServers) {
		return false, fmt.Sprintf("%d virtual servers, want %d", len(s.LVS.VirtualServers), len(l.conf.VirtualServers))
	}
	svc, ran := 0, 0
	var b strings.Builder
	for _, v := range s.LVS.VirtualServers {
		svc += v.Services
		for _, r := range v.RealServers {
			for _, c := range r.Checkers {
				if !c.LastRun.IsZero() && c.LastOK {
					ran++
				} else {
					fmt.Fprintf(&b, "%s %s ok=%v %q; ", r.Addr, c.Kind, c.LastOK, c.LastReason)
				}
			}
			if !r.Up {
				fmt.Fprintf(&b, "%s down; ", r.Addr)
			}
		}
	}
	fmt.Fprintf(&b, "services %d (want %d), checkers passed %d (want %d)", svc, services, ran, l.checkers)
	return svc == services && ran == l.checkers && !strings.Contains(b.String(), " down;"), b.String()
}

// startStub answers kind's checker at ap inside h until the test ends.
func startStub(t *testing.T, h *lab.Host, ap netip.AddrPort, kind healthcheck.Kind) {
	t.Helper()
	switch kind {
	case healthcheck.Ping, healthcheck.Misc, healthcheck.File:
		return // the kernel answers pings; scripts and files are local
	case healthcheck.UDP:
		var pc net.PacketConn
		if err := h.Do(func() (err error) { pc, err = net.ListenPacket("udp", ap.String()); return err }); err != nil {
			t.Fatalf("udp stub at %s: %v", ap, err)
		}
		go func() {
			buf := make([]byte, 2048)
			for {
				if _, _, err := pc.ReadFrom(buf); err != nil {
					return
				}
			}
		}()
		t.Cleanup(func() { pc.Close() })
		return
	}
	var ln net.Listener
	if err := h.Do(func() (err error) { ln, err = net.Listen("tcp", ap.String()); return err }); err != nil {
		t.Fatalf("%v stub at %s: %v", kind, ap, err)
	}
	page := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, sampleBody) })
	switch kind {
	case healthcheck.SMTP:
		go serveSMTPStub(ln)
		t.Cleanup(func() { ln.Close() })
	case healthcheck.SSL:
		s := httptest.NewUnstartedServer(page)
		s.Listener.Close()
		s.Listener = ln
		s.StartTLS()
		t.Cleanup(s.Close)
	default: // TCP_CHECK, HTTP_GET
		s := &http.Server{Handler: page}
		go s.Serve(ln)
		t.Cleanup(func() { s.Close() })
	}
}

// serveSMTPStub greets and accepts every command, as SMTP_CHECK needs.
func serveSMTPStub(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		go func() {
			defer c.Close()
			c.SetDeadline(time.Now().Add(30 * time.Second))
			io.WriteString(c, "220 stub ESMTP\r\n")
			r := bufio.NewReader(c)
			for {
				line, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if strings.HasPrefix(strings.ToUpper(line), "QUIT") {
					io.WriteString(c, "221 bye\r\n")
					return
				}
				io.WriteString(c, "250 ok\r\n")
			}
		}()
	}
}
