//go:build linux

package system

import (
	"bytes"
	"net/netip"
	"os"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/gokeepalived/gokeepalived/internal/lab"
	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

// appendPktInfo6 builds the same control message as unix.PktInfo6.
func TestAppendPktInfo6(t *testing.T) {
	src := netip.MustParseAddr("fe80::1:2").As16()
	want := unix.PktInfo6(&unix.Inet6Pktinfo{Addr: src, Ifindex: 7})
	got := appendPktInfo6([]byte{0xaa}, src, 7)
	if !bytes.Equal(got[1:], want) || got[0] != 0xaa {
		t.Errorf("appendPktInfo6 = % x, want aa % x", got, want)
	}
}

// Sending an advert allocates nothing, in either family: at 255
// instances × 10 ms the garbage of each send showed as GC-induced jitter.
func TestWriteAllocatesNothing(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: builds network namespaces")
	}
	l := lab.New(t, lab.Spec{Hosts: lab.Hosts("a")})
	for _, tt := range []struct {
		fam Family
		m   Message
	}{
		{IPv4, Message{Src: netip.MustParseAddr("192.168.1.2"), Dst: GroupIPv4, ID: 1, Payload: make([]byte, 20)}},
		{IPv4, Message{Src: netip.MustParseAddr("192.168.1.2"), Dst: netip.MustParseAddr("192.168.1.3"), TTL: 64, ID: 1, Payload: make([]byte, 20)}},
		{IPv6, Message{Src: netip.MustParseAddr("fe80::2"), Dst: GroupIPv6, Payload: make([]byte, 24)}},
		{IPv4, Message{Src: netip.MustParseAddr("192.168.1.2"), Dst: GroupIPv4, ID: 1, Payload: make([]byte, 44),
			AH: vrrp.NewAHState(vrrp.PassData("1234"), false)}},
		{IPv6, Message{Src: netip.MustParseAddr("fe80::2"), Dst: netip.MustParseAddr("fe80::3"), TTL: 64, Payload: make([]byte, 24)}},
	} {
		c := openConn(t, l.Host("a"), tt.fam, ConnConfig{})
		tt.m.Payload[0] = 0x21
		if err := c.Write(tt.m); err != nil {
			t.Fatalf("%s to %s: %v", tt.fam, tt.m.Dst, err)
		}
		if n := testing.AllocsPerRun(100, func() { _ = c.Write(tt.m) }); n != 0 {
			t.Errorf("%s to %s: %v allocations per send, want 0", tt.fam, tt.m.Dst, n)
		}
	}
}
