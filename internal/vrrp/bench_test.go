package vrrp

import (
	"net/netip"
	"testing"
	"time"
)

// hotPath is one receive (Parse + Check) and one send (Append) of a v3
// IPv4 advert with three addresses, as the daemon does them.
type hotPath struct {
	raw []byte
	rx  RxInfo
	e   Expect
	a   Advertisement
	out Advertisement
	buf []byte
	sum Sum
}

func newHotPath(tb testing.TB) *hotPath {
	tb.Helper()
	h := &hotPath{
		out: Advertisement{Version: V3, VRID: 53, Priority: 100, Interval: 100 * centisecond,
			Addrs: ips("192.168.1.20", "192.168.1.21", "192.168.1.22")},
		rx:  RxInfo{Src: ip("192.168.1.2"), Dst: GroupIPv4, TTL: 255},
		buf: make([]byte, 0, 64),
	}
	h.sum = Sum{Form: FormPseudo, Src: h.rx.Src, Dst: h.rx.Dst}
	var err error
	if h.raw, err = h.out.Append(nil, h.sum); err != nil {
		tb.Fatal(err)
	}
	h.e = Expect{Version: V3, VRID: 53, Interval: h.out.Interval, CheckAddrs: true, VIPs: h.out.Addrs}
	return h
}

func (h *hotPath) receive(tb testing.TB) {
	if err := Parse(h.raw, IPv4, &h.a); err != nil {
		tb.Fatal(err)
	}
	if v := Check(&h.a, h.raw, h.rx, &h.e); !v.OK() {
		tb.Fatal(v.Reason)
	}
}

func (h *hotPath) send(tb testing.TB) {
	var err error
	if h.buf, err = h.out.Append(h.buf[:0], h.sum); err != nil {
		tb.Fatal(err)
	}
}

// TestZeroAllocs: decoding into a reused Advertisement, checking, and
// encoding into a reused buffer allocate nothing (issue 3, "Done when").
func TestZeroAllocs(t *testing.T) {
	h := newHotPath(t)
	tests := []struct {
		name string
		fn   func()
	}{
		{"Parse", func() { _ = Parse(h.raw, IPv4, &h.a) }},
		{"Parse+Check", func() { h.receive(t) }},
		{"Append", func() { h.send(t) }},
		{"PutChecksum", func() { _ = PutChecksum(h.buf, h.sum) }},
		{"Parse refused", func() { _ = Parse(h.raw[:5], IPv4, &h.a) }},
	}
	h.receive(t)
	h.send(t)
	for _, tt := range tests {
		if n := testing.AllocsPerRun(100, tt.fn); n != 0 {
			t.Errorf("%s: %v allocs per run, want 0", tt.name, n)
		}
	}
}

func BenchmarkParse(b *testing.B) {
	h := newHotPath(b)
	b.ReportAllocs()
	for b.Loop() {
		if err := Parse(h.raw, IPv4, &h.a); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseCheck(b *testing.B) {
	h := newHotPath(b)
	b.ReportAllocs()
	for b.Loop() {
		h.receive(b)
	}
}

func BenchmarkAppend(b *testing.B) {
	h := newHotPath(b)
	b.ReportAllocs()
	for b.Loop() {
		h.send(b)
	}
}

// BenchmarkHMACSign is one auth_hmac signature of a v3 IPv4 advert (the
// send path's extra cost): no allocation.
func BenchmarkHMACSign(b *testing.B) {
	h := &HMAC{Keys: []HMACKey{{ID: 1, Key: make([]byte, 32)}}, Active: 1, Window: 5}
	src := netip.MustParseAddr("192.168.1.2")
	a := Advertisement{Version: V3, VRID: 1, Priority: 100, Interval: time.Second, Addrs: []netip.Addr{src}}
	buf := make([]byte, 0, 128)
	now := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		out, _ := a.Append(buf[:0], Sum{Form: FormMessage})
		h.Sign(out, len(out), IPv4, src, now)
	}
}

// BenchmarkHMACVerify is one auth_hmac check of a signed advert (the
// replay check refuses every one after the first; the digest runs).
func BenchmarkHMACVerify(b *testing.B) {
	h := &HMAC{Keys: []HMACKey{{ID: 1, Key: make([]byte, 32)}}, Active: 1, Window: 5}
	src := netip.MustParseAddr("192.168.1.2")
	a := Advertisement{Version: V3, VRID: 1, Priority: 100, Interval: time.Second, Addrs: []netip.Addr{src}}
	out, _ := a.Append(nil, Sum{Form: FormMessage})
	now := time.Now()
	out = h.Sign(out, len(out), IPv4, src, now)
	b.ReportAllocs()
	for b.Loop() {
		h.Verify(out, IPv4, src, now, nil)
	}
}
