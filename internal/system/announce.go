package system

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"strings"
	"sync"

	"github.com/mdlayher/packet"
	"golang.org/x/sys/unix"
)

// Announcements is the Linux Announcer: it writes keepalived's gratuitous
// ARP and unsolicited NA frames (AppendGARP, AppendUnsolicitedNA) on one
// send-only packet socket per interface, opened on first use in the calling
// thread's network namespace. It is safe for concurrent use.
type Announcements struct {
	links *Links
	log   *slog.Logger
	// Router reports whether the NA Router flag is set for an interface;
	// the default reads /proc/sys/net/ipv6/conf/<ifname>/forwarding.
	Router func(ifname string) bool

	mu    sync.Mutex
	socks map[int]*packet.Conn
	buf   []byte
}

var _ Announcer = (*Announcements)(nil)

// NewAnnouncements returns an Announcer that looks interfaces up with links.
func NewAnnouncements(links *Links, log *slog.Logger) *Announcements {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Announcements{links: links, log: log, Router: ipv6Forwarding, socks: map[int]*packet.Conn{}}
}

func ipv6Forwarding(ifname string) bool {
	b, err := os.ReadFile("/proc/sys/net/ipv6/conf/" + ifname + "/forwarding")
	return err == nil && strings.TrimSpace(string(b)) == "1"
}

// Gratuitous sends one gratuitous ARP (IPv4 addr) or unsolicited NA (IPv6
// addr) for addr from ifindex's MAC. A down interface wraps ErrLinkNotReady.
func (a *Announcements) Gratuitous(ifindex int, addr netip.Addr) error {
	link, err := a.links.ByIndex(ifindex)
	if err != nil {
		return fmt.Errorf("announce %s: %w", addr, err)
	}
	if len(link.MAC) != 6 {
		return fmt.Errorf("announce %s on %s: no ethernet address", addr, link.Name)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	c, err := a.sock(link)
	if err != nil {
		return fmt.Errorf("announce %s on %s: %w", addr, link.Name, err)
	}
	var dst net.HardwareAddr
	switch {
	case addr.Is4():
		a.buf, dst = AppendGARP(a.buf[:0], link.MAC, addr), broadcastMAC
	case addr.Is6():
		a.buf, dst = AppendUnsolicitedNA(a.buf[:0], link.MAC, addr, a.Router(link.Name)), allNodesMAC
	default:
		return fmt.Errorf("announce on %s: invalid address", link.Name)
	}
	if _, err := c.WriteTo(a.buf, &packet.Addr{HardwareAddr: dst}); err != nil {
		if errors.Is(err, unix.ENETDOWN) || errors.Is(err, unix.ENXIO) || errors.Is(err, unix.ENODEV) {
			err = fmt.Errorf("%w: %w", ErrLinkNotReady, err)
		}
		return fmt.Errorf("announce %s on %s: %w", addr, link.Name, err)
	}
	a.log.Debug("announced", "addr", addr, "iface", link.Name)
	return nil
}

func (a *Announcements) sock(link Link) (*packet.Conn, error) {
	if c, ok := a.socks[link.Index]; ok {
		return c, nil
	}
	// Protocol 0: the socket only sends; it receives nothing.
	c, err := packet.Listen(&net.Interface{Index: link.Index, Name: link.Name, HardwareAddr: link.MAC}, packet.Raw, 0, nil)
	if err != nil {
		return nil, fmt.Errorf("open packet socket: %w", err)
	}
	a.socks[link.Index] = c
	return c, nil
}

// Forget closes the socket of ifindex, if any (call it when an interface
// is deleted; the next Gratuitous opens a new one).
func (a *Announcements) Forget(ifindex int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if c, ok := a.socks[ifindex]; ok {
		c.Close()
		delete(a.socks, ifindex)
	}
}

// Close closes every socket.
func (a *Announcements) Close() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	var errs []error
	for i, c := range a.socks {
		errs = append(errs, c.Close())
		delete(a.socks, i)
	}
	return errors.Join(errs...)
}
