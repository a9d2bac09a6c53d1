package track

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// errProcEventsLost is returned by a procEventSource when the kernel
// dropped events because the receive buffer was full (ENOBUFS): the
// caller must rebuild its view from a full /proc scan.
var errProcEventsLost = errors.New("process events lost: receive buffer overrun")

// procEventSource yields batches of process events. ReadEvents blocks
// until a batch arrives; after Close it returns an error.
type procEventSource interface {
	ReadEvents() ([]ProcEvent, error)
	Close() error
}

// Receive buffer sizes of the connector socket: events are small (~64
// bytes each with headers) but a fork storm produces thousands at once.
const (
	procConnRcvBuf    = 1 << 20
	procConnRcvBufMax = 16 << 20
	procConnAckWait   = 500 * time.Millisecond
)

// procConnector is a NETLINK_CONNECTOR socket subscribed to the kernel's
// process events.
type procConnector struct {
	f      *os.File
	rc     syscall.RawConn
	buf    []byte
	rcvBuf int
}

var _ procEventSource = (*procConnector)(nil)

// openProcConnector opens the socket, subscribes and waits for the
// kernel's acknowledgement. It fails without root (binding the multicast
// group needs CAP_NET_ADMIN), without CONFIG_PROC_EVENTS
// (EPROTONOSUPPORT), in a network namespace other than the initial one
// (the connector's kernel socket lives there only: ECONNREFUSED), and in a
// user or PID namespace other than the initial ones (the kernel ignores
// the request: no acknowledgement arrives).
func openProcConnector() (*procConnector, error) {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, unix.NETLINK_CONNECTOR)
	if err != nil {
		return nil, fmt.Errorf("open netlink connector socket: %w", err)
	}
	if err := unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK, Groups: cnIdxProc}); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("bind netlink connector socket to the process events group: %w", err)
	}
	c := &procConnector{f: os.NewFile(uintptr(fd), "proc-connector"), buf: make([]byte, 64<<10)}
	if c.rc, err = c.f.SyscallConn(); err != nil {
		c.f.Close()
		return nil, fmt.Errorf("netlink connector socket: %w", err)
	}
	c.setRcvBuf(procConnRcvBuf)
	if err := c.listen(); err != nil {
		c.f.Close()
		return nil, err
	}
	return c, nil
}

// listen subscribes and waits for the acknowledgement, discarding the
// events that arrive before it.
func (c *procConnector) listen() error {
	seq, ack := rand.Uint32(), rand.Uint32()
	req := appendListenRequest(nil, true, seq, ack)
	var serr error
	err := c.rc.Write(func(fd uintptr) bool {
		serr = unix.Sendto(int(fd), req, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK})
		return serr != unix.EAGAIN
	})
	if err = errors.Join(err, serr); err != nil {
		return fmt.Errorf("subscribe to process events: %w", err)
	}
	if err := c.f.SetReadDeadline(time.Now().Add(procConnAckWait)); err != nil {
		return fmt.Errorf("subscribe to process events: %w", err)
	}
	defer c.f.SetReadDeadline(time.Time{})
	for {
		evs, err := c.ReadEvents()
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return fmt.Errorf("subscribe to process events: no acknowledgement from the kernel in %v (not in the initial user and PID namespaces?)", procConnAckWait)
		}
		if err != nil && !errors.Is(err, errProcEventsLost) {
			return fmt.Errorf("subscribe to process events: %w", err)
		}
		for _, ev := range evs {
			// The kernel echoes ack+1 but overwrites the sequence
			// number with its own per-CPU counter; the random ack
			// tells our acknowledgement from other listeners'.
			if ev.Kind == ProcEventNone && ev.Ack == ack+1 {
				if ev.Err != 0 {
					return fmt.Errorf("subscribe to process events: %w", syscall.Errno(ev.Err))
				}
				return nil
			}
		}
	}
}

// ReadEvents reads one datagram from the kernel and decodes it. It returns
// errProcEventsLost on a receive buffer overrun, after doubling the
// buffer (up to procConnRcvBufMax) to make a repeat less likely.
func (c *procConnector) ReadEvents() ([]ProcEvent, error) {
	for {
		var (
			n    int
			from unix.Sockaddr
			rerr error
		)
		err := c.rc.Read(func(fd uintptr) bool {
			n, from, rerr = unix.Recvfrom(int(fd), c.buf, 0)
			return rerr != unix.EAGAIN
		})
		if err != nil {
			return nil, fmt.Errorf("read process events: %w", err)
		}
		if rerr == unix.ENOBUFS {
			c.setRcvBuf(min(2*c.rcvBuf, procConnRcvBufMax))
			return nil, errProcEventsLost
		}
		if rerr == unix.EINTR {
			continue
		}
		if rerr != nil {
			return nil, fmt.Errorf("read process events: %w", rerr)
		}
		if sa, ok := from.(*unix.SockaddrNetlink); !ok || sa.Pid != 0 {
			continue // only the kernel reports process events
		}
		return ParseProcEvents(c.buf[:n])
	}
}

// setRcvBuf sets the receive buffer, beyond rmem_max when allowed.
func (c *procConnector) setRcvBuf(size int) {
	if size <= c.rcvBuf {
		return
	}
	c.rc.Control(func(fd uintptr) {
		if unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, size) != nil {
			unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUF, size)
		}
	})
	c.rcvBuf = size
}

// Close unsubscribes and closes the socket; a blocked ReadEvents returns.
func (c *procConnector) Close() error {
	req := appendListenRequest(nil, false, 0, 0)
	c.rc.Control(func(fd uintptr) {
		unix.Sendto(int(fd), req, unix.MSG_DONTWAIT, &unix.SockaddrNetlink{Family: unix.AF_NETLINK})
	})
	return c.f.Close()
}
