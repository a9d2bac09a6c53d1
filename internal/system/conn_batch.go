package system

import (
	"errors"
	"fmt"
	"unsafe"

	"golang.org/x/sys/unix"
)

// BatchWriter is a Conn that sends several messages with one system call
// (sendmmsg): the loop sends the adverts that fall due together on one
// interface this way. A Conn need not have it.
type BatchWriter interface {
	// WriteBatch sends ms in order and returns how many went out. When
	// err is not nil it is message n's error (as Write would report it)
	// and the messages after n have not been sent.
	WriteBatch(ms []Message) (n int, err error)
}

var _ BatchWriter = (*RawConn)(nil)

// mmsghdr is the kernel's struct mmsghdr (Go pads it to Msghdr's
// alignment, as C does).
type mmsghdr struct {
	hdr unix.Msghdr
	len uint32
}

// batchState is RawConn's sendmmsg state, reused so that a batch
// allocates nothing once it has reached its largest size.
type batchState struct {
	hdrs  []mmsghdr
	iovs  []unix.Iovec
	bufs  [][]byte // IPv4: whole packets; IPv6: control messages
	to4   []unix.RawSockaddrInet4
	to6   []unix.RawSockaddrInet6
	start int // first header of the current sendmmsg
	sent  int
	errno unix.Errno
	fn    func(fd uintptr) bool
}

// WriteBatch sends ms with as few sendmmsg calls as the kernel takes.
// Messages with AH go out one by one (each is sealed as it is built).
func (c *RawConn) WriteBatch(ms []Message) (int, error) {
	for _, m := range ms {
		if m.AH != nil || FamilyOf(m.Dst) != c.cfg.Family || (c.cfg.Family == IPv4 && !m.Src.Is4()) {
			return c.writeEach(ms)
		}
	}
	c.mu.Lock()
	b := &c.batch
	b.grow(len(ms))
	for i, m := range ms {
		c.fillBatch(i, m)
	}
	if b.fn == nil {
		b.fn = c.sendBatch
	}
	b.start, b.sent = 0, 0
	var err error
	for b.start < len(ms) && err == nil {
		b.hdrs = b.hdrs[:len(ms)]
		b.errno = 0
		err = c.src.Write(b.fn)
		if err == nil && b.errno != 0 {
			err = b.errno
		}
		b.start += b.sent
	}
	n := b.start
	c.mu.Unlock()
	if err != nil {
		return n, c.writeErr(ms[n].Dst, err)
	}
	return n, nil
}

// writeEach sends ms one Write at a time.
func (c *RawConn) writeEach(ms []Message) (int, error) {
	for i, m := range ms {
		if err := c.Write(m); err != nil {
			return i, err
		}
	}
	return len(ms), nil
}

// grow makes room for n messages.
func (b *batchState) grow(n int) {
	for len(b.bufs) < n {
		b.bufs = append(b.bufs, make([]byte, 0, 128))
	}
	if cap(b.hdrs) < n {
		b.hdrs = make([]mmsghdr, n)
		b.iovs = make([]unix.Iovec, n)
		b.to4 = make([]unix.RawSockaddrInet4, n)
		b.to6 = make([]unix.RawSockaddrInet6, n)
	}
	b.hdrs = b.hdrs[:n]
}

// fillBatch builds header i for m; c.mu is held.
func (c *RawConn) fillBatch(i int, m Message) {
	b := &c.batch
	h := &b.hdrs[i]
	*h = mmsghdr{}
	iov := &b.iovs[i]
	if c.cfg.Family == IPv4 {
		b.bufs[i] = appendAdvert4(b.bufs[i][:0], m)
		iov.Base = &b.bufs[i][0]
		iov.SetLen(len(b.bufs[i]))
		b.to4[i] = unix.RawSockaddrInet4{Family: unix.AF_INET, Addr: m.Dst.As4()}
		h.hdr.Name = (*byte)(unsafe.Pointer(&b.to4[i]))
		h.hdr.Namelen = unix.SizeofSockaddrInet4
	} else {
		oob := b.bufs[i][:0]
		if m.Src.IsValid() {
			oob = appendPktInfo6(oob, m.Src.As16(), uint32(c.cfg.Ifindex))
		}
		if !m.Dst.IsMulticast() && m.TTL != 0 {
			oob = appendHopLimit(oob, int32(m.TTL))
		}
		b.bufs[i] = oob
		if len(oob) > 0 {
			h.hdr.Control = &oob[0]
			h.hdr.SetControllen(len(oob))
		}
		iov.Base = unsafe.SliceData(m.Payload)
		iov.SetLen(len(m.Payload))
		b.to6[i] = unix.RawSockaddrInet6{Family: unix.AF_INET6, Addr: m.Dst.As16(), Scope_id: uint32(c.cfg.Ifindex)}
		h.hdr.Name = (*byte)(unsafe.Pointer(&b.to6[i]))
		h.hdr.Namelen = unix.SizeofSockaddrInet6
	}
	h.hdr.Iov = iov
	h.hdr.SetIovlen(1)
}

// sendBatch is the poller callback of WriteBatch: one sendmmsg of the
// headers from b.start on.
func (c *RawConn) sendBatch(fd uintptr) bool {
	b := &c.batch
	hs := b.hdrs[b.start:]
	// Raw: the socket is non-blocking (EAGAIN goes back to the poller), so
	// the call never blocks and need not tell the scheduler, whose
	// bookkeeping would wake the runtime's monitor thread every round.
	r, _, errno := unix.RawSyscall6(unix.SYS_SENDMMSG, fd, uintptr(unsafe.Pointer(&hs[0])), uintptr(len(hs)), 0, 0, 0)
	if errno == unix.EAGAIN {
		return false
	}
	b.sent, b.errno = int(r), errno
	if errno != 0 {
		b.sent = 0
	}
	return true
}

// writeErr classifies a send error as Write does.
func (c *RawConn) writeErr(dst fmt.Stringer, err error) error {
	if errors.Is(err, unix.ENETDOWN) || errors.Is(err, unix.ENODEV) || errors.Is(err, unix.ENXIO) ||
		errors.Is(err, unix.EADDRNOTAVAIL) || errors.Is(err, unix.ENETUNREACH) {
		err = fmt.Errorf("%w: %w", ErrLinkNotReady, err)
	}
	return closedErr("send to "+dst.String()+" via", c, err)
}
