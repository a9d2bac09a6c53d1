package system

import (
	"bytes"
	"net/netip"
	"os"
	"testing"

	"github.com/gokeepalived/gokeepalived/internal/lab"
)

// TestWriteBatch sends three adverts with one WriteBatch from a to b,
// IPv4 (multicast and unicast, with the TTL a Write would give) and
// IPv6, and checks b receives each, in order, byte for byte;
// a batch allocates nothing once its buffers have grown.
func TestWriteBatch(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: builds network namespaces")
	}
	l := lab.New(t, lab.Spec{Hosts: lab.Hosts("a", "b")})
	src4 := netip.MustParseAddr("192.168.1.2")
	for _, fam := range []Family{IPv4, IPv6} {
		a := openConn(t, l.Host("a"), fam, ConnConfig{})
		b := openConn(t, l.Host("b"), fam, ConnConfig{})
		var ms []Message
		for i := range 3 {
			m := Message{Dst: GroupIPv6, Payload: make([]byte, 24)}
			if fam == IPv4 {
				m = Message{Src: src4, Dst: GroupIPv4, ID: uint16(7 + i), Payload: make([]byte, 20)}
				if i == 2 {
					m.Dst, m.TTL = netip.MustParseAddr("192.168.1.3"), 64
				}
			}
			m.Payload[0], m.Payload[1] = 0x31, byte(10+i) // v3 advert, VRID 10+i
			ms = append(ms, m)
		}
		n, err := a.WriteBatch(ms)
		if err != nil || n != len(ms) {
			t.Fatalf("%s: WriteBatch = %d, %v; want %d, nil", fam, n, err, len(ms))
		}
		for i, m := range ms {
			got := readOne(t, b)
			if fam == IPv6 && len(got.payload) > 7 {
				got.payload[6], got.payload[7] = 0, 0 // the kernel's checksum
			}
			if !bytes.Equal(got.payload[:len(m.Payload)], m.Payload) {
				t.Errorf("%s message %d: payload % x, want % x", fam, i, got.payload, m.Payload)
			}
			if fam == IPv4 {
				wantTTL := uint8(255)
				if m.TTL != 0 {
					wantTTL = m.TTL
				}
				if got.meta.TTL != wantTTL || got.meta.Src != src4 || got.meta.Dst != m.Dst {
					t.Errorf("%s message %d: meta %+v, want ttl %d %s→%s", fam, i, got.meta, wantTTL, src4, m.Dst)
				}
			}
		}
		if allocs := testing.AllocsPerRun(50, func() { a.WriteBatch(ms) }); allocs != 0 {
			t.Errorf("%s: %v allocations per batch, want 0", fam, allocs)
		}
	}
}
