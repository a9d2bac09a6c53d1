package daemon

import (
	"io"
	"log/slog"
	"net/netip"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/system"
	"github.com/gokeepalived/gokeepalived/internal/vinst"
	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

// recConn records the payloads written to it into buffers it owns, so
// recording allocates nothing once they have grown.
type recConn struct {
	sent [][]byte
	n    int
}

func (c *recConn) Read([]byte) (int, system.Meta, error) { return 0, system.Meta{}, system.ErrClosed }
func (c *recConn) Close() error                          { return nil }
func (c *recConn) Write(m system.Message) error {
	if c.n == len(c.sent) {
		c.sent = append(c.sent, nil)
	}
	c.sent[c.n] = append(c.sent[c.n][:0], m.Payload...)
	c.n++
	return nil
}

// TestSendAdvertSharedBuffer: instances take turns encoding into the
// daemon's one send buffer; each advert still carries its own instance's
// VRID and addresses, whatever the size of the one sent before it, and a
// send allocates nothing once the buffer has grown to the largest advert.
func TestSendAdvertSharedBuffer(t *testing.T) {
	conn := &recConn{}
	ce := &vinst.Socket{Conn: conn}
	group := netip.MustParseAddr("224.0.0.18")
	mk := func(vrid uint8, nvips int) *vinst.Instance {
		vi := &vinst.Instance{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Fam: vrrp.IPv4, Conn: ce,
			Src: netip.MustParseAddr("10.0.0.1"), Group: group}
		vi.GroupDst[0] = group
		vi.SendTpl = vrrp.Advertisement{Version: vrrp.V3, VRID: vrid, Interval: time.Second}
		for i := range nvips {
			vi.SendTpl.Addrs = append(vi.SendTpl.Addrs, netip.AddrFrom4([4]byte{10, 1, vrid, byte(i + 1)}))
		}
		return vi
	}
	small, big := mk(1, 1), mk(2, 20)
	d := &Daemon{}
	order := []*vinst.Instance{big, small, big, small}
	for _, vi := range order {
		d.sendAdvert(vi, 100)
	}
	if conn.n != len(order) {
		t.Fatalf("%d adverts written, want %d", conn.n, len(order))
	}
	for i, vi := range order {
		got, err := vrrp.ParseAdvertisement(conn.sent[i], vrrp.IPv4)
		if err != nil {
			t.Fatalf("advert %d: %v", i, err)
		}
		if got.VRID != vi.SendTpl.VRID || len(got.Addrs) != len(vi.SendTpl.Addrs) || got.Priority != 100 {
			t.Errorf("advert %d: VRID %d with %d addresses, priority %d; want VRID %d with %d, priority 100",
				i, got.VRID, len(got.Addrs), got.Priority, vi.SendTpl.VRID, len(vi.SendTpl.Addrs))
			continue
		}
		for j, a := range got.Addrs {
			if a != vi.SendTpl.Addrs[j] {
				t.Errorf("advert %d: address %d is %v, want %v", i, j, a, vi.SendTpl.Addrs[j])
			}
		}
	}
	if small.Stats.AdvertSent != 2 || big.Stats.AdvertSent != 2 {
		t.Errorf("advert_sent %d and %d, want 2 each", small.Stats.AdvertSent, big.Stats.AdvertSent)
	}
	allocs := testing.AllocsPerRun(100, func() {
		conn.n = 0
		d.sendAdvert(big, 100)
		d.sendAdvert(small, 100)
	})
	if allocs != 0 {
		t.Errorf("sendAdvert allocates %.1f times per pair of adverts, want 0", allocs)
	}
}
