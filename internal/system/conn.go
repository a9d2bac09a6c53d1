package system

import (
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// ConnConfig configures OpenConn.
type ConnConfig struct {
	// Ifindex and Ifname name the interface (both required; see Links.Lookup).
	Ifindex int
	Ifname  string
	// Family is IPv4 or IPv6.
	Family Family
	// Group is the multicast group to join; the zero Addr means 224.0.0.18
	// or ff02::12.
	Group netip.Addr
	// NoMulticast skips joining the group (unicast-only interfaces, as
	// keepalived does for instances with unicast peers).
	NoMulticast bool
	// Protocol is the IP protocol to receive: 0 or Protocol (112) for
	// VRRP, ProtocolAH (51, IPv4 only) for keepalived's auth_type AH. Read
	// on an AH socket returns the whole IPv4 packet, header included,
	// since the AH ICV covers the header.
	Protocol uint8
	// Logger receives Debug lines; nil discards.
	Logger *slog.Logger
}

// RawConn is the Linux Conn: a receive socket and a send socket, both raw IP
// protocol 112 and bound to one interface.
type RawConn struct {
	cfg  ConnConfig
	log  *slog.Logger
	recv *os.File
	send *os.File
	rrc  syscall.RawConn
	src  syscall.RawConn

	// Receive state, owned by the single reader goroutine.
	oob    []byte
	msg    unix.Msghdr
	iov    unix.Iovec
	from   unix.RawSockaddrInet6
	rbuf   []byte
	rn     int
	roobn  int
	rerr   error
	readFn func(fd uintptr) bool
	rbatch rxBatchState // ReadBatch's recvmmsg state and the drop count

	// Send state, guarded by mu: Write fills it and writeFn sends it, so
	// an advert costs no allocation (a closure, a Sockaddr and an error
	// per send were ~130 B of garbage; at 25,000 adverts/s the GC they
	// caused showed as advert jitter).
	mu      sync.Mutex
	wbuf    []byte
	wp      []byte
	woob    []byte
	wto     unix.Sockaddr
	to4     unix.SockaddrInet4
	to6     unix.SockaddrInet6
	werr    error
	writeFn func(fd uintptr) bool
	batch   batchState // WriteBatch's sendmmsg state, guarded by mu

	closeOnce sync.Once
	closed    atomic.Bool
}

var _ Conn = (*RawConn)(nil)

// OpenConn opens the VRRP sockets of one interface and family in the
// calling thread's network namespace: the receive socket bound to the
// device, joined to the group, receiving only groups it joined; the send
// socket bound to the device with multicast loopback off (IPv4: IP_HDRINCL;
// IPv6: traffic class 0xc0, multicast hop limit 255, kernel checksum).
func OpenConn(cfg ConnConfig) (*RawConn, error) {
	if cfg.Ifindex <= 0 || cfg.Ifname == "" {
		return nil, fmt.Errorf("open vrrp %s socket: interface %q index %d: %w", cfg.Family, cfg.Ifname, cfg.Ifindex, ErrNoInterface)
	}
	if !cfg.Group.IsValid() {
		cfg.Group = GroupIPv4
		if cfg.Family == IPv6 {
			cfg.Group = GroupIPv6
		}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	switch {
	case cfg.Protocol == 0:
		cfg.Protocol = Protocol
	case cfg.Protocol == ProtocolAH && cfg.Family == IPv6:
		return nil, fmt.Errorf("open vrrp %s socket on %s: AH is IPv4 only", cfg.Family, cfg.Ifname)
	case cfg.Protocol != Protocol && cfg.Protocol != ProtocolAH:
		return nil, fmt.Errorf("open vrrp %s socket on %s: protocol %d is neither VRRP nor AH", cfg.Family, cfg.Ifname, cfg.Protocol)
	}
	c := &RawConn{cfg: cfg, log: cfg.Logger, oob: make([]byte, 128), wbuf: make([]byte, 0, 1500)}
	c.readFn = c.recv4
	c.writeFn = c.sendFd
	if cfg.Family == IPv6 {
		c.readFn = c.recv6
	}
	var err error
	switch cfg.Family {
	case IPv4:
		c.recv, err = c.open("recv", recvOpts4(cfg))
		if err == nil {
			c.send, err = c.open("send", sendOpts4(cfg))
		}
	case IPv6:
		c.recv, err = c.open("recv", recvOpts6(cfg))
		if err == nil {
			c.send, err = c.open("send", sendOpts6(cfg))
		}
	default:
		return nil, fmt.Errorf("open vrrp socket on %s: bad family %s", cfg.Ifname, cfg.Family)
	}
	if err != nil {
		c.Close()
		return nil, err
	}
	if c.rrc, err = c.recv.SyscallConn(); err == nil {
		c.src, err = c.send.SyscallConn()
	}
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("open vrrp %s socket on %s: %w", cfg.Family, cfg.Ifname, err)
	}
	return c, nil
}

// sockopt is one setsockopt call.
type sockopt struct {
	name string
	set  func(fd int) error
}

func intOpt(name string, level, opt, v int) sockopt {
	return sockopt{name, func(fd int) error { return unix.SetsockoptInt(fd, level, opt, v) }}
}

func bindOpt(ifname string) sockopt {
	return sockopt{"SO_BINDTODEVICE", func(fd int) error { return unix.BindToDevice(fd, ifname) }}
}

// rxqOvfl has the kernel report the socket's drop count with each packet
// (RxBuffer.KernelDrops).
var rxqOvfl = intOpt("SO_RXQ_OVFL", unix.SOL_SOCKET, unix.SO_RXQ_OVFL, 1)

// noRecv keeps a send socket from queueing what it receives: it is never
// read, yet as a raw socket it is handed every VRRP packet for this host
// (IPv4 with IP_MULTICAST_ALL off and no group joined: no multicast ones;
// IPv6 gets them all). A filter that takes nothing drops them before they
// are queued; before, each advert received was also queued there until
// the buffer was full. keepalived shrinks that buffer (SO_RCVBUF 0).
var noRecv = sockopt{"SO_ATTACH_FILTER", func(fd int) error {
	takeNothing := []unix.SockFilter{{Code: unix.BPF_RET | unix.BPF_K, K: 0}}
	return unix.SetsockoptSockFprog(fd, unix.SOL_SOCKET, unix.SO_ATTACH_FILTER,
		&unix.SockFprog{Len: uint16(len(takeNothing)), Filter: &takeNothing[0]})
}}

func recvOpts4(cfg ConnConfig) []sockopt {
	opts := []sockopt{bindOpt(cfg.Ifname), intOpt("IP_MULTICAST_ALL", unix.IPPROTO_IP, unix.IP_MULTICAST_ALL, 0), rxqOvfl}
	if !cfg.NoMulticast {
		mreq := &unix.IPMreqn{Multiaddr: cfg.Group.As4(), Ifindex: int32(cfg.Ifindex)}
		opts = append(opts, sockopt{"IP_ADD_MEMBERSHIP " + cfg.Group.String(), func(fd int) error {
			return unix.SetsockoptIPMreqn(fd, unix.IPPROTO_IP, unix.IP_ADD_MEMBERSHIP, mreq)
		}})
	}
	return opts
}

func sendOpts4(cfg ConnConfig) []sockopt {
	mreq := &unix.IPMreqn{Ifindex: int32(cfg.Ifindex)}
	return []sockopt{
		bindOpt(cfg.Ifname),
		intOpt("IP_MULTICAST_ALL", unix.IPPROTO_IP, unix.IP_MULTICAST_ALL, 0), noRecv,
		intOpt("IP_HDRINCL", unix.IPPROTO_IP, unix.IP_HDRINCL, 1),
		intOpt("IP_MULTICAST_LOOP", unix.IPPROTO_IP, unix.IP_MULTICAST_LOOP, 0),
		{"IP_MULTICAST_IF", func(fd int) error {
			return unix.SetsockoptIPMreqn(fd, unix.IPPROTO_IP, unix.IP_MULTICAST_IF, mreq)
		}},
	}
}

func recvOpts6(cfg ConnConfig) []sockopt {
	opts := []sockopt{
		bindOpt(cfg.Ifname),
		intOpt("IPV6_MULTICAST_ALL", unix.IPPROTO_IPV6, unix.IPV6_MULTICAST_ALL, 0),
		intOpt("IPV6_RECVHOPLIMIT", unix.IPPROTO_IPV6, unix.IPV6_RECVHOPLIMIT, 1),
		intOpt("IPV6_RECVPKTINFO", unix.IPPROTO_IPV6, unix.IPV6_RECVPKTINFO, 1),
		rxqOvfl,
	}
	if !cfg.NoMulticast {
		mreq := &unix.IPv6Mreq{Multiaddr: cfg.Group.As16(), Interface: uint32(cfg.Ifindex)}
		opts = append(opts, sockopt{"IPV6_JOIN_GROUP " + cfg.Group.String(), func(fd int) error {
			return unix.SetsockoptIPv6Mreq(fd, unix.IPPROTO_IPV6, unix.IPV6_JOIN_GROUP, mreq)
		}})
	}
	return opts
}

func sendOpts6(cfg ConnConfig) []sockopt {
	return []sockopt{
		bindOpt(cfg.Ifname),
		intOpt("IPV6_MULTICAST_ALL", unix.IPPROTO_IPV6, unix.IPV6_MULTICAST_ALL, 0), noRecv,
		intOpt("IPV6_CHECKSUM", unix.IPPROTO_IPV6, unix.IPV6_CHECKSUM, 6),
		intOpt("IPV6_MULTICAST_LOOP", unix.IPPROTO_IPV6, unix.IPV6_MULTICAST_LOOP, 0),
		intOpt("IPV6_MULTICAST_IF", unix.IPPROTO_IPV6, unix.IPV6_MULTICAST_IF, cfg.Ifindex),
		intOpt("IPV6_MULTICAST_HOPS", unix.IPPROTO_IPV6, unix.IPV6_MULTICAST_HOPS, 255),
		intOpt("IPV6_TCLASS", unix.IPPROTO_IPV6, unix.IPV6_TCLASS, tosVRRP),
	}
}

func (c *RawConn) open(role string, opts []sockopt) (*os.File, error) {
	domain := unix.AF_INET
	if c.cfg.Family == IPv6 {
		domain = unix.AF_INET6
	}
	fd, err := unix.Socket(domain, unix.SOCK_RAW|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, int(c.cfg.Protocol))
	if err != nil {
		return nil, fmt.Errorf("open vrrp %s %s socket on %s: %w", c.cfg.Family, role, c.cfg.Ifname, err)
	}
	for _, o := range opts {
		if err := o.set(fd); err != nil {
			unix.Close(fd)
			err = fmt.Errorf("vrrp %s %s socket on %s: %s: %w", c.cfg.Family, role, c.cfg.Ifname, o.name, err)
			if errors.Is(err, unix.ENODEV) {
				err = fmt.Errorf("%w: %w", ErrNoInterface, err)
			}
			return nil, err
		}
	}
	return os.NewFile(uintptr(fd), fmt.Sprintf("vrrp-%s-%s-%s", c.cfg.Family, role, c.cfg.Ifname)), nil
}

// SetReadDeadline makes Read return an error wrapping
// os.ErrDeadlineExceeded after t (the zero time means no deadline).
func (c *RawConn) SetReadDeadline(t time.Time) error {
	return c.recv.SetReadDeadline(t)
}

// Close closes both sockets; a blocked Read returns an error wrapping
// ErrClosed. It is idempotent.
func (c *RawConn) Close() error {
	var errs []error
	c.closeOnce.Do(func() {
		c.closed.Store(true)
		for _, f := range []*os.File{c.recv, c.send} {
			if f != nil {
				errs = append(errs, f.Close())
			}
		}
	})
	return errors.Join(errs...)
}

func closedErr(op string, c *RawConn, err error) error {
	// The poller's "use of closed file" is not exported; the flag is.
	if c.closed.Load() || errors.Is(err, os.ErrClosed) {
		return fmt.Errorf("%s vrrp %s on %s: %w", op, c.cfg.Family, c.cfg.Ifname, ErrClosed)
	}
	return fmt.Errorf("%s vrrp %s on %s: %w", op, c.cfg.Family, c.cfg.Ifname, err)
}
