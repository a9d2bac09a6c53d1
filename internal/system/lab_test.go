//go:build linux

package system

import (
	"context"
	"encoding/hex"
	"errors"
	"net"
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/lab"
	"github.com/google/go-cmp/cmp"
	"github.com/mdlayher/packet"
	"golang.org/x/sys/unix"
)

// These tests build a fresh LAN per test in network namespaces (package
// lab): hosts a (192.168.1.2, fe80::2, 02:00:00:00:01:02), b (.3) and c
// (.100 role: a silent observer), matching the keepalived vectors' lab.

func newLab(t *testing.T, specs ...lab.HostSpec) *lab.Lab {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root: builds network namespaces and opens raw sockets")
	}
	return lab.New(t, lab.Spec{Hosts: specs})
}

// in runs fn inside host h's namespace and fails the test on error.
func in(t *testing.T, h *lab.Host, fn func() error) {
	t.Helper()
	if err := h.Do(fn); err != nil {
		t.Fatalf("in %s: %v", h.Name, err)
	}
}

// openConn opens a Conn on h's eth1 for fam; it is closed at cleanup.
func openConn(t *testing.T, h *lab.Host, fam Family, cfg ConnConfig) *RawConn {
	t.Helper()
	var c *RawConn
	in(t, h, func() error {
		links, err := NewLinks(nil)
		if err != nil {
			return err
		}
		defer links.Close()
		l, err := links.Lookup("eth1")
		if err != nil {
			return err
		}
		cfg.Ifindex, cfg.Ifname, cfg.Family = l.Index, l.Name, fam
		c, err = OpenConn(cfg)
		return err
	})
	t.Cleanup(func() { c.Close() })
	return c
}

type recvd struct {
	payload []byte
	meta    Meta
}

// readOne reads one packet with a generous deadline (a missing packet is a
// failure, not a slow one).
func readOne(t *testing.T, c *RawConn) recvd {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	b := make([]byte, 1500)
	n, m, err := c.Read(b)
	if err != nil {
		t.Fatalf("read on %s: %v", c.cfg.Ifname, err)
	}
	return recvd{b[:n], m}
}

// capture opens a packet socket on h's eth1 that sees every frame.
func capture(t *testing.T, h *lab.Host) *packet.Conn {
	t.Helper()
	var pc *packet.Conn
	in(t, h, func() error {
		ifi, err := net.InterfaceByName("eth1")
		if err != nil {
			return err
		}
		pc, err = packet.Listen(ifi, packet.Raw, unix.ETH_P_ALL, nil)
		return err
	})
	t.Cleanup(func() { pc.Close() })
	return pc
}

// nextFrame returns the next captured frame for which match is true.
func nextFrame(t *testing.T, pc *packet.Conn, match func([]byte) bool) []byte {
	t.Helper()
	pc.SetReadDeadline(time.Now().Add(5 * time.Second))
	b := make([]byte, 2048)
	for {
		n, _, err := pc.ReadFrom(b)
		if err != nil {
			t.Fatalf("capture: %v", err)
		}
		if match(b[:n]) {
			return append([]byte(nil), b[:n]...)
		}
	}
}

func isVRRP(f []byte) bool {
	switch {
	case len(f) > 34 && f[12] == 0x08 && f[13] == 0 && f[23] == Protocol:
		return true
	case len(f) > 54 && f[12] == 0x86 && f[13] == 0xdd && f[20] == Protocol:
		return true
	}
	return false
}

func vector(t *testing.T, name string) map[string]string {
	t.Helper()
	for _, v := range loadVectors(t) {
		if v["name"] == name {
			return v
		}
	}
	t.Fatalf("no vector %s", name)
	return nil
}

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var cmpAddr = cmp.Comparer(func(a, b netip.Addr) bool { return a == b })

func TestConnIPv4MulticastMatchesKeepalived(t *testing.T) {
	l := newLab(t, lab.Hosts("a", "b", "c")...)
	a, b, c := l.Host("a"), l.Host("b"), l.Host("c")
	ca := openConn(t, a, IPv4, ConnConfig{})
	cb := openConn(t, b, IPv4, ConnConfig{})
	pc := capture(t, c)

	v := vector(t, "c01-v2-pass-blog/01-advert-a-v2-vrid80-prio100")
	err := ca.Write(Message{Src: a.Addr(false), Dst: GroupIPv4, ID: 1, Payload: unhex(t, v["vrrp"])})
	if err != nil {
		t.Fatal(err)
	}
	got := readOne(t, cb)
	want := recvd{unhex(t, v["vrrp"]), Meta{Src: a.Addr(false), Dst: GroupIPv4, TTL: 255, Ifindex: cb.cfg.Ifindex}}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(recvd{}), cmpAddr); diff != "" {
		t.Errorf("b received (-want +got):\n%s", diff)
	}
	frame := nextFrame(t, pc, isVRRP)
	if diff := cmp.Diff(v["frame"], hex.EncodeToString(frame)); diff != "" {
		t.Errorf("frame seen by c vs keepalived's (-want +got):\n%s", diff)
	}
}

func TestConnIPv4UnicastTTL(t *testing.T) {
	l := newLab(t, lab.Hosts("a", "b")...)
	a, b := l.Host("a"), l.Host("b")
	ca := openConn(t, a, IPv4, ConnConfig{NoMulticast: true})
	cb := openConn(t, b, IPv4, ConnConfig{NoMulticast: true})
	payload := []byte{0x21, 0x51, 0x64, 0x01, 0, 1, 0, 0, 192, 168, 1, 7, 0, 0, 0, 0, 0, 0, 0, 0}
	tests := []struct {
		name    string
		ttl     uint8
		wantTTL uint8
	}{
		{"default 255", 0, 255},
		{"unicast_ttl 10", 10, 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ca.Write(Message{Src: a.Addr(false), Dst: b.Addr(false), TTL: tt.ttl, ID: 3, Payload: payload})
			if err != nil {
				t.Fatal(err)
			}
			got := readOne(t, cb)
			want := recvd{payload, Meta{Src: a.Addr(false), Dst: b.Addr(false), TTL: tt.wantTTL, Ifindex: cb.cfg.Ifindex}}
			if diff := cmp.Diff(want, got, cmp.AllowUnexported(recvd{}), cmpAddr); diff != "" {
				t.Errorf("b received (-want +got):\n%s", diff)
			}
		})
	}
}

func TestConnIPv6MulticastMatchesKeepalived(t *testing.T) {
	l := newLab(t, lab.Hosts("a", "b", "c")...)
	a, b, c := l.Host("a"), l.Host("b"), l.Host("c")
	ca := openConn(t, a, IPv6, ConnConfig{})
	cb := openConn(t, b, IPv6, ConnConfig{})
	pc := capture(t, c)

	v := vector(t, "c06-v3-ipv6/01-advert-a-v3-vrid60-prio100")
	payload := unhex(t, v["vrrp"])
	payload[6], payload[7] = 0, 0 // the kernel computes the checksum
	src := netip.MustParseAddr("fe80::2")
	if err := ca.Write(Message{Src: src, Dst: GroupIPv6, Payload: payload}); err != nil {
		t.Fatal(err)
	}
	got := readOne(t, cb)
	want := recvd{unhex(t, v["vrrp"]), Meta{Src: src, Dst: GroupIPv6, TTL: 255, Ifindex: cb.cfg.Ifindex}}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(recvd{}), cmpAddr); diff != "" {
		t.Errorf("b received (-want +got):\n%s", diff)
	}
	frame := nextFrame(t, pc, isVRRP)
	wantFrame := unhex(t, v["frame"])
	// The flow label is the kernel's choice: compare everything else.
	for _, f := range [][]byte{frame, wantFrame} {
		if len(f) > 17 {
			f[15] &^= 0x0f
			f[16], f[17] = 0, 0
		}
	}
	if diff := cmp.Diff(hex.EncodeToString(wantFrame), hex.EncodeToString(frame)); diff != "" {
		t.Errorf("frame seen by c vs keepalived's, flow label masked (-want +got):\n%s", diff)
	}
}

func TestConnIPv6UnicastHopLimit(t *testing.T) {
	l := newLab(t, lab.Hosts("a", "b")...)
	a, b := l.Host("a"), l.Host("b")
	ca := openConn(t, a, IPv6, ConnConfig{NoMulticast: true})
	cb := openConn(t, b, IPv6, ConnConfig{NoMulticast: true})
	payload := []byte{0x31, 0x55, 0x64, 0x01, 0, 100, 0, 0}
	payload = append(payload, netip.MustParseAddr("2001:db8::20").AsSlice()...)
	tests := []struct {
		name    string
		ttl     uint8
		wantTTL uint8
	}{
		{"kernel default 64", 0, 64},
		{"unicast_ttl 255", 255, 255},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ca.Write(Message{Src: a.Addr(true), Dst: b.Addr(true), TTL: tt.ttl, Payload: payload})
			if err != nil {
				t.Fatal(err)
			}
			got := readOne(t, cb)
			if got.meta.TTL != tt.wantTTL || got.meta.Src != a.Addr(true) || got.meta.Dst != b.Addr(true) {
				t.Errorf("b received meta %+v, want src %s dst %s hop limit %d", got.meta, a.Addr(true), b.Addr(true), tt.wantTTL)
			}
			if got.payload[6] == 0 && got.payload[7] == 0 {
				t.Errorf("checksum not filled in by the kernel: %x", got.payload)
			}
		})
	}
}

func TestConnLinkDownAndClose(t *testing.T) {
	l := newLab(t, lab.Hosts("a")...)
	a := l.Host("a")
	ca := openConn(t, a, IPv4, ConnConfig{})
	ctx := context.Background()
	if err := a.SetLink(ctx, false); err != nil {
		t.Fatal(err)
	}
	err := ca.Write(Message{Src: a.Addr(false), Dst: GroupIPv4, ID: 1, Payload: make([]byte, 20)})
	if !errors.Is(err, ErrLinkNotReady) {
		t.Errorf("write with link down: err = %v, want ErrLinkNotReady", err)
	}
	done := make(chan error, 1)
	go func() {
		_, _, err := ca.Read(make([]byte, 1500))
		done <- err
	}()
	time.Sleep(50 * time.Millisecond) // let Read block (not required for correctness)
	ca.Close()
	select {
	case err := <-done:
		if !errors.Is(err, ErrClosed) {
			t.Errorf("read after close: err = %v, want ErrClosed", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Read did not return after Close")
	}
}

func TestOpenConnMissingInterface(t *testing.T) {
	l := newLab(t, lab.Hosts("a")...)
	in(t, l.Host("a"), func() error {
		_, err := OpenConn(ConnConfig{Ifindex: 99, Ifname: "eth9", Family: IPv4})
		if !errors.Is(err, ErrNoInterface) || !strings.Contains(err.Error(), "eth9") {
			t.Errorf("OpenConn(eth9): err = %v, want ErrNoInterface naming eth9", err)
		}
		return nil
	})
}
