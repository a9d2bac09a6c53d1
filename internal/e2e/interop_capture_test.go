package e2e

import (
	bin "encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/mdlayher/packet"
	"github.com/vishvananda/netns"

	"github.com/gokeepalived/gokeepalived/internal/lab"
)

// capture records every frame crossing a lab's bridge (an AF_PACKET socket
// on br0, in promiscuous mode so unicast between ports is seen too), the
// way tcpdump in the bridge namespace would.
type ioCapture struct {
	conn *packet.Conn
	done chan struct{}

	mu     sync.Mutex
	frames []ioFrame
}

type ioFrame struct {
	at time.Time
	b  []byte
}

// startCapture starts capturing on l's bridge until the test ends.
func startCapture(t *testing.T, l *lab.Lab) *ioCapture {
	t.Helper()
	c := &ioCapture{done: make(chan struct{})}
	err := ioInNamespace(l.Bridge, func() error {
		ifi, err := net.InterfaceByName("br0")
		if err != nil {
			return err
		}
		const ethPAll = 0x0003
		conn, err := packet.Listen(ifi, packet.Raw, ethPAll, nil)
		if err != nil {
			return err
		}
		if err := conn.SetPromiscuous(true); err != nil {
			conn.Close()
			return err
		}
		c.conn = conn
		return nil
	})
	if err != nil {
		t.Fatalf("capture on %s br0: %v", l.Bridge, err)
	}
	go c.loop()
	t.Cleanup(func() {
		c.conn.Close()
		<-c.done
	})
	return c
}

func (c *ioCapture) loop() {
	defer close(c.done)
	buf := make([]byte, 65536)
	for {
		n, _, err := c.conn.ReadFrom(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			return
		}
		f := ioFrame{at: time.Now(), b: append([]byte(nil), buf[:n]...)}
		c.mu.Lock()
		c.frames = append(c.frames, f)
		c.mu.Unlock()
	}
}

// inNamespace runs fn on a locked OS thread inside network namespace ns;
// sockets fn opens stay there.
func ioInNamespace(ns string, fn func() error) error {
	target, err := netns.GetFromName(ns)
	if err != nil {
		return fmt.Errorf("open namespace %s: %w", ns, err)
	}
	defer target.Close()
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		orig, err := netns.Get()
		if err != nil {
			errc <- err
			return
		}
		defer orig.Close()
		if err := netns.Set(target); err != nil {
			errc <- err
			return
		}
		ferr := fn()
		if err := netns.Set(orig); err != nil {
			errc <- errors.Join(ferr, err)
			return // the thread stays locked and dies with the goroutine
		}
		runtime.UnlockOSThread()
		errc <- ferr
	}()
	return <-errc
}

// advert is one VRRP packet seen on the wire.
type ioAdvert struct {
	At      time.Time
	SrcMAC  string
	Src     netip.Addr
	Dst     netip.Addr
	TTL     uint8 // hop limit for IPv6
	TOS     uint8 // traffic class for IPv6
	Payload []byte
	// AH is the IPsec AH header before Payload (auth_type AH), else nil.
	AH []byte
}

// Priority is the advert's priority byte.
func (a ioAdvert) Priority() int {
	if len(a.Payload) < 3 {
		return -1
	}
	return int(a.Payload[2])
}

// VRID is the advert's virtual router id.
func (a ioAdvert) VRID() int {
	if len(a.Payload) < 2 {
		return -1
	}
	return int(a.Payload[1])
}

func (a ioAdvert) String() string {
	return fmt.Sprintf("%s>%s ttl %d vrid %d prio %d % x", a.Src, a.Dst, a.TTL, a.VRID(), a.Priority(), a.Payload)
}

// announcement is a gratuitous ARP or unsolicited NA seen on the wire.
type ioAnnouncement struct {
	SrcMAC string
	Addr   netip.Addr
	At     time.Time // zero in the keys of ioCheckAnnounced
}

// adverts returns the VRRP packets captured so far, in order.
func (c *ioCapture) adverts() []ioAdvert {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []ioAdvert
	for _, f := range c.frames {
		if a, ok := ioParseAdvert(f.b); ok {
			a.At = f.at
			out = append(out, a)
		}
	}
	return out
}

// announcements returns the gratuitous ARPs (sender IP = target IP) and
// unsolicited NAs (to ff02::1) captured so far.
func (c *ioCapture) announcements() []ioAnnouncement {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []ioAnnouncement
	for _, f := range c.frames {
		if a, ok := ioParseAnnouncement(f.b); ok {
			a.At = f.at
			out = append(out, a)
		}
	}
	return out
}

func ioParseAdvert(b []byte) (ioAdvert, bool) {
	if len(b) < 14 {
		return ioAdvert{}, false
	}
	a := ioAdvert{SrcMAC: net.HardwareAddr(b[6:12]).String()}
	switch bin.BigEndian.Uint16(b[12:14]) {
	case 0x0800:
		ip := b[14:]
		if len(ip) < 20 || ip[9] != 112 && ip[9] != 51 {
			return ioAdvert{}, false
		}
		ihl := int(ip[0]&0x0f) * 4
		total := int(bin.BigEndian.Uint16(ip[2:4]))
		if ihl < 20 || total < ihl || total > len(ip) {
			return ioAdvert{}, false
		}
		if ip[9] == 51 { // AH: 24 bytes, next header VRRP
			if total < ihl+24 || ip[ihl] != 112 {
				return ioAdvert{}, false
			}
			a.AH = append([]byte(nil), ip[ihl:ihl+24]...)
			ihl += 24
		}
		a.TOS, a.TTL = ip[1], ip[8]
		a.Src = netip.AddrFrom4([4]byte(ip[12:16]))
		a.Dst = netip.AddrFrom4([4]byte(ip[16:20]))
		a.Payload = append([]byte(nil), ip[ihl:total]...)
	case 0x86dd:
		ip := b[14:]
		if len(ip) < 40 || ip[6] != 112 {
			return ioAdvert{}, false
		}
		plen := int(bin.BigEndian.Uint16(ip[4:6]))
		if 40+plen > len(ip) {
			return ioAdvert{}, false
		}
		a.TOS = uint8(bin.BigEndian.Uint16(ip[0:2]) >> 4)
		a.TTL = ip[7]
		a.Src = netip.AddrFrom16([16]byte(ip[8:24]))
		a.Dst = netip.AddrFrom16([16]byte(ip[24:40]))
		a.Payload = append([]byte(nil), ip[40:40+plen]...)
	default:
		return ioAdvert{}, false
	}
	return a, true
}

func ioParseAnnouncement(b []byte) (ioAnnouncement, bool) {
	if len(b) < 14 {
		return ioAnnouncement{}, false
	}
	mac := net.HardwareAddr(b[6:12]).String()
	switch bin.BigEndian.Uint16(b[12:14]) {
	case 0x0806:
		arp := b[14:]
		if len(arp) < 28 || bin.BigEndian.Uint16(arp[2:4]) != 0x0800 {
			return ioAnnouncement{}, false
		}
		spa, tpa := netip.AddrFrom4([4]byte(arp[14:18])), netip.AddrFrom4([4]byte(arp[24:28]))
		if spa != tpa {
			return ioAnnouncement{}, false
		}
		return ioAnnouncement{SrcMAC: mac, Addr: spa}, true
	case 0x86dd:
		ip := b[14:]
		if len(ip) < 40+24 || ip[6] != 58 || ip[40] != 136 {
			return ioAnnouncement{}, false
		}
		if dst := netip.AddrFrom16([16]byte(ip[24:40])); dst != netip.MustParseAddr("ff02::1") {
			return ioAnnouncement{}, false
		}
		return ioAnnouncement{SrcMAC: mac, Addr: netip.AddrFrom16([16]byte(ip[48:64]))}, true
	}
	return ioAnnouncement{}, false
}
