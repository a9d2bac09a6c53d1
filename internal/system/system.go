package system

import (
	"context"
	"errors"
	"net/netip"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

// Family is an IP address family: package vrrp's, the project's one
// family type (the config, the wire and the system share it).
type Family = vrrp.Family

// Address families. The zero Family is invalid.
const (
	IPv4 = vrrp.IPv4
	IPv6 = vrrp.IPv6
)

// FamilyOf returns the family of a, or 0 when a is invalid.
func FamilyOf(a netip.Addr) Family {
	switch {
	case a.Is4() || a.Is4In6():
		return IPv4
	case a.Is6():
		return IPv6
	}
	return 0
}

// Sentinel errors, wrapped with %w; test with errors.Is.
var (
	// ErrNoInterface means a named or indexed interface does not exist.
	ErrNoInterface = errors.New("no such interface")
	// ErrLinkNotReady means the interface exists but is down or has no
	// usable address yet; retry after the next link event.
	ErrLinkNotReady = errors.New("link not ready")
	// ErrNoAddress means the interface has no address of the wanted kind
	// (primary IPv4, IPv6 link-local).
	ErrNoAddress = errors.New("no usable address")
	// ErrClosed means the object was closed.
	ErrClosed = errors.New("closed")
)

// Default VRRP multicast groups (RFC 5798 §5.1.1.2, §5.1.2.2).
var (
	GroupIPv4 = netip.AddrFrom4([4]byte{224, 0, 0, 18})
	GroupIPv6 = netip.MustParseAddr("ff02::12")
)

// Protocol is VRRP's IP protocol number.
const Protocol = 112

// ProtocolAH is the IP protocol number of IPsec AH, which keepalived's
// auth_type AH puts between the IPv4 header and the VRRP message.
const ProtocolAH = 51

// Sealer fills in an authentication value that covers the IP header:
// keepalived's AH ICV (vrrp.AHState implements it).
type Sealer interface {
	// Seal writes the ICV into pkt, an IPv4 packet whose header is hl
	// bytes and whose payload begins with the AH header.
	Seal(pkt []byte, hl int)
}

// Meta describes a received VRRP packet.
type Meta struct {
	// Src and Dst are the IP source and destination.
	Src, Dst netip.Addr
	// TTL is the IPv4 TTL or IPv6 hop limit the packet arrived with.
	TTL uint8
	// Ifindex is the interface the packet arrived on.
	Ifindex int
}

// Message is one VRRP packet to send.
type Message struct {
	// Src is the IP source: the interface's primary IPv4 address or
	// unicast_src_ip (required for IPv4); for IPv6 the link-local address or
	// unicast_src_ip (the kernel picks one when Src is the zero Addr).
	Src netip.Addr
	// Dst is the multicast group or a unicast peer.
	Dst netip.Addr
	// TTL is unicast_ttl; 0 means keepalived's default: 255 for IPv4 and
	// for IPv6 multicast, the kernel's default hop limit (64) for IPv6
	// unicast. Multicast always goes out with 255.
	TTL uint8
	// ID is the IPv4 identification: a per-instance counter the caller keeps
	// (keepalived starts at 1 and adds one per advert; every peer of one
	// round gets the same ID). Ignored for IPv6.
	ID uint16
	// Payload is the VRRP message, checksum included for IPv4. For IPv6
	// the kernel fills in the checksum (IPV6_CHECKSUM at offset 6).
	Payload []byte
	// AH, when set, sends the packet as IPv4 protocol 51 (auth_type AH):
	// Payload begins with the AH header, its ICV zero, and Write calls
	// AH.Seal once the IPv4 header is built. IPv4 only.
	AH Sealer
}

// Conn is one interface's VRRP socket for one family. Read is called from
// one goroutine; Write is safe for concurrent use; Close unblocks Read.
type Conn interface {
	// Read reads one packet's VRRP payload into b (the IP header is
	// stripped, except on an AH socket: see ConnConfig.Protocol) and
	// returns its length and metadata.
	Read(b []byte) (int, Meta, error)
	// Write sends one VRRP message.
	Write(m Message) error
	// Close closes the sockets and makes a blocked Read return ErrClosed.
	Close() error
}

// Announcer tells the LAN that an address now lives at this host's MAC.
type Announcer interface {
	// Gratuitous sends one gratuitous ARP (IPv4) or unsolicited neighbour
	// advertisement (IPv6) for addr out of interface ifindex.
	Gratuitous(ifindex int, addr netip.Addr) error
}

// Addresser adds and removes virtual addresses.
type Addresser interface {
	// Add adds v; an address that is already there is not an error.
	Add(v VIP) error
	// Del removes v; an address that is not there is not an error.
	Del(v VIP) error
}

// AddrLister lists the addresses on an interface.
type AddrLister interface {
	// List returns the addresses of family fam (0 = both) on ifindex, on
	// every interface when ifindex is 0.
	List(ifindex int, fam Family) ([]netip.Prefix, error)
}

// LinkWatcher reports interfaces and their changes.
type LinkWatcher interface {
	// Lookup returns the interface named name; ErrNoInterface names it.
	Lookup(name string) (Link, error)
	// Watch sends every link change until ctx is done, then closes the channel.
	Watch(ctx context.Context) (<-chan LinkEvent, error)
}

// LinkResolver answers questions about one interface by its index.
type LinkResolver interface {
	// ByIndex returns interface ifindex; ErrNoInterface names it.
	ByIndex(ifindex int) (Link, error)
	// PrimaryIPv4 returns the first IPv4 address on ifindex that is not
	// in exclude; ErrNoAddress when there is none.
	PrimaryIPv4(ifindex int, exclude ...netip.Addr) (netip.Addr, error)
	// LinkLocalIPv6 returns the first IPv6 link-local address on ifindex
	// that is not in exclude; ErrNoAddress when there is none.
	LinkLocalIPv6(ifindex int, exclude ...netip.Addr) (netip.Addr, error)
}

// LoopTimer is the one timer of an event loop, re-armed to the next
// deadline after every event.
type LoopTimer interface {
	// C receives a value each time the timer fires.
	C() <-chan struct{}
	// Reset arms the timer to fire after d (at once when d ≤ 0),
	// replacing any earlier setting.
	Reset(d time.Duration) error
	// Close stops the timer; C receives nothing more.
	Close() error
}
