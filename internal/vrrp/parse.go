package vrrp

import (
	"encoding/binary"
	"net/netip"
	"time"
)

const (
	second      = time.Second
	centisecond = 10 * time.Millisecond
)

// Parse decodes the VRRP message b (version/type byte to the end, v2
// authentication data included, no IP header) received over family fam
// into a, reusing the capacity of a.Addrs so that a steady stream of
// adverts decodes without allocating.
//
// Parse checks only the structure: the version is 2 or 3, the type is
// advertisement, the length is exactly what the address count implies
// (never trusting the count), v2 is not carried over IPv6, and the v2
// auth type is none, PASS or AH. Whether the advert is acceptable to an instance is
// Check's business. On failure the error is a Reason and a is left in an
// unspecified state; Parse never panics.
func Parse(b []byte, fam Family, a *Advertisement) error {
	alen := fam.addrLen()
	if alen == 0 {
		return ReasonFamily
	}
	if len(b) < HeaderLen {
		return ReasonTooShort
	}
	v := Version(b[0] >> 4)
	if v != V2 && v != V3 {
		return ReasonBadVersion
	}
	if b[0]&0x0f != TypeAdvertisement {
		return ReasonInvalidType
	}
	if v == V2 && fam != IPv4 {
		return ReasonFamily
	}
	n := int(b[3])
	if v == V2 && len(b) < HeaderLen+AuthLen {
		return ReasonTooShort
	}
	if len(b) != messageLen(v, n, alen) {
		return ReasonLength
	}
	a.Version = v
	a.VRID = b[1]
	a.Priority = b[2]
	a.Checksum = binary.BigEndian.Uint16(b[6:8])
	if v == V2 {
		switch t := AuthType(b[4]); t {
		case AuthNone, AuthPass, AuthAH:
			a.AuthType = t
		default:
			return ReasonInvalidAuthType
		}
		a.Interval = time.Duration(b[5]) * second
		a.Reserved = 0
		copy(a.AuthData[:], b[len(b)-AuthLen:])
	} else {
		a.AuthType = AuthNone
		a.AuthData = [8]byte{}
		a.Reserved = b[4] >> 4
		a.Interval = time.Duration(binary.BigEndian.Uint16(b[4:6])&0x0fff) * centisecond
	}
	a.Addrs = a.Addrs[:0]
	for off := HeaderLen; off < HeaderLen+n*alen; off += alen {
		if alen == 4 {
			a.Addrs = append(a.Addrs, netip.AddrFrom4([4]byte(b[off:off+4])))
		} else {
			a.Addrs = append(a.Addrs, netip.AddrFrom16([16]byte(b[off:off+16])))
		}
	}
	return nil
}

// ParseAdvertisement is Parse into a new Advertisement.
func ParseAdvertisement(b []byte, fam Family) (Advertisement, error) {
	var a Advertisement
	err := Parse(b, fam, &a)
	return a, err
}
