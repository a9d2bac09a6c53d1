package system

import (
	"errors"
	"fmt"
	"net/netip"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"
)

// RxMessage is one packet of ReadBatch.
type RxMessage struct {
	// Buf is the caller's buffer the packet is read into; the caller sets
	// it once (the interface MTU avoids truncation) and reuses it.
	Buf []byte
	// Data is what Read would return, within Buf: the VRRP payload, or
	// the whole IPv4 packet on an AH socket.
	Data []byte
	// Meta is what Read would return with it.
	Meta Meta
}

// BatchReader is a Conn that reads several packets with one system call
// (recvmmsg): the receive path hands the loop a batch per wake-up this
// way. A Conn need not have it.
type BatchReader interface {
	// ReadBatch waits for at least one packet, then reads up to len(ms)
	// of those queued without waiting again, and returns how many it
	// filled (ms[:n]). Malformed packets are skipped, as Read skips them.
	ReadBatch(ms []RxMessage) (n int, err error)
	// TryReadBatch is ReadBatch without the wait: 0 when nothing is
	// queued.
	TryReadBatch(ms []RxMessage) (n int, err error)
	// WaitReadable waits until a packet is queued, without reading it.
	WaitReadable() error
}

// RxBuffer is a Conn whose receive buffer can be sized and whose kernel
// drops are counted.
type RxBuffer interface {
	// SetReadBuffer sets the receive buffer (SO_RCVBUF) to bytes,
	// beyond net.core.rmem_max when allowed (SO_RCVBUFFORCE), and returns
	// the size the kernel applied (it doubles the request for its own
	// accounting).
	SetReadBuffer(bytes int) (int, error)
	// ReadBuffer returns the receive buffer's size as the kernel reports
	// it (twice what was asked).
	ReadBuffer() (int, error)
	// KernelDrops is how many packets the kernel dropped because the
	// receive buffer was full (SO_RXQ_OVFL), as last reported with a
	// received packet.
	KernelDrops() uint64
}

var (
	_ BatchReader = (*RawConn)(nil)
	_ RxBuffer    = (*RawConn)(nil)
)

// rxOOBLen is the control-message room per packet: IPv6 packet info and
// hop limit, and the drop counter.
var rxOOBLen = unix.CmsgSpace(unix.SizeofInet6Pktinfo) + unix.CmsgSpace(4) + unix.CmsgSpace(4)

// rxBatchState is RawConn's recvmmsg state, owned by the single reader
// goroutine and reused, so a batch allocates nothing once it has reached
// its largest size.
type rxBatchState struct {
	hdrs  []mmsghdr
	iovs  []unix.Iovec
	names []unix.RawSockaddrInet6
	oob   []byte
	n     int
	errno unix.Errno
	fn    func(fd uintptr) bool // ReadBatch's: waits
	tryFn func(fd uintptr)      // TryReadBatch's: does not
	inqFn func(fd uintptr) bool // WaitReadable's
	drops atomic.Uint64
}

// ReadBatch reads up to len(ms) queued packets with recvmmsg.
func (c *RawConn) ReadBatch(ms []RxMessage) (int, error) { return c.readBatch(ms, true) }

// TryReadBatch reads up to len(ms) queued packets, if any.
func (c *RawConn) TryReadBatch(ms []RxMessage) (int, error) { return c.readBatch(ms, false) }

func (c *RawConn) readBatch(ms []RxMessage, wait bool) (int, error) {
	if len(ms) == 0 {
		return 0, fmt.Errorf("read vrrp on %s: empty batch", c.cfg.Ifname)
	}
	b := &c.rbatch
	b.grow(len(ms))
	if b.fn == nil {
		b.fn = c.recvBatch
		b.tryFn = c.tryRecvBatch
	}
	for {
		for i := range ms {
			if len(ms[i].Buf) == 0 {
				return 0, fmt.Errorf("read vrrp on %s: empty buffer %d", c.cfg.Ifname, i)
			}
			b.fill(i, ms[i].Buf)
		}
		b.hdrs = b.hdrs[:len(ms)]
		b.n, b.errno = 0, 0
		var err error
		if wait {
			err = c.rrc.Read(b.fn)
		} else if err = c.rrc.Control(b.tryFn); err == nil && b.errno == unix.EAGAIN {
			return 0, nil
		}
		if err == nil && b.errno != 0 {
			err = b.errno
		}
		if err != nil {
			return 0, closedErr("read", c, err)
		}
		if n := c.unpack(ms[:b.n]); n > 0 || (!wait && b.n == 0) {
			return n, nil
		}
	}
}

// WaitReadable waits until the receive socket has a packet queued.
func (c *RawConn) WaitReadable() error {
	if c.rbatch.inqFn == nil {
		c.rbatch.inqFn = queued
	}
	if err := c.rrc.Read(c.rbatch.inqFn); err != nil {
		return closedErr("wait for", c, err)
	}
	return nil
}

// queued reports whether socket fd has a packet queued (SIOCINQ: the
// length of the first one; VRRP packets are never empty).
func queued(fd uintptr) bool {
	n, err := unix.IoctlGetInt(int(fd), unix.SIOCINQ)
	return err != nil || n > 0 // an error is for the reader to see
}

// grow makes room for n packets.
func (b *rxBatchState) grow(n int) {
	if cap(b.hdrs) >= n {
		return
	}
	b.hdrs = make([]mmsghdr, n)
	b.iovs = make([]unix.Iovec, n)
	b.names = make([]unix.RawSockaddrInet6, n)
	b.oob = make([]byte, n*rxOOBLen)
}

// fill sets header i up to read into buf.
func (b *rxBatchState) fill(i int, buf []byte) {
	iov := &b.iovs[i]
	iov.Base = &buf[0]
	iov.SetLen(len(buf))
	h := &b.hdrs[i]
	*h = mmsghdr{}
	h.hdr.Name = (*byte)(unsafe.Pointer(&b.names[i]))
	h.hdr.Namelen = unix.SizeofSockaddrInet6
	h.hdr.Iov = iov
	h.hdr.SetIovlen(1)
	h.hdr.Control = &b.oob[i*rxOOBLen]
	h.hdr.SetControllen(rxOOBLen)
}

// recvBatch is the poller callback of ReadBatch: one non-blocking
// recvmmsg of every header.
func (c *RawConn) recvBatch(fd uintptr) bool {
	b := &c.rbatch
	// Raw, as sendBatch: a non-blocking socket, the call never blocks.
	r, _, errno := unix.RawSyscall6(unix.SYS_RECVMMSG, fd, uintptr(unsafe.Pointer(&b.hdrs[0])), uintptr(len(b.hdrs)), 0, 0, 0)
	if errno == unix.EAGAIN {
		return false
	}
	b.n, b.errno = int(r), errno
	if errno != 0 {
		b.n = 0
	}
	return true
}

// tryRecvBatch is the callback of TryReadBatch: one recvmmsg that does
// not wait.
func (c *RawConn) tryRecvBatch(fd uintptr) {
	b := &c.rbatch
	r, _, errno := unix.RawSyscall6(unix.SYS_RECVMMSG, fd, uintptr(unsafe.Pointer(&b.hdrs[0])), uintptr(len(b.hdrs)), unix.MSG_DONTWAIT, 0, 0)
	b.n, b.errno = int(r), errno
	if errno != 0 {
		b.n = 0
	}
}

// unpack turns the packets read into ms, dropping malformed ones (the
// kept ones move up), and returns how many are kept.
func (c *RawConn) unpack(ms []RxMessage) int {
	b := &c.rbatch
	kept := 0
	for i := range ms {
		h := &b.hdrs[i]
		n := int(h.len)
		var m Meta
		drops, ok := parseCmsgs(b.oob[i*rxOOBLen:i*rxOOBLen+int(h.hdr.Controllen)], &m)
		if ok {
			b.drops.Store(uint64(drops))
		}
		buf := ms[i].Buf
		data := buf[:n]
		if c.cfg.Family == IPv4 {
			hl, m4, err := parseIPv4(data)
			if err != nil {
				c.log.Debug("drop malformed ipv4 packet", "iface", c.cfg.Ifname, "len", n, "err", err)
				continue
			}
			m = m4
			if c.cfg.Protocol != ProtocolAH {
				data = data[hl:]
			}
		} else {
			m.Src = netip.AddrFrom16(b.names[i].Addr)
		}
		if m.Ifindex == 0 {
			m.Ifindex = c.cfg.Ifindex
		}
		if kept != i {
			ms[kept].Buf, ms[i].Buf = buf, ms[kept].Buf
		}
		ms[kept].Data, ms[kept].Meta = data, m
		kept++
	}
	return kept
}

// KernelDrops returns the receive socket's drop count (SO_RXQ_OVFL).
func (c *RawConn) KernelDrops() uint64 { return c.rbatch.drops.Load() }

// SetReadBuffer sets the receive socket's SO_RCVBUF, forcing it past
// net.core.rmem_max (SO_RCVBUFFORCE) when the process may, and reports
// the size the kernel applied.
func (c *RawConn) SetReadBuffer(bytes int) (int, error) {
	var got int
	var serr error
	err := c.rrc.Control(func(fd uintptr) {
		serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, bytes)
		if errors.Is(serr, unix.EPERM) {
			serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUF, bytes)
		}
		if serr == nil {
			got, serr = unix.GetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUF)
		}
	})
	if err == nil {
		err = serr
	}
	if err != nil {
		return 0, closedErr(fmt.Sprintf("set receive buffer %d of", bytes), c, err)
	}
	return got, nil
}

// ReadBuffer reports the receive socket's SO_RCVBUF.
func (c *RawConn) ReadBuffer() (int, error) {
	var got int
	var serr error
	err := c.rrc.Control(func(fd uintptr) {
		got, serr = unix.GetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUF)
	})
	if err == nil {
		err = serr
	}
	if err != nil {
		return 0, closedErr("read receive buffer of", c, err)
	}
	return got, nil
}
