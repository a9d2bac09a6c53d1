package system

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
)

// Frame sizes on the wire (veth and bridges do not pad to 60 bytes).
const (
	GARPLen = 14 + 28          // Ethernet + ARP
	NALen   = 14 + 40 + 24 + 8 // Ethernet + IPv6 + NA + target link-layer option
	ipv4Len = 20               // keepalived's IPv4 header has no options
	tosVRRP = 0xc0             // keepalived's IPv4 TOS and IPv6 traffic class (network control)
)

var (
	broadcastMAC = net.HardwareAddr{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	allNodesMAC  = net.HardwareAddr{0x33, 0x33, 0, 0, 0, 1}
	allNodes     = netip.MustParseAddr("ff02::1")
)

// AppendGARP appends keepalived's gratuitous ARP for addr (IPv4) from mac:
// an ARP request to the Ethernet broadcast address with sender and target
// protocol address addr and target hardware address broadcast (42 bytes).
func AppendGARP(b []byte, mac net.HardwareAddr, addr netip.Addr) []byte {
	a4 := addr.As4()
	b = append(b, broadcastMAC...)
	b = append(b, mac[:6]...)
	b = append(b, 0x08, 0x06) // ARP
	b = append(b, 0, 1, 0x08, 0, 6, 4, 0, 1)
	b = append(b, mac[:6]...)
	b = append(b, a4[:]...)
	b = append(b, broadcastMAC...)
	return append(b, a4[:]...)
}

// AppendUnsolicitedNA appends keepalived's unsolicited neighbour
// advertisement for addr (IPv6) from mac: to ff02::1 (33:33:00:00:00:01)
// with IPv6 source addr itself, hop limit 255, traffic class 0, flag
// Override plus Router when router is true, and a target link-layer address
// option (86 bytes).
func AppendUnsolicitedNA(b []byte, mac net.HardwareAddr, addr netip.Addr, router bool) []byte {
	src, dst := addr.As16(), allNodes.As16()
	b = append(b, allNodesMAC...)
	b = append(b, mac[:6]...)
	b = append(b, 0x86, 0xdd)
	b = append(b, 0x60, 0, 0, 0, 0, 32, 58, 255) // version 6, plen 32, ICMPv6, hop limit 255
	b = append(b, src[:]...)
	b = append(b, dst[:]...)
	icmp := len(b)
	var flags byte = 0x20 // Override
	if router {
		flags |= 0x80
	}
	b = append(b, 136, 0, 0, 0, flags, 0, 0, 0)
	b = append(b, src[:]...)
	b = append(b, 2, 1) // target link-layer address, 8 bytes
	b = append(b, mac[:6]...)
	sum := pseudoSum6(src, dst, 58, uint32(len(b)-icmp))
	binary.BigEndian.PutUint16(b[icmp+2:], finish(sum+onesSum(b[icmp:])))
	return b
}

// appendAdvert4 appends the IPv4 packet keepalived sends for m: the
// header (TTL 255, or unicast_ttl to a unicast peer), the payload, and
// with m.AH protocol 51 and the ICV sealed over both.
func appendAdvert4(b []byte, m Message) []byte {
	ttl := uint8(255)
	if !m.Dst.IsMulticast() && m.TTL != 0 {
		ttl = m.TTL
	}
	proto := uint8(Protocol)
	if m.AH != nil {
		proto = ProtocolAH
	}
	h := len(b)
	b = appendIPv4Header(b, m.Src, m.Dst, ttl, m.ID, proto, len(m.Payload))
	b = append(b, m.Payload...)
	if m.AH != nil {
		m.AH.Seal(b[h:], ipv4Len)
	}
	return b
}

// appendIPv4Header appends the IPv4 header keepalived builds for a VRRP
// advert (IP_HDRINCL): no options, TOS 0xc0, no DF, the caller's id and
// TTL, protocol 112 (51 with AH), header checksum filled in.
func appendIPv4Header(b []byte, src, dst netip.Addr, ttl uint8, id uint16, proto uint8, payloadLen int) []byte {
	h := len(b)
	s, d := src.As4(), dst.As4()
	total := ipv4Len + payloadLen
	b = append(b, 0x45, tosVRRP, byte(total>>8), byte(total), byte(id>>8), byte(id), 0, 0, ttl, proto, 0, 0)
	b = append(b, s[:]...)
	b = append(b, d[:]...)
	binary.BigEndian.PutUint16(b[h+10:], finish(onesSum(b[h:])))
	return b
}

var errShortIPv4 = errors.New("short or malformed ipv4 header")

// parseIPv4 reads the header of a raw IPv4 packet and returns the header
// length and the metadata in it. It never trusts a length field.
func parseIPv4(b []byte) (int, Meta, error) {
	if len(b) < ipv4Len || b[0]>>4 != 4 {
		return 0, Meta{}, errShortIPv4
	}
	hl := int(b[0]&0x0f) * 4
	if hl < ipv4Len || hl > len(b) {
		return 0, Meta{}, fmt.Errorf("ipv4 header length %d of %d bytes: %w", hl, len(b), errShortIPv4)
	}
	m := Meta{
		TTL: b[8],
		Src: netip.AddrFrom4([4]byte(b[12:16])),
		Dst: netip.AddrFrom4([4]byte(b[16:20])),
	}
	return hl, m, nil
}

func onesSum(b []byte) uint32 {
	var s uint32
	for len(b) >= 2 {
		s += uint32(b[0])<<8 | uint32(b[1])
		b = b[2:]
	}
	if len(b) == 1 {
		s += uint32(b[0]) << 8
	}
	return s
}

func pseudoSum6(src, dst [16]byte, proto uint8, length uint32) uint32 {
	s := onesSum(src[:]) + onesSum(dst[:])
	return s + length>>16 + length&0xffff + uint32(proto)
}

func finish(s uint32) uint16 {
	for s>>16 != 0 {
		s = s&0xffff + s>>16
	}
	return ^uint16(s)
}
