package probe

import (
	"bytes"
	"context"
	"net"
	"net/netip"
	"os"
	"testing"
	"time"

	"golang.org/x/net/dns/dnsmessage"

	"github.com/gokeepalived/gokeepalived/internal/healthcheck"
	"github.com/gokeepalived/gokeepalived/internal/track"
)

// udpServer answers every datagram with reply(request); nil: no answer.
func udpServer(t *testing.T, addr string, reply func([]byte) []byte) healthcheck.Target {
	t.Helper()
	c, err := net.ListenPacket("udp", addr)
	if err != nil {
		t.Skipf("listen %s: %v", addr, err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 2048)
		for {
			n, from, err := c.ReadFrom(buf)
			if err != nil {
				return
			}
			if r := reply(buf[:n]); r != nil {
				c.WriteTo(r, from)
			}
		}
	}()
	t.Cleanup(func() { c.Close(); <-done })
	return healthcheck.Target{Addr: netip.MustParseAddrPort(c.LocalAddr().String())}
}

func closedUDP(t *testing.T) healthcheck.Target {
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	a := netip.MustParseAddrPort(c.LocalAddr().String())
	c.Close()
	return healthcheck.Target{Addr: a}
}

func dnsReply(rcode dnsmessage.RCode, sameID bool) func([]byte) []byte {
	return func(q []byte) []byte {
		var m dnsmessage.Message
		if m.Unpack(q) != nil {
			return nil
		}
		m.Response, m.RCode = true, rcode
		if !sameID {
			m.ID++
		}
		b, _ := m.Pack()
		return b
	}
}

func TestDNS(t *testing.T) {
	noLeak(t)
	p := DNS{Name: "www.example.org", Type: healthcheck.DNSTypes["A"], Timeout: 300 * time.Millisecond}
	wantResult(t, p.Probe(ctxT(t), udpServer(t, "127.0.0.1:0", dnsReply(dnsmessage.RCodeSuccess, true))), true, "success")
	wantResult(t, p.Probe(ctxT(t), udpServer(t, "[::1]:0", dnsReply(dnsmessage.RCodeSuccess, true))), true, "success")
	// a name that does not resolve
	wantResult(t, p.Probe(ctxT(t), udpServer(t, "127.0.0.1:0", dnsReply(dnsmessage.RCodeNameError, true))), false, "rcode = 3")
	wantResult(t, p.Probe(ctxT(t), udpServer(t, "127.0.0.1:0", dnsReply(dnsmessage.RCodeSuccess, false))), false, "timeout")
	wantResult(t, p.Probe(ctxT(t), udpServer(t, "127.0.0.1:0", func([]byte) []byte { return nil })), false, "timeout")
	wantResult(t, p.Probe(ctxT(t), closedUDP(t)), false, "connection refused")
}

func TestUDP(t *testing.T) {
	noLeak(t)
	echo := func(b []byte) []byte { return append([]byte(nil), b...) }
	silent := func([]byte) []byte { return nil }
	tests := []struct {
		name   string
		spec   healthcheck.UDPSpec
		reply  func([]byte) []byte
		ok     bool
		reason string
	}{
		{"no reply needed, none came", healthcheck.UDPSpec{Payload: []byte("hi")}, silent, true, "no error"},
		{"reply required, none came", healthcheck.UDPSpec{Payload: []byte("hi"), RequireReply: true}, silent, false, "timeout"},
		{"reply required, any", healthcheck.UDPSpec{Payload: []byte("hi"), RequireReply: true}, echo, true, "reply"},
		{"reply matches", healthcheck.UDPSpec{Payload: []byte("hello"), RequireReply: true, Reply: []byte("hel")}, echo, true, "reply"},
		{"reply matches under mask", healthcheck.UDPSpec{Payload: []byte("hello"), RequireReply: true, Reply: []byte("hex"), ReplyMask: []byte{0, 0, 0xff}}, echo, true, "reply"},
		{"reply mismatch", healthcheck.UDPSpec{Payload: []byte("hello"), RequireReply: true, Reply: []byte("bye")}, echo, false, "mismatch"},
		{"reply too long", healthcheck.UDPSpec{Payload: bytes.Repeat([]byte("x"), 300), RequireReply: true, Reply: []byte("x")}, echo, false, "want 0-255"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := UDP{Spec: tt.spec, Timeout: 200 * time.Millisecond}.Probe(ctxT(t), udpServer(t, "127.0.0.1:0", tt.reply))
			wantResult(t, r, tt.ok, tt.reason)
		})
	}
	wantResult(t, UDP{Timeout: time.Second}.Probe(ctxT(t), closedUDP(t)), false, "connection refused")
}

func TestPing(t *testing.T) {
	noLeak(t)
	p := Ping{Timeout: time.Second}
	for _, a := range []string{"127.0.0.1", "::1"} {
		r := p.Probe(ctxT(t), healthcheck.Target{Addr: netip.AddrPortFrom(netip.MustParseAddr(a), 0)})
		if !r.OK && os.Geteuid() != 0 {
			t.Skipf("no ICMP socket without root: %s", r.Reason)
		}
		wantResult(t, r, true, "echo reply")
	}
}

func script(t *testing.T, body string) []string {
	p := t.TempDir() + "/check.sh"
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return []string{p}
}

func TestMisc(t *testing.T) {
	env := Env{Gate: track.NewGate(track.SecurityConfig{})}
	check := func(body string, dynamic bool, timeout time.Duration) healthcheck.Result {
		c := healthcheck.Check{Kind: healthcheck.Misc, Timing: healthcheck.Timing{DelayLoop: time.Minute},
			Misc: &healthcheck.MiscSpec{Argv: script(t, body), Dynamic: dynamic, Timeout: timeout}}
		p, err := New(&c, env)
		if err != nil {
			t.Fatal(err)
		}
		return p.Probe(ctxT(t), healthcheck.Target{})
	}
	wantResult(t, check("exit 0", false, time.Second), true, "succeeded")
	noLeak(t) // after track's one process-wide spawner started
	wantResult(t, check("exit 1", false, time.Second), false, "exited with status 1")
	wantResult(t, check("exit 42", false, time.Second), false, "exited with status 42")
	r := check("exit 42", true, time.Second)
	if wantResult(t, r, true, "weight 40"); r.Weight != healthcheck.WeightSet || r.N != 40 {
		t.Errorf("misc_dynamic exit 42: weight %v %d, want set 40", r.Weight, r.N)
	}
	wantResult(t, check("exit 1", true, time.Second), false, "status 1")
	start := time.Now()
	wantResult(t, check("sleep 30 & sleep 30", false, 200*time.Millisecond), false, "timed out")
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("a hanging script took %v to be killed", took)
	}
}

func TestMiscGoesThroughTheGate(t *testing.T) {
	env := Env{Gate: track.NewGate(track.SecurityConfig{})}
	c := healthcheck.Check{Kind: healthcheck.Misc, Misc: &healthcheck.MiscSpec{Argv: []string{"/nonexistent/check.sh"}}}
	p, err := New(&c, env)
	if err == nil {
		t.Fatal("a missing script passed the gate")
	}
	wantResult(t, p.Probe(context.Background(), healthcheck.Target{}), false, "refused")
	if _, err := New(&c, Env{}); err == nil {
		t.Error("a MISC_CHECK without a gate was built")
	}
}
