package main

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// frameKind says what a captured frame is.
type frameKind uint8

const (
	kindOther  frameKind = iota // not interesting
	kindAdvert                  // a VRRP advertisement (IPv4, protocol 112)
	kindGARP                    // a gratuitous ARP (sender IP = target IP)
)

// String names the kind.
func (k frameKind) String() string {
	switch k {
	case kindAdvert:
		return "advert"
	case kindGARP:
		return "garp"
	}
	return "other"
}

// frameInfo is what the benchmark needs from a frame.
type frameInfo struct {
	Kind     frameKind
	SrcMAC   [6]byte
	VRID     uint8      // adverts
	Priority uint8      // adverts
	IP       netip.Addr // GARP: the announced address
}

// classify reads an Ethernet frame. It never panics and never reads past b.
func classify(b []byte) frameInfo {
	var fi frameInfo
	if len(b) < 14 {
		return fi
	}
	copy(fi.SrcMAC[:], b[6:12])
	etype := binary.BigEndian.Uint16(b[12:14])
	p := b[14:]
	switch etype {
	case 0x0800:
		if len(p) < 20 || p[0]>>4 != 4 {
			return fi
		}
		ihl := int(p[0]&0x0f) * 4
		if ihl < 20 || len(p) < ihl+8 || p[9] != 112 {
			return fi
		}
		v := p[ihl:]
		if v[0]&0x0f != 1 { // type advertisement
			return fi
		}
		fi.Kind, fi.VRID, fi.Priority = kindAdvert, v[1], v[2]
	case 0x0806:
		// htype 1, ptype IPv4, hlen 6, plen 4: 28 bytes.
		if len(p) < 28 || binary.BigEndian.Uint16(p[0:2]) != 1 || binary.BigEndian.Uint16(p[2:4]) != 0x0800 ||
			p[4] != 6 || p[5] != 4 {
			return fi
		}
		spa, tpa := p[14:18], p[24:28]
		if [4]byte(spa) != [4]byte(tpa) {
			return fi
		}
		fi.Kind, fi.IP = kindGARP, netip.AddrFrom4([4]byte(spa))
	}
	return fi
}

// event is one interesting captured frame with its kernel receive time.
type event struct {
	at time.Time
	frameInfo
}

// capture reads every frame on one interface through an AF_PACKET socket
// with kernel timestamps. Its socket is opened in the caller's namespace
// (from Host.Do); its goroutine keeps reading until close.
type capture struct {
	fd      int
	stopped atomic.Bool

	mu     sync.Mutex
	events []event
	keep   func(frameInfo) bool
	done   chan struct{}
}

// openCapture opens the socket on ifname; call it inside Host.Do.
func openCapture(ifname string, keep func(frameInfo) bool) (*capture, error) {
	fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW, int(htons(unix.ETH_P_ALL)))
	if err != nil {
		return nil, fmt.Errorf("capture socket: %w", err)
	}
	idx, err := ifIndex(fd, ifname)
	if err != nil {
		unix.Close(fd)
		return nil, err
	}
	if err := unix.Bind(fd, &unix.SockaddrLinklayer{Protocol: htons(unix.ETH_P_ALL), Ifindex: idx}); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("capture bind %s: %w", ifname, err)
	}
	if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_TIMESTAMPNS, 1); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("capture timestamps: %w", err)
	}
	// A deep buffer: at 255 × 10 ms the master sends 25,500 adverts/s.
	unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, 64<<20)
	// Wake up now and then to notice close.
	tv := unix.NsecToTimeval((200 * time.Millisecond).Nanoseconds())
	unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv)
	c := &capture{fd: fd, keep: keep, done: make(chan struct{})}
	go c.loop()
	return c, nil
}

func ifIndex(fd int, name string) (int, error) {
	ifr, err := unix.NewIfreq(name)
	if err != nil {
		return 0, fmt.Errorf("capture ifreq %s: %w", name, err)
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFINDEX, ifr); err != nil {
		return 0, fmt.Errorf("capture index of %s: %w", name, err)
	}
	return int(ifr.Uint32()), nil
}

func htons(v uint16) uint16 { return v<<8 | v>>8 }

func (c *capture) loop() {
	defer close(c.done)
	defer unix.Close(c.fd)
	buf := make([]byte, 2048)
	oob := make([]byte, 128)
	for {
		n, oobn, _, _, err := unix.Recvmsg(c.fd, buf, oob, 0)
		if c.stopped.Load() {
			return
		}
		if err != nil {
			if err == unix.EINTR || err == unix.EAGAIN {
				continue
			}
			return
		}
		fi := classify(buf[:n])
		if fi.Kind == kindOther || (c.keep != nil && !c.keep(fi)) {
			continue
		}
		at := stamp(oob[:oobn])
		c.mu.Lock()
		c.events = append(c.events, event{at: at, frameInfo: fi})
		c.mu.Unlock()
	}
}

// stamp reads SCM_TIMESTAMPNS from the control messages, or returns now.
func stamp(oob []byte) time.Time {
	msgs, err := unix.ParseSocketControlMessage(oob)
	if err == nil {
		for _, m := range msgs {
			if m.Header.Level == unix.SOL_SOCKET && m.Header.Type == unix.SCM_TIMESTAMPNS && len(m.Data) >= int(unsafe.Sizeof(unix.Timespec{})) {
				ts := (*unix.Timespec)(unsafe.Pointer(&m.Data[0]))
				return time.Unix(ts.Sec, ts.Nsec)
			}
		}
	}
	return time.Now()
}

// drops returns the packets the kernel dropped for this socket since the
// last call (PACKET_STATISTICS).
func (c *capture) drops() uint32 {
	st, err := unix.GetsockoptTpacketStats(c.fd, unix.SOL_PACKET, unix.PACKET_STATISTICS)
	if err != nil {
		return 0
	}
	return st.Drops
}

// snapshot returns a copy of the events so far.
func (c *capture) snapshot() []event {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]event(nil), c.events...)
}

// reset forgets the events so far.
func (c *capture) reset() {
	c.mu.Lock()
	c.events = c.events[:0]
	c.mu.Unlock()
}

// close stops the capture.
func (c *capture) close() {
	c.stopped.Store(true)
	<-c.done
}
