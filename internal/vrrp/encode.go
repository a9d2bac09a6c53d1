package vrrp

import (
	"encoding/binary"
	"fmt"
)

// AppendBinary appends the encoded advertisement to b with the
// message-only checksum (FormMessage): the form of every v2 advert and of
// v3 over IPv4 with v3_checksum_as_v2. For the pseudo-header forms use
// Append. It has the shape of encoding.BinaryAppender and records the
// checksum it wrote in a.Checksum.
func (a *Advertisement) AppendBinary(b []byte) ([]byte, error) {
	return a.Append(b, Sum{Form: FormMessage})
}

// Append appends the encoded advertisement to b with the checksum
// computed as s says, records that checksum in a.Checksum, and returns
// the extended slice; with enough capacity in b it does not allocate.
//
// A v2 advert carries IPv4 addresses, a whole number of seconds up to 255
// and auth type none, PASS or AH with AuthData as the 8-byte trailer (zero
// for AH: the AH header, which the socket layer puts before the message,
// carries the authentication). A v3
// advert carries addresses of one family and a multiple of 10 ms up to
// 40.95 s; v3 has no authentication, so AuthType and AuthData are not
// written (keepalived ignores an authentication block for v3). On error b
// is returned unchanged.
func (a *Advertisement) Append(b []byte, s Sum) ([]byte, error) {
	field, err := a.intervalField()
	if err != nil {
		return b, err
	}
	if err := a.checkAddrs(); err != nil {
		return b, err
	}
	if a.Version == V2 && a.AuthType > AuthAH {
		return b, fmt.Errorf("encode vrrp v2 auth type %v: not supported", a.AuthType)
	}
	if s.Form == FormNone {
		return b, fmt.Errorf("encode vrrp: %w", errNoForm)
	}
	start := len(b)
	b = append(b, byte(a.Version)<<4|TypeAdvertisement, a.VRID, a.Priority, byte(len(a.Addrs)))
	if a.Version == V2 {
		b = append(b, byte(a.AuthType), byte(field), 0, 0)
	} else {
		b = append(b, byte(field>>8), byte(field), 0, 0)
	}
	for _, ip := range a.Addrs {
		if ip.Is4() {
			v := ip.As4()
			b = append(b, v[:]...)
		} else {
			v := ip.As16()
			b = append(b, v[:]...)
		}
	}
	if a.Version == V2 {
		b = append(b, a.AuthData[:]...)
	}
	msg := b[start:]
	c, err := Checksum(msg, s)
	if err != nil {
		return b[:start], fmt.Errorf("encode vrrp: %w", err)
	}
	binary.BigEndian.PutUint16(msg[6:8], c)
	a.Checksum = c
	return b, nil
}

// intervalField returns the 16 bits at offset 4 that hold the interval:
// v2 seconds in the low byte (the auth type goes in the high one), v3 the
// Reserved nibble and 12 bits of centiseconds.
func (a *Advertisement) intervalField() (uint16, error) {
	switch a.Version {
	case V2:
		if a.Interval < 0 || a.Interval > MaxV2Interval || a.Interval%second != 0 {
			return 0, fmt.Errorf("encode vrrp v2 interval %v: want whole seconds from 0 to 255", a.Interval)
		}
		return uint16(a.Interval / second), nil
	case V3:
		if a.Interval < 0 || a.Interval > MaxV3Interval || a.Interval%centisecond != 0 {
			return 0, fmt.Errorf("encode vrrp v3 interval %v: want a multiple of 10ms from 0 to 40.95s", a.Interval)
		}
		if a.Reserved > 0x0f {
			return 0, fmt.Errorf("encode vrrp v3 reserved bits %#x: more than 4 bits", a.Reserved)
		}
		return uint16(a.Reserved)<<12 | uint16(a.Interval/centisecond), nil
	}
	return 0, fmt.Errorf("encode vrrp: %w", ReasonBadVersion)
}

// checkAddrs verifies the count and that all addresses are of one family
// (IPv4 for v2), without zones. An IPv4-mapped IPv6 address is a 16-byte
// IPv6 address on the wire, so it encodes in an IPv6 advert (Parse gives
// one back for such bytes, and what Parse accepts must encode again).
func (a *Advertisement) checkAddrs() error {
	if len(a.Addrs) > 255 {
		return fmt.Errorf("encode vrrp: %d addresses, at most 255 fit", len(a.Addrs))
	}
	fam := a.family()
	if a.Version == V2 && fam != IPv4 {
		return fmt.Errorf("encode vrrp v2: %w", ReasonFamily)
	}
	for i, ip := range a.Addrs {
		ok := ip.Is4()
		if fam == IPv6 {
			ok = ip.Is6() && ip.Zone() == ""
		}
		if !ok {
			return fmt.Errorf("encode vrrp address %d %v: not %v like the first", i, ip, fam)
		}
	}
	return nil
}
