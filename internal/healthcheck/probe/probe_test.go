package probe

import (
	"context"
	"net"
	"net/netip"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/healthcheck"
)

// noLeak fails t when the test leaves more goroutines or open file
// descriptors than it found.
func noLeak(t *testing.T) {
	t.Helper()
	g0, f0 := runtime.NumGoroutine(), openFDs(t)
	t.Cleanup(func() {
		var g, f int
		for range 100 { // let closed servers' goroutines finish
			g, f = runtime.NumGoroutine(), openFDs(t)
			if g <= g0 && f <= f0 {
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
		buf := make([]byte, 1<<16)
		t.Errorf("leak: goroutines %d -> %d, fds %d -> %d\n%s", g0, g, f0, f, buf[:runtime.Stack(buf, true)])
	})
}

func openFDs(t *testing.T) int {
	es, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(es)
}

// tcpServer listens on addr ("127.0.0.1:0", "[::1]:0") and hands every
// connection to serve; it stops with the test.
func tcpServer(t *testing.T, addr string, serve func(net.Conn)) healthcheck.Target {
	t.Helper()
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("listen %s: %v", addr, err)
	}
	done := make(chan struct{})
	conns := make(chan net.Conn, 16)
	go func() {
		defer close(done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			conns <- c
			go serve(c)
		}
	}()
	t.Cleanup(func() {
		l.Close()
		<-done
		close(conns)
		for c := range conns {
			c.Close()
		}
	})
	return healthcheck.Target{Addr: netip.MustParseAddrPort(l.Addr().String())}
}

// closedPort returns a target where nothing listens.
func closedPort(t *testing.T) healthcheck.Target {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	a := netip.MustParseAddrPort(l.Addr().String())
	l.Close()
	return healthcheck.Target{Addr: a}
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func wantResult(t *testing.T, r healthcheck.Result, ok bool, reason string) {
	t.Helper()
	if r.OK != ok || !strings.Contains(r.Reason, reason) {
		t.Errorf("result = {OK:%v Reason:%q}, want OK %v with %q", r.OK, r.Reason, ok, reason)
	}
}

func hang(c net.Conn) { _, _ = c.Read(make([]byte, 1)) }

func reset(c net.Conn) {
	_ = c.(*net.TCPConn).SetLinger(0)
	c.Close()
}

func TestTCP(t *testing.T) {
	noLeak(t)
	p := TCP{Timeout: time.Second}
	for _, addr := range []string{"127.0.0.1:0", "[::1]:0"} {
		wantResult(t, p.Probe(ctxT(t), tcpServer(t, addr, hang)), true, "success")
	}
	wantResult(t, p.Probe(ctxT(t), closedPort(t)), false, "connection refused")
}

func TestProbeStopsWithContext(t *testing.T) {
	noLeak(t)
	target := tcpServer(t, "127.0.0.1:0", hang)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	r := HTTP{Spec: healthcheck.HTTPSpec{URLs: []healthcheck.URL{{Path: "/"}}}, Timeout: time.Hour}.Probe(ctx, target)
	if took := time.Since(start); r.OK || took > 5*time.Second {
		t.Errorf("cancelled probe: %+v after %v", r, took)
	}
}

func TestSMTP(t *testing.T) {
	noLeak(t)
	good := func(c net.Conn) {
		defer c.Close()
		c.Write([]byte("220-mail.example ESMTP\r\n220 ready\r\n"))
		buf := make([]byte, 256)
		n, _ := c.Read(buf)
		if strings.HasPrefix(string(buf[:n]), "HELO "+DefaultHelo+"\r\n") {
			c.Write([]byte("250 pleased to meet you\r\n"))
		} else {
			c.Write([]byte("500 what\r\n"))
		}
		c.Read(buf)
	}
	busy := func(c net.Conn) { defer c.Close(); c.Write([]byte("554 go away\r\n")); hang(c) }
	p := SMTP{Timeout: 300 * time.Millisecond}
	wantResult(t, p.Probe(ctxT(t), tcpServer(t, "127.0.0.1:0", good)), true, "success")
	wantResult(t, p.Probe(ctxT(t), tcpServer(t, "127.0.0.1:0", busy)), false, "status 554, want 220")
	wantResult(t, p.Probe(ctxT(t), tcpServer(t, "127.0.0.1:0", hang)), false, "greeting: timeout")
	wantResult(t, p.Probe(ctxT(t), tcpServer(t, "127.0.0.1:0", reset)), false, "reset")
}

func TestFileStatus(t *testing.T) {
	tests := []struct {
		v, w    int
		reverse bool
		want    int
		ok      bool
	}{
		{0, 0, false, 0, true}, {3, 0, false, 0, false}, {0, 0, true, 0, false}, {3, 0, true, 0, true},
		{3, 5, false, 15, true}, {3, 5, true, -15, true}, {-2, 10, false, -20, true},
		{1 << 30, 1 << 20, true, 0, false}, {1 << 30, 1 << 20, false, 1<<31 - 1, true},
	}
	for _, tt := range tests {
		got, ok := FileStatus(tt.v, tt.w, tt.reverse)
		if got != tt.want || ok != tt.ok {
			t.Errorf("FileStatus(%d, %d, %v) = %d, %v; want %d, %v", tt.v, tt.w, tt.reverse, got, ok, tt.want, tt.ok)
		}
	}
}

func TestFile(t *testing.T) {
	path := t.TempDir() + "/w"
	p := File{Spec: healthcheck.FileSpec{Name: "f", Path: path, Weight: 2}}
	r := p.Probe(ctxT(t), healthcheck.Target{})
	wantResult(t, r, true, "file missing")
	os.WriteFile(path, []byte("-7\n"), 0o644)
	r = p.Probe(ctxT(t), healthcheck.Target{})
	if wantResult(t, r, true, "value -7"); r.Weight != healthcheck.WeightAdd || r.N != -14 {
		t.Errorf("weight = %v %d, want add -14", r.Weight, r.N)
	}
	p.Spec.Weight = 0
	wantResult(t, p.Probe(ctxT(t), healthcheck.Target{}), false, "fault")
}
