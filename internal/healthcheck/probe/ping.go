package probe

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"time"

	"golang.org/x/net/icmp"
	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"

	"github.com/gokeepalived/gokeepalived/internal/healthcheck"
)

// Ping is PING_CHECK: one ICMP (or ICMPv6) echo request, which must be
// answered within Timeout. It uses an unprivileged ping socket where
// net.ipv4.ping_group_range allows one, a raw socket otherwise (root).
type Ping struct {
	Timeout time.Duration
}

// Probe sends one echo request to t's address.
func (p Ping) Probe(ctx context.Context, t healthcheck.Target) healthcheck.Result {
	start := time.Now()
	a := t.Addr.Addr()
	conn, raw, err := listenICMP(a.Is4() || a.Is4In6())
	if err != nil {
		return fail(start, "PING_CHECK socket: "+err.Error())
	}
	defer conn.Close()
	defer context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })()
	dl := time.Now().Add(p.Timeout)
	if cd, ok := ctx.Deadline(); ok && cd.Before(dl) {
		dl = cd
	}
	_ = conn.SetDeadline(dl)

	id, seq := int(rand.Uint32()&0xffff), int(rand.Uint32()&0xffff)
	var typ, reply icmp.Type = ipv4.ICMPTypeEcho, ipv4.ICMPTypeEchoReply
	proto := 1
	if !a.Is4() {
		typ, reply, proto = ipv6.ICMPTypeEchoRequest, ipv6.ICMPTypeEchoReply, 58
	}
	msg := icmp.Message{Type: typ, Body: &icmp.Echo{ID: id, Seq: seq, Data: make([]byte, 128)}}
	b, err := msg.Marshal(nil)
	if err != nil {
		return fail(start, "PING_CHECK: "+err.Error())
	}
	var dst net.Addr = &net.UDPAddr{IP: a.AsSlice(), Zone: a.Zone()}
	if raw {
		dst = &net.IPAddr{IP: a.AsSlice(), Zone: a.Zone()}
	}
	if _, err := conn.WriteTo(b, dst); err != nil {
		return fail(start, "PING_CHECK send: "+why(err))
	}
	buf := make([]byte, 1500)
	for {
		n, from, err := conn.ReadFrom(buf)
		if err != nil {
			return fail(start, "ICMP echo: "+why(err))
		}
		if !sameHost(from, a.AsSlice()) {
			continue
		}
		m, err := icmp.ParseMessage(proto, buf[:n])
		if err != nil {
			continue
		}
		e, ok := m.Body.(*icmp.Echo)
		// an unprivileged socket's ID is the kernel's: match on seq only
		if m.Type != reply || !ok || e.Seq != seq || (raw && e.ID != id) {
			continue
		}
		return pass(start, fmt.Sprintf("ICMP echo reply in %v", time.Since(start).Round(time.Microsecond)))
	}
}

func sameHost(from net.Addr, ip net.IP) bool {
	switch f := from.(type) {
	case *net.UDPAddr:
		return f.IP.Equal(ip)
	case *net.IPAddr:
		return f.IP.Equal(ip)
	}
	return false
}

// listenICMP opens an unprivileged ping socket, or a raw one when that is
// not allowed. raw reports which.
func listenICMP(v4 bool) (c *icmp.PacketConn, raw bool, err error) {
	udp, ip, any := "udp4", "ip4:icmp", "0.0.0.0"
	if !v4 {
		udp, ip, any = "udp6", "ip6:ipv6-icmp", "::"
	}
	if c, err = icmp.ListenPacket(udp, any); err == nil {
		return c, false, nil
	}
	if c, rerr := icmp.ListenPacket(ip, any); rerr == nil {
		return c, true, nil
	}
	if os.IsPermission(err) {
		return nil, false, fmt.Errorf("%w (not root and net.ipv4.ping_group_range excludes our group)", err)
	}
	return nil, false, err
}
