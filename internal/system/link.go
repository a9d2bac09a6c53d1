package system

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// Link describes one interface.
type Link struct {
	Index int
	Name  string
	MAC   net.HardwareAddr
	MTU   int
	// Up is true when the interface is administratively up and running
	// (IFF_UP and IFF_RUNNING, as keepalived tests).
	Up bool
}

// LinkEvent is a change of an interface, as seen by Watch.
type LinkEvent struct {
	Link
	// Deleted is true when the interface went away.
	Deleted bool
}

// Links looks interfaces up and watches them through netlink.
type Links struct {
	h   *netlink.Handle
	log *slog.Logger
}

var (
	_ LinkWatcher  = (*Links)(nil)
	_ LinkResolver = (*Links)(nil)
)

// NewLinks opens a netlink handle in the calling thread's network namespace.
func NewLinks(log *slog.Logger) (*Links, error) {
	h, err := netlink.NewHandle(unix.NETLINK_ROUTE)
	if err != nil {
		return nil, fmt.Errorf("open netlink for links: %w", err)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Links{h: h, log: log}, nil
}

// Close releases the netlink handle; running Watch channels are unaffected.
func (l *Links) Close() error {
	l.h.Close()
	return nil
}

func attrsFor(ifindex int) *netlink.LinkAttrs {
	a := netlink.NewLinkAttrs()
	a.Index = ifindex
	return &a
}

func toLink(nl netlink.Link) Link {
	a := nl.Attrs()
	return Link{
		Index: a.Index,
		Name:  a.Name,
		MAC:   a.HardwareAddr,
		MTU:   a.MTU,
		Up:    a.RawFlags&unix.IFF_UP != 0 && a.RawFlags&unix.IFF_RUNNING != 0,
	}
}

// Lookup returns the interface named name; a missing one is an error that
// names it and wraps ErrNoInterface.
func (l *Links) Lookup(name string) (Link, error) {
	nl, err := l.h.LinkByName(name)
	if err != nil {
		var nf netlink.LinkNotFoundError
		if errors.As(err, &nf) || errors.Is(err, unix.ENODEV) {
			return Link{}, fmt.Errorf("interface %s: %w", name, ErrNoInterface)
		}
		return Link{}, fmt.Errorf("interface %s: %w", name, err)
	}
	return toLink(nl), nil
}

// ByIndex returns the interface with index ifindex.
func (l *Links) ByIndex(ifindex int) (Link, error) {
	nl, err := l.h.LinkByIndex(ifindex)
	if err != nil {
		var nf netlink.LinkNotFoundError
		if errors.As(err, &nf) || errors.Is(err, unix.ENODEV) {
			return Link{}, fmt.Errorf("interface index %d: %w", ifindex, ErrNoInterface)
		}
		return Link{}, fmt.Errorf("interface index %d: %w", ifindex, err)
	}
	return toLink(nl), nil
}

// PrimaryIPv4 returns the interface's primary IPv4 address: the first one
// that is not secondary, in kernel order (the first configured), which is
// what keepalived uses as the advert source. exclude lists addresses to skip
// (the instance's own VIPs). None wraps ErrNoAddress.
func (l *Links) PrimaryIPv4(ifindex int, exclude ...netip.Addr) (netip.Addr, error) {
	return l.pick(ifindex, netlink.FAMILY_V4, func(a netlink.Addr, ip netip.Addr) bool {
		return a.Flags&unix.IFA_F_SECONDARY == 0
	}, exclude)
}

// LinkLocalIPv6 returns the interface's first IPv6 link-local address that
// has finished duplicate address detection. None wraps ErrNoAddress.
func (l *Links) LinkLocalIPv6(ifindex int, exclude ...netip.Addr) (netip.Addr, error) {
	return l.pick(ifindex, netlink.FAMILY_V6, func(a netlink.Addr, ip netip.Addr) bool {
		return ip.IsLinkLocalUnicast() && a.Flags&(unix.IFA_F_TENTATIVE|unix.IFA_F_DADFAILED) == 0
	}, exclude)
}

func (l *Links) pick(ifindex, fam int, ok func(netlink.Addr, netip.Addr) bool, exclude []netip.Addr) (netip.Addr, error) {
	addrs, err := l.h.AddrList(&netlink.Device{LinkAttrs: *attrsFor(ifindex)}, fam)
	if err != nil {
		if errors.Is(err, unix.ENODEV) {
			err = fmt.Errorf("%w: %w", ErrNoInterface, err)
		}
		return netip.Addr{}, fmt.Errorf("addresses of ifindex %d: %w", ifindex, err)
	}
next:
	for _, a := range addrs {
		ip := toPrefix(a.IPNet).Addr()
		for _, x := range exclude {
			if x == ip {
				continue next
			}
		}
		if ok(a, ip) {
			return ip, nil
		}
	}
	kind := "primary ipv4"
	if fam == netlink.FAMILY_V6 {
		kind = "ipv6 link-local"
	}
	return netip.Addr{}, fmt.Errorf("%s address of ifindex %d: %w", kind, ifindex, ErrNoAddress)
}

// Watch subscribes to link changes in the calling thread's network
// namespace and sends one LinkEvent per change until ctx is done; then the
// channel is closed. The first events are the current state of every link.
// Consumers that care about one interface filter by Index and compare Up
// with the last value (the kernel reports many changes that are not up or
// down transitions).
func (l *Links) Watch(ctx context.Context) (<-chan LinkEvent, error) {
	updates := make(chan netlink.LinkUpdate, 64)
	sub := newSubscription()
	err := netlink.LinkSubscribeWithOptions(updates, sub.done, netlink.LinkSubscribeOptions{
		ListExisting:  true,
		ErrorCallback: sub.onError,
	})
	if err != nil {
		return nil, fmt.Errorf("subscribe to link changes: %w", err)
	}
	return relay(ctx, sub, l.log, "link watch", updates, func(u netlink.LinkUpdate) LinkEvent {
		return LinkEvent{Link: toLink(u.Link), Deleted: u.Header.Type == unix.RTM_DELLINK}
	}), nil
}
