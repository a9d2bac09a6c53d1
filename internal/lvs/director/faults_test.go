package director

import (
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/track"
)

// faultServers are loopback servers that fail a checker in each way the
// issue lists; each is closed at the end of the test.
type faultServers struct {
	t     *testing.T
	wg    sync.WaitGroup
	close []func()
}

// listen serves every connection to 127.0.0.1:port with serve.
func (f *faultServers) listen(serve func(net.Conn)) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		f.t.Skipf("listen on loopback: %v", err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	f.close = append(f.close, func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	})
	f.wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			f.wg.Go(func() { serve(c) })
		}
	})
	return ln.Addr().(*net.TCPAddr).Port
}

// http answers every request with code and body after delay.
func (f *faultServers) http(code int, body string, delay time.Duration) int {
	return f.listen(func(c net.Conn) {
		defer c.Close()
		buf := make([]byte, 4096)
		if _, err := c.Read(buf); err != nil {
			return
		}
		time.Sleep(delay)
		fmt.Fprintf(c, "HTTP/1.0 %d X\r\nContent-Length: %d\r\n\r\n%s", code, len(body), body)
	})
}

// dnsNXDomain answers every query on 127.0.0.1 with NXDOMAIN.
func (f *faultServers) dnsNXDomain() int {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		f.t.Skipf("listen on loopback: %v", err)
	}
	f.close = append(f.close, func() { pc.Close() })
	f.wg.Go(func() {
		buf := make([]byte, 512)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			if n < 12 {
				continue
			}
			r := append([]byte(nil), buf[:n]...)
			r[2], r[3] = 0x81, 0x83 // response, recursion desired+available, NXDOMAIN
			clear(r[6:12])          // no answer, authority or additional records
			pc.WriteTo(r, from)
		}
	})
	return pc.LocalAddr().(*net.UDPAddr).Port
}

func (f *faultServers) stop() {
	for _, c := range f.close {
		c()
	}
	f.wg.Wait()
}

// faultConf has one real server per fault, each with the reason its
// checker must report.
func faultConf(t *testing.T, f *faultServers) (string, map[string]string) {
	hang := filepath.Join(t.TempDir(), "hang.sh")
	if err := os.WriteFile(hang, []byte("#!/bin/sh\nsleep 600\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	silent := f.listen(func(c net.Conn) { io.Copy(io.Discard, c) }) // accepts, never answers
	reset := f.listen(func(c net.Conn) {
		c.(*net.TCPConn).SetLinger(0)
		c.Close()
	})
	cases := []struct {
		port   int
		check  string
		reason string
	}{
		{silent, `HTTP_GET { url { path / } }`, "timeout"},
		{f.http(200, "late", 3*time.Second), `HTTP_GET { url { path / } }`, "timeout"},
		{reset, `HTTP_GET { url { path / } }`, "reset"},
		{f.http(500, "oops", 0), `HTTP_GET { url { path / } }`, "HTTP status code error (500)"},
		{f.http(200, "changed", 0), "HTTP_GET { url { path /\ndigest 00000000000000000000000000000000 } }", "MD5 digest error"},
		{f.dnsNXDomain(), "DNS_CHECK { name nothing.invalid\ntype A }", "rcode = 3"},
		{9, "MISC_CHECK { misc_path " + hang + "\nmisc_timeout 1\nwarmup 0 }", "timed out"},
	}
	var rs strings.Builder
	want := map[string]string{}
	for _, c := range cases {
		check := strings.NewReplacer("{ ", "{\n", " }", "\n}").Replace(c.check)
		if !strings.HasPrefix(check, "MISC") {
			check = strings.Replace(check, "{", "{\nconnect_timeout 1\nretry 0\nwarmup 0", 1)
		}
		fmt.Fprintf(&rs, "  real_server 127.0.0.1 %d {\n    %s\n  }\n", c.port, check)
		want[fmt.Sprintf("127.0.0.1:%d", c.port)] = c.reason
	}
	return fmt.Sprintf("virtual_server 10.0.0.100 80 {\n  protocol TCP\n  lb_algo rr\n  lb_kind NAT\n  delay_loop 1\n%s}\n", rs.String()), want
}

// TestFaultsAreCleanDowns runs the real probes against servers that
// accept and never answer, answer slowly, reset, answer 500 or the wrong
// page, a name that does not resolve and a script that hangs: each real
// server is DOWN with its reason in Status, and after many check cycles
// (and after Stop) the director holds no more goroutines or descriptors
// than after its first round.
func TestFaultsAreCleanDowns(t *testing.T) {
	f := &faultServers{t: t}
	defer f.stop()
	text, want := faultConf(t, f)
	conf := loadConf(t, text)
	g0, f0 := runtime.NumGoroutine(), openFDs(t)
	pl := &lab{t: t, down: nil}
	d := Start(Config{Conf: conf, Plane: pl, Backend: "fake", Gate: track.NewGate(track.SecurityConfig{}), Exec: track.OSExec})

	reasons := func() (map[string]string, bool) {
		got, all := map[string]string{}, true
		st := d.Status()
		if len(st.VirtualServers) == 0 {
			return got, false
		}
		for _, rs := range st.VirtualServers[0].RealServers {
			c := rs.Checkers[0]
			got[rs.Addr.String()] = c.Reason
			all = all && c.HasRun && !c.OK && !rs.Up
		}
		return got, all
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		got, all := reasons()
		if all {
			for a, r := range want {
				if !strings.Contains(got[a], r) {
					t.Errorf("%s: reason %q, want it to say %q", a, got[a], r)
				}
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not every real server down with a reason within 15 s: %v", got)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if got := pl.dests(); len(got) != 0 {
		t.Errorf("plane still holds %v with every real server down", got)
	}

	// Many cycles: the first round's goroutines and descriptors are the
	// most the director holds (checks overlap while they time out).
	g1, f1 := runtime.NumGoroutine(), openFDs(t)
	time.Sleep(6 * time.Second)
	g2, f2 := runtime.NumGoroutine(), openFDs(t)
	t.Logf("measured: goroutines %d before, %d after the first round, %d after 6 more s; fds %d, %d, %d", g0, g1, g2, f0, f1, f2)
	if g2 > g1+len(want) || f2 > f1+2*len(want) { // in flight: a client and a server socket per check
		t.Errorf("growth over check cycles: goroutines %d -> %d, fds %d -> %d", g1, g2, f1, f2)
	}
	d.Stop(5 * time.Second)
	f.stop()
	f.close = nil
	var g3, f3 int
	for range 100 {
		if g3, f3 = runtime.NumGoroutine(), openFDs(t); g3 <= g0+1 && f3 <= f0 { // +1: track's process spawner
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	buf := make([]byte, 1<<16)
	t.Errorf("leak after Stop: goroutines %d -> %d, fds %d -> %d\n%s", g0, g3, f0, f3, buf[:runtime.Stack(buf, true)])
}

func openFDs(t *testing.T) int {
	es, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(es)
}
