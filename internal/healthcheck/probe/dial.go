package probe

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"os"
	"strconv"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gokeepalived/gokeepalived/internal/healthcheck"
)

// dial connects to t over network ("tcp" or "udp") within timeout,
// honouring bindto, bind_port, bind_if and fwmark. The connection's
// deadline is set to the end of the timeout and it is closed early when
// ctx ends.
func dial(ctx context.Context, network string, t healthcheck.Target, timeout time.Duration) (net.Conn, error) {
	d := net.Dialer{Timeout: timeout, Control: control(t)}
	if t.BindTo.IsValid() || t.BindPort != 0 {
		la := netip.AddrPortFrom(t.BindTo, t.BindPort)
		if network == "udp" {
			d.LocalAddr = net.UDPAddrFromAddrPort(la)
		} else {
			d.LocalAddr = net.TCPAddrFromAddrPort(la)
		}
	}
	c, err := d.DialContext(ctx, network, t.Addr.String())
	if err != nil {
		return nil, err
	}
	return c, nil
}

// connect dials as dial does and arranges for ctx ending to break any
// wait on the connection; close releases both.
func connect(ctx context.Context, network string, t healthcheck.Target, timeout time.Duration) (c net.Conn, close func(), err error) {
	c, err = dial(ctx, network, t, timeout)
	if err != nil {
		return nil, nil, err
	}
	stop := context.AfterFunc(ctx, func() { _ = c.SetDeadline(time.Unix(1, 0)) })
	step(ctx, c, timeout)
	return c, func() { stop(); c.Close() }, nil
}

// control sets SO_MARK and SO_BINDTODEVICE on a probe's socket.
func control(t healthcheck.Target) func(network, address string, c syscall.RawConn) error {
	if t.Fwmark == 0 && t.BindIf == "" {
		return nil
	}
	return func(network, address string, c syscall.RawConn) error {
		var serr error
		err := c.Control(func(fd uintptr) {
			if t.Fwmark != 0 {
				if e := unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_MARK, int(t.Fwmark)); e != nil {
					serr = os.NewSyscallError("setsockopt SO_MARK", e)
					return
				}
			}
			if t.BindIf != "" {
				if e := unix.BindToDevice(int(fd), t.BindIf); e != nil {
					serr = os.NewSyscallError("bind to "+t.BindIf, e)
				}
			}
		})
		return errors.Join(err, serr)
	}
}

// step extends c's deadline by d (keepalived's per-I/O timeout), never
// beyond ctx's deadline.
func step(ctx context.Context, c net.Conn, d time.Duration) {
	dl := time.Now().Add(d)
	if cd, ok := ctx.Deadline(); ok && cd.Before(dl) {
		dl = cd
	}
	_ = c.SetDeadline(dl)
}

// why turns an I/O error into a short reason: "timeout", "connection
// refused", "connection reset by peer", or the error.
func why(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "cancelled"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset by peer"
	case errors.Is(err, syscall.EHOSTUNREACH):
		return "host unreachable"
	case errors.Is(err, syscall.ENETUNREACH):
		return "network unreachable"
	}
	return err.Error()
}

// hostPort is keepalived's Host header value without a virtualhost:
// "ip:port", "[ip6]:port".
func hostPort(a netip.AddrPort) string {
	return net.JoinHostPort(a.Addr().String(), strconv.Itoa(int(a.Port())))
}

// fail and pass build Results.
func fail(start time.Time, format string) healthcheck.Result {
	return healthcheck.Result{Reason: format, Latency: time.Since(start)}
}

func pass(start time.Time, reason string) healthcheck.Result {
	return healthcheck.Result{OK: true, Reason: reason, Latency: time.Since(start)}
}
