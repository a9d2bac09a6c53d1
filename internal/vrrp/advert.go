package vrrp

import (
	"net/netip"
	"time"
)

// Version is the VRRP protocol version carried in the high nibble of the
// first byte. The zero value is invalid.
type Version uint8

// Protocol versions.
const (
	V2 Version = 2 // RFC 3768
	V3 Version = 3 // RFC 5798 / RFC 9568
)

// AuthType is the VRRPv2 authentication type. Version 3 has none.
type AuthType uint8

// VRRPv2 authentication types as keepalived uses them.
const (
	AuthNone AuthType = 0 // no authentication, 8 zero bytes of auth data
	AuthPass AuthType = 1 // keepalived PASS: up to 8 bytes of clear text
	AuthAH   AuthType = 2 // IPsec AH: 8 zero bytes here, the AH header before the message (ah.go)
)

// Advertisement is one decoded VRRP advertisement (type 1).
type Advertisement struct {
	Version  Version
	VRID     uint8
	Priority uint8
	// Interval is the advertisement interval: whole seconds in v2,
	// centiseconds (12 bits) in v3.
	Interval time.Duration
	// Addrs are the virtual addresses in wire order; all IPv4 or all IPv6.
	Addrs []netip.Addr
	// AuthType and AuthData are only meaningful in v2.
	AuthType AuthType
	AuthData [8]byte
	// Checksum is the checksum field as found on the wire (Parse) or as
	// written (AppendBinary).
	Checksum uint16
	// Reserved is the v3 Rsvd nibble before the interval: sent as 0,
	// ignored on receive, kept so that Parse and AppendBinary round-trip.
	Reserved uint8
}
