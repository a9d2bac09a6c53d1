package vrrp

import (
	"net/netip"
	"strconv"
)

// Family is the IP address family an advertisement travels in. The VRRP
// message alone does not say whether v3 addresses are 4 or 16 bytes long,
// so the receiver passes the family of the socket it read from. The zero
// value is invalid.
type Family uint8

// Address families.
const (
	IPv4 Family = 4
	IPv6 Family = 6
)

// String returns "ipv4", "ipv6" or "family(N)".
func (f Family) String() string {
	switch f {
	case IPv4:
		return "ipv4"
	case IPv6:
		return "ipv6"
	}
	return "family(" + strconv.Itoa(int(f)) + ")"
}

// addrLen is the size of one address on the wire, or 0 for an invalid family.
func (f Family) addrLen() int {
	switch f {
	case IPv4:
		return 4
	case IPv6:
		return 16
	}
	return 0
}

// String returns "v2", "v3" or "version(N)".
func (v Version) String() string {
	switch v {
	case V2:
		return "v2"
	case V3:
		return "v3"
	}
	return "version(" + strconv.Itoa(int(v)) + ")"
}

// String returns keepalived's name of the auth type: "none", "PASS", "AH",
// or "authtype(N)".
func (t AuthType) String() string {
	switch t {
	case AuthNone:
		return "none"
	case AuthPass:
		return "PASS"
	case AuthAH:
		return "AH"
	}
	return "authtype(" + strconv.Itoa(int(t)) + ")"
}

// Wire constants (RFC 3768 §5, RFC 9568 §5).
const (
	// Protocol is the IP protocol number of VRRP.
	Protocol = 112
	// TTL is the IPv4 TTL / IPv6 hop limit a multicast advert must carry.
	TTL = 255
	// HeaderLen is the fixed part of every advertisement.
	HeaderLen = 8
	// AuthLen is the v2 authentication data trailer, always present in v2.
	AuthLen = 8
	// TypeAdvertisement is the only VRRP message type.
	TypeAdvertisement = 1
	// MaxV3Interval is the largest v3 interval: 4095 centiseconds.
	MaxV3Interval = 4095 * centisecond
	// MaxV2Interval is the largest v2 interval: 255 seconds.
	MaxV2Interval = 255 * second
)

// Multicast groups adverts are sent to (RFC 3768 §5.2.2, RFC 9568 §5.1.2.2).
var (
	GroupIPv4 = netip.AddrFrom4([4]byte{224, 0, 0, 18})
	GroupIPv6 = netip.MustParseAddr("ff02::12")
)

// Len returns the length in bytes of the encoded message.
func (a *Advertisement) Len() int {
	return messageLen(a.Version, len(a.Addrs), a.family().addrLen())
}

// family returns the family of the first address (IPv4 when there are none).
func (a *Advertisement) family() Family {
	if len(a.Addrs) > 0 && a.Addrs[0].Is6() {
		return IPv6
	}
	return IPv4
}

// messageLen is the length of a message with n addresses of alen bytes.
func messageLen(v Version, n, alen int) int {
	l := HeaderLen + n*alen
	if v == V2 {
		l += AuthLen
	}
	return l
}

// PassData returns a keepalived auth_pass as the 8 bytes a v2 PASS
// advert carries: cut to its first 8 bytes (keepalived logs "Truncating
// auth_pass to 8 characters") and NUL-padded.
func PassData(password string) [AuthLen]byte {
	var b [AuthLen]byte
	copy(b[:], password)
	return b
}
