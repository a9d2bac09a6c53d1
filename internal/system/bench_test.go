//go:build linux

package system

import (
	"errors"
	"net/netip"
	"os"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/lab"
)

// BenchmarkConnRoundTrip sends an advert from a and reads it on b through
// the bridge; allocs/op is the send plus the receive path.
func BenchmarkConnRoundTrip(b *testing.B) {
	for _, fam := range []Family{IPv4, IPv6} {
		b.Run(fam.String(), func(b *testing.B) {
			if os.Geteuid() != 0 {
				b.Skip("needs root: builds network namespaces")
			}
			l := lab.New(b, lab.Spec{Hosts: lab.Hosts("a", "b")})
			ca := benchConn(b, l.Host("a"), fam)
			cb := benchConn(b, l.Host("b"), fam)
			m := Message{Src: netip.MustParseAddr("192.168.1.2"), Dst: GroupIPv4, ID: 1, Payload: make([]byte, 20)}
			if fam == IPv6 {
				m = Message{Src: netip.MustParseAddr("fe80::2"), Dst: GroupIPv6, Payload: make([]byte, 24)}
			}
			m.Payload[0] = 0x21
			buf := make([]byte, 1500)
			lost := 0
			b.ReportAllocs()
			for b.Loop() {
				for {
					if err := ca.Write(m); err != nil {
						b.Fatal(err)
					}
					// A packet lost on the shared machine must not hang
					// the benchmark: resend after a second, and count it.
					cb.SetReadDeadline(time.Now().Add(time.Second))
					if _, _, err := cb.Read(buf); err == nil {
						break
					} else if !errors.Is(err, os.ErrDeadlineExceeded) {
						b.Fatal(err)
					}
					lost++
				}
			}
			b.ReportMetric(float64(lost), "lost")
		})
	}
}

func benchConn(b *testing.B, h *lab.Host, fam Family) *RawConn {
	b.Helper()
	var c *RawConn
	err := h.Do(func() error {
		links, err := NewLinks(nil)
		if err != nil {
			return err
		}
		defer links.Close()
		lk, err := links.Lookup("eth1")
		if err != nil {
			return err
		}
		c, err = OpenConn(ConnConfig{Ifindex: lk.Index, Ifname: lk.Name, Family: fam})
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close() })
	return c
}

// BenchmarkAppendGARP builds one gratuitous ARP frame into a reused buffer.
func BenchmarkAppendGARP(b *testing.B) {
	mac := []byte{2, 0, 0, 0, 1, 2}
	addr := netip.MustParseAddr("192.168.1.6")
	buf := make([]byte, 0, 64)
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendGARP(buf[:0], mac, addr)
	}
}
