package e2e

import (
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/ipv4"

	"github.com/gokeepalived/gokeepalived/internal/lab"
	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

var (
	seedHostA = netip.MustParseAddr("192.168.1.2")
	seedHostB = netip.MustParseAddr("192.168.1.3")
)

// seedAdvert is one VRRP advert captured on the LAN.
type seedAdvert struct {
	at   time.Time
	src  netip.Addr
	vrid uint8
	prio uint8
}

// seedSniffer records every IPv4 VRRP advert a host receives.
type seedSniffer struct {
	mu   sync.Mutex
	all  []seedAdvert
	more chan struct{}
}

// sniff opens a raw protocol-112 socket in h, joined to 224.0.0.18 on its
// LAN interface, and records adverts until the test ends.
func seedSniff(t *testing.T, h *lab.Host) *seedSniffer {
	t.Helper()
	var c net.PacketConn
	err := h.Do(func() error {
		var err error
		c, err = net.ListenPacket("ip4:112", "0.0.0.0")
		if err != nil {
			return err
		}
		ifi, err := net.InterfaceByName(h.Ifname)
		if err != nil {
			return err
		}
		return ipv4.NewPacketConn(c).JoinGroup(ifi, &net.IPAddr{IP: net.IPv4(224, 0, 0, 18)})
	})
	if err != nil {
		t.Fatalf("seedSniffer on %s: %v", h.Name, err)
	}
	s := &seedSniffer{more: make(chan struct{}, 1)}
	done := make(chan struct{})
	t.Cleanup(func() { c.Close(); <-done })
	go func() {
		defer close(done)
		buf := make([]byte, 1500)
		for {
			n, from, err := c.ReadFrom(buf)
			if err != nil {
				return
			}
			at := time.Now()
			adv, err := vrrp.ParseAdvertisement(buf[:n], vrrp.IPv4)
			ip, ok := from.(*net.IPAddr)
			if err != nil || !ok {
				continue
			}
			src, _ := netip.AddrFromSlice(ip.IP.To4())
			s.mu.Lock()
			s.all = append(s.all, seedAdvert{at: at, src: src, vrid: adv.VRID, prio: adv.Priority})
			s.mu.Unlock()
			select {
			case s.more <- struct{}{}:
			default:
			}
		}
	}()
	return s
}

// reset forgets what was captured so far.
func (s *seedSniffer) reset() {
	s.mu.Lock()
	s.all = nil
	s.mu.Unlock()
}

// wait returns the first captured advert matching ok, waiting up to limit.
func (s *seedSniffer) wait(t *testing.T, limit time.Duration, what string, ok func(seedAdvert) bool) seedAdvert {
	t.Helper()
	deadline := time.After(limit)
	for {
		s.mu.Lock()
		for _, a := range s.all {
			if ok(a) {
				s.mu.Unlock()
				return a
			}
		}
		n := len(s.all)
		s.mu.Unlock()
		select {
		case <-s.more:
		case <-deadline:
			t.Fatalf("%s: not seedAdvert within %v (%d adverts captured)", what, limit, n)
		}
	}
}
