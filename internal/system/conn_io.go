package system

import (
	"errors"
	"fmt"
	"net/netip"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Read reads the next VRRP packet's payload into b (a buffer of at least
// the interface MTU avoids truncation) and returns its length and metadata.
// It does not allocate for IPv4 and allocates nothing per packet for IPv6.
func (c *RawConn) Read(b []byte) (int, Meta, error) {
	if len(b) == 0 {
		return 0, Meta{}, fmt.Errorf("read vrrp on %s: empty buffer", c.cfg.Ifname)
	}
	if c.cfg.Family == IPv4 {
		return c.read4(b)
	}
	return c.read6(b)
}

func (c *RawConn) read4(b []byte) (int, Meta, error) {
	for {
		c.rbuf = b
		err := c.rrc.Read(c.readFn)
		c.rbuf = nil
		if err == nil {
			err = c.rerr
		}
		if err != nil {
			return 0, Meta{}, closedErr("read", c, err)
		}
		n := c.rn
		hl, m, err := parseIPv4(b[:n])
		if err != nil {
			c.log.Debug("drop malformed ipv4 packet", "iface", c.cfg.Ifname, "len", n, "err", err)
			continue
		}
		m.Ifindex = c.cfg.Ifindex
		if c.cfg.Protocol == ProtocolAH {
			return n, m, nil // the AH ICV covers the header: keep it
		}
		return copy(b, b[hl:n]), m, nil
	}
}

// recv4 is the poller callback of read4, built once so Read does not
// allocate a closure per packet.
func (c *RawConn) recv4(fd uintptr) bool {
	c.rn, c.rerr = unix.Read(int(fd), c.rbuf)
	return c.rerr != unix.EAGAIN
}

func (c *RawConn) read6(b []byte) (int, Meta, error) {
	c.rbuf = b
	err := c.rrc.Read(c.readFn)
	c.rbuf = nil
	if err == nil {
		err = c.rerr
	}
	if err != nil {
		return 0, Meta{}, closedErr("read", c, err)
	}
	m := Meta{Src: netip.AddrFrom16(c.from.Addr), Ifindex: c.cfg.Ifindex}
	if drops, ok := parseCmsgs(c.oob[:c.roobn], &m); ok {
		c.rbatch.drops.Store(uint64(drops))
	}
	return c.rn, m, nil
}

// recv6 is the poller callback of read6: recvmsg into fields of c, so
// nothing is allocated per packet.
func (c *RawConn) recv6(fd uintptr) bool {
	c.iov.Base = &c.rbuf[0]
	c.iov.SetLen(len(c.rbuf))
	c.msg = unix.Msghdr{
		Name:    (*byte)(unsafe.Pointer(&c.from)),
		Namelen: unix.SizeofSockaddrInet6,
		Iov:     &c.iov,
		Iovlen:  1,
		Control: &c.oob[0],
	}
	c.msg.SetControllen(len(c.oob))
	// Raw: a non-blocking socket, the call never blocks (see sendBatch).
	r, _, errno := unix.RawSyscall(unix.SYS_RECVMSG, fd, uintptr(unsafe.Pointer(&c.msg)), 0)
	if errno == unix.EAGAIN {
		return false
	}
	c.rerr = nil
	if errno != 0 {
		c.rerr = errno
	}
	c.rn, c.roobn = int(r), int(c.msg.Controllen)
	return true
}

// parseCmsgs reads IPV6_PKTINFO (destination, ifindex), IPV6_HOPLIMIT
// and the socket's drop count (SO_RXQ_OVFL; ok says whether it was
// there) from a control message buffer without allocating.
func parseCmsgs(oob []byte, m *Meta) (drops uint32, ok bool) {
	for len(oob) >= unix.SizeofCmsghdr {
		h := (*unix.Cmsghdr)(unsafe.Pointer(&oob[0]))
		l := int(h.Len)
		if l < unix.SizeofCmsghdr || l > len(oob) {
			return drops, ok
		}
		data := oob[unix.CmsgLen(0):l]
		if h.Level == unix.SOL_SOCKET && h.Type == unix.SO_RXQ_OVFL && len(data) >= 4 {
			drops, ok = *(*uint32)(unsafe.Pointer(&data[0])), true
		}
		if h.Level == unix.IPPROTO_IPV6 {
			switch {
			case h.Type == unix.IPV6_PKTINFO && len(data) >= unix.SizeofInet6Pktinfo:
				pi := (*unix.Inet6Pktinfo)(unsafe.Pointer(&data[0]))
				m.Dst = netip.AddrFrom16(pi.Addr)
				if pi.Ifindex != 0 {
					m.Ifindex = int(pi.Ifindex)
				}
			case h.Type == unix.IPV6_HOPLIMIT && len(data) >= 4:
				m.TTL = uint8(*(*int32)(unsafe.Pointer(&data[0])))
			}
		}
		next := unix.CmsgSpace(l - unix.CmsgLen(0))
		if next > len(oob) {
			return drops, ok
		}
		oob = oob[next:]
	}
	return drops, ok
}

// Write sends one VRRP message; see Message for the defaults. Errors that
// mean the interface is down or lost its address wrap ErrLinkNotReady.
func (c *RawConn) Write(m Message) error {
	if FamilyOf(m.Dst) != c.cfg.Family {
		return fmt.Errorf("send vrrp to %s on %s: destination not %s", m.Dst, c.cfg.Ifname, c.cfg.Family)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var err error
	if c.cfg.Family == IPv4 {
		err = c.write4(m)
	} else {
		err = c.write6(m)
	}
	if err == nil {
		return nil
	}
	return c.writeErr(m.Dst, err)
}

func (c *RawConn) write4(m Message) error {
	if !m.Src.Is4() {
		return fmt.Errorf("source %v is not ipv4", m.Src)
	}
	c.wbuf = appendAdvert4(c.wbuf[:0], m)
	c.to4.Addr = m.Dst.As4()
	return c.sendmsg(c.wbuf, nil, &c.to4)
}

func (c *RawConn) write6(m Message) error {
	if m.AH != nil {
		return errors.New("AH is IPv4 only")
	}
	oob := c.wbuf[:0]
	if m.Src.IsValid() {
		oob = appendPktInfo6(oob, m.Src.As16(), uint32(c.cfg.Ifindex))
	}
	if !m.Dst.IsMulticast() && m.TTL != 0 {
		oob = appendHopLimit(oob, int32(m.TTL))
	}
	c.to6.Addr, c.to6.ZoneId = m.Dst.As16(), uint32(c.cfg.Ifindex)
	return c.sendmsg(m.Payload, oob, &c.to6)
}

// appendPktInfo6 appends an IPV6_PKTINFO control message (the source
// address and interface) to b, as unix.PktInfo6 builds it, without
// allocating when b has room.
func appendPktInfo6(b []byte, src [16]byte, ifindex uint32) []byte {
	start := len(b)
	b = append(b, make([]byte, unix.CmsgSpace(unix.SizeofInet6Pktinfo))...)
	h := (*unix.Cmsghdr)(unsafe.Pointer(&b[start]))
	h.Level, h.Type = unix.IPPROTO_IPV6, unix.IPV6_PKTINFO
	h.SetLen(unix.CmsgLen(unix.SizeofInet6Pktinfo))
	pi := (*unix.Inet6Pktinfo)(unsafe.Pointer(&b[start+unix.CmsgLen(0)]))
	pi.Addr, pi.Ifindex = src, ifindex
	return b
}

func appendHopLimit(b []byte, hops int32) []byte {
	start := len(b)
	b = append(b, make([]byte, unix.CmsgSpace(4))...)
	h := (*unix.Cmsghdr)(unsafe.Pointer(&b[start]))
	h.Level, h.Type = unix.IPPROTO_IPV6, unix.IPV6_HOPLIMIT
	h.SetLen(unix.CmsgLen(4))
	*(*int32)(unsafe.Pointer(&b[start+unix.CmsgLen(0)])) = hops
	return b
}

// sendmsg sends one datagram; c.mu is held.
func (c *RawConn) sendmsg(p, oob []byte, to unix.Sockaddr) error {
	c.wp, c.woob, c.wto, c.werr = p, oob, to, nil
	err := c.src.Write(c.writeFn)
	c.wp, c.woob, c.wto = nil, nil, nil
	if err != nil {
		return err
	}
	return c.werr
}

// sendFd is writeFn: the sendmsg of the datagram sendmsg set up.
func (c *RawConn) sendFd(fd uintptr) bool {
	c.werr = unix.Sendmsg(int(fd), c.wp, c.woob, c.wto, 0)
	return c.werr != unix.EAGAIN
}
