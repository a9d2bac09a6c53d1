package vrrp

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
)

// ChecksumForm is one of the ways keepalived computes the VRRP checksum.
// The zero value, FormNone, means no form (none matched, or none checked).
type ChecksumForm uint8

// Checksum forms seen on the wire (see ../shared/vectors/README.md).
const (
	FormNone ChecksumForm = iota
	// FormMessage covers the VRRP message only: every v2 advert, and v3
	// over IPv4 with v3_checksum_as_v2 (RFC 9568 §5.2.8).
	FormMessage
	// FormPseudo adds the pseudo-header with the packet's real source and
	// destination: v3 over IPv6 (40-byte header), and v3 over IPv4
	// (12-byte header), keepalived's default, also in unicast.
	FormPseudo
	// FormPseudoGroup is the IPv4 pseudo-header with 224.0.0.18 as the
	// destination whatever the real one: keepalived before 1.3.6 in
	// unicast, and old_unicast_checksum.
	FormPseudoGroup
)

// String returns the form's name as the vector files write it.
func (f ChecksumForm) String() string {
	switch f {
	case FormNone:
		return "none"
	case FormMessage:
		return "message-only"
	case FormPseudo:
		return "pseudo-header"
	case FormPseudoGroup:
		return "pseudo-header-group"
	}
	return "form(" + strconv.Itoa(int(f)) + ")"
}

// Sum says how to compute one checksum: the form, and the IP source and
// destination of the packet (needed by FormPseudo; FormPseudoGroup uses
// only Src).
type Sum struct {
	Form     ChecksumForm
	Src, Dst netip.Addr
}

var errNoForm = errors.New("no checksum form")

// Checksum returns the checksum of the VRRP message msg computed as s
// says, with msg's own checksum field (bytes 6 and 7) counted as zero.
func Checksum(msg []byte, s Sum) (uint16, error) {
	acc, err := pseudoSum(s, len(msg))
	if err != nil {
		return 0, err
	}
	if len(msg) < HeaderLen {
		return 0, fmt.Errorf("checksum: message of %d bytes is shorter than the header", len(msg))
	}
	acc = sum16(acc, msg[:6])
	acc = sum16(acc, msg[8:])
	return ^fold(acc), nil
}

// PutChecksum computes the checksum of msg as s says and writes it into
// msg's checksum field. A sender uses it to re-address one encoded advert
// to each unicast peer; every call computes from scratch (the 2.2.8 bug of
// patching the previous peer's sum is not copied).
func PutChecksum(msg []byte, s Sum) error {
	c, err := Checksum(msg, s)
	if err != nil {
		return err
	}
	binary.BigEndian.PutUint16(msg[6:8], c)
	return nil
}

// VerifyChecksum reports whether msg's checksum field is right for s: the
// one's-complement sum over pseudo-header and message, field included, is
// all ones (so both 0x0000 and 0xffff pass for a zero sum, as in
// keepalived's in_csum check).
func VerifyChecksum(msg []byte, s Sum) bool {
	if len(msg) < HeaderLen {
		return false
	}
	acc, err := pseudoSum(s, len(msg))
	if err != nil {
		return false
	}
	return fold(sum16(acc, msg)) == 0xffff
}

// pseudoSum returns the one's-complement partial sum of the pseudo-header
// that s asks for, for a message of n bytes.
func pseudoSum(s Sum, n int) (uint64, error) {
	switch s.Form {
	case FormMessage:
		return 0, nil
	case FormPseudoGroup:
		if !s.Src.Is4() {
			return 0, fmt.Errorf("checksum %v: source %v is not IPv4", s.Form, s.Src)
		}
		return pseudo4(s.Src, GroupIPv4, n), nil
	case FormPseudo:
		switch {
		case s.Src.Is4() && s.Dst.Is4():
			return pseudo4(s.Src, s.Dst, n), nil
		case s.Src.Is6() && s.Dst.Is6() && !s.Src.Is4In6() && !s.Dst.Is4In6():
			return pseudo6(s.Src, s.Dst, n), nil
		}
		return 0, fmt.Errorf("checksum %v: source %v and destination %v are not one family", s.Form, s.Src, s.Dst)
	}
	return 0, fmt.Errorf("checksum %v: %w", s.Form, errNoForm)
}

// pseudo4 sums the 12-byte IPv4 pseudo-header: src, dst, 0, 112, length.
func pseudo4(src, dst netip.Addr, n int) uint64 {
	s, d := src.As4(), dst.As4()
	acc := sum16(0, s[:])
	acc = sum16(acc, d[:])
	return acc + Protocol + uint64(n&0xffff)
}

// pseudo6 sums the 40-byte IPv6 pseudo-header (RFC 8200 §8.1): src, dst,
// 32-bit length, three zero bytes, next header 112.
func pseudo6(src, dst netip.Addr, n int) uint64 {
	s, d := src.As16(), dst.As16()
	acc := sum16(0, s[:])
	acc = sum16(acc, d[:])
	l := uint64(n)
	return acc + l>>16 + l&0xffff + Protocol
}

// sum16 adds b to acc as big-endian 16-bit words, padding an odd last
// byte with zero. A 64-bit accumulator cannot overflow for any slice that
// fits in memory, so callers fold once at the end.
func sum16(acc uint64, b []byte) uint64 {
	for len(b) >= 2 {
		acc += uint64(b[0])<<8 | uint64(b[1])
		b = b[2:]
	}
	if len(b) == 1 {
		acc += uint64(b[0]) << 8
	}
	return acc
}

// fold reduces a 64-bit one's-complement accumulator to 16 bits.
func fold(acc uint64) uint16 {
	for acc > 0xffff {
		acc = acc>>16 + acc&0xffff
	}
	return uint16(acc)
}
