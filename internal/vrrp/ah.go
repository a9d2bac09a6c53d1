package vrrp

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/subtle"
	"encoding/binary"
	"hash"
	"net/netip"
)

// IPsec AH as keepalived 2.2.7 puts it before a VRRPv2 advert with
// auth_type AH (RFC 2402 layout, HMAC-MD5-96 of RFC 2403/2104): IPv4
// protocol 51, then a 24-byte AH header, then the VRRP message with auth
// type 2 and 8 zero bytes of auth data.
const (
	// ProtocolAH is the IP protocol number of the Authentication Header.
	ProtocolAH = 51
	// AHLen is the length of the AH header: 12 fixed bytes and the ICV.
	AHLen = 12 + ICVLen
	// ICVLen is the length of the ICV: HMAC-MD5 cut to 96 bits.
	ICVLen = 12
	// AHPayloadLen is the AH payload length field for a 96-bit ICV: the
	// header's length in 32-bit words minus 2 (RFC 2402 §2.2).
	AHPayloadLen = AHLen/4 - 2

	ipv4MinHeader = 20
	ipv4MaxHeader = 60
)

// AH is one IPsec Authentication Header.
type AH struct {
	NextHeader uint8 // 112 (VRRP)
	PayloadLen uint8 // AHPayloadLen
	Reserved   uint16
	// SPI is the sender's IPv4 source address as a big-endian number:
	// keepalived has no security association to take one from.
	SPI uint32
	// Seq is the sender's sequence number (see AHState).
	Seq uint32
	ICV [ICVLen]byte
}

// ParseAH decodes the AH header at the start of b. Like keepalived it
// assumes the 24-byte layout whatever PayloadLen says; it fails only
// when b is shorter than that.
func ParseAH(b []byte, h *AH) error {
	if len(b) < AHLen {
		return ReasonTooShort
	}
	h.NextHeader, h.PayloadLen = b[0], b[1]
	h.Reserved = binary.BigEndian.Uint16(b[2:4])
	h.SPI = binary.BigEndian.Uint32(b[4:8])
	h.Seq = binary.BigEndian.Uint32(b[8:12])
	copy(h.ICV[:], b[12:AHLen])
	return nil
}

// Append appends the encoded header (24 bytes) to b.
func (h *AH) Append(b []byte) []byte {
	b = append(b, h.NextHeader, h.PayloadLen, byte(h.Reserved>>8), byte(h.Reserved))
	b = binary.BigEndian.AppendUint32(b, h.SPI)
	b = binary.BigEndian.AppendUint32(b, h.Seq)
	return append(b, h.ICV[:]...)
}

// NewAH returns the header keepalived sends from src with sequence
// number seq, its ICV still zero (AHState.Seal fills it in).
func NewAH(src netip.Addr, seq uint32) AH {
	s := src.As4()
	return AH{NextHeader: Protocol, PayloadLen: AHPayloadLen, SPI: binary.BigEndian.Uint32(s[:]), Seq: seq}
}

// ParseAHPacket splits pkt, a whole IPv4 packet that should carry AH,
// into its header length, its AH header (into h) and the VRRP message
// after them. It fails with ReasonTooShort when the headers and a VRRP
// header do not fit, and with ReasonAHMismatch when the packet is not
// IPv4 protocol 51. It never trusts a length field beyond len(pkt).
func ParseAHPacket(pkt []byte, h *AH) (hl int, msg []byte, err error) {
	if len(pkt) < ipv4MinHeader {
		return 0, nil, ReasonTooShort
	}
	if pkt[0]>>4 != 4 || pkt[9] != ProtocolAH {
		return 0, nil, ReasonAHMismatch
	}
	hl = int(pkt[0]&0x0f) * 4
	if hl < ipv4MinHeader || len(pkt) < hl+AHLen+HeaderLen {
		return 0, nil, ReasonTooShort
	}
	if err := ParseAH(pkt[hl:], h); err != nil {
		return 0, nil, err
	}
	return hl, pkt[hl+AHLen:], nil
}

// AHState is one instance's IPsec AH key and keepalived's anti-replay
// counter (ipsecah_counter), which sending and receiving share: a sender
// numbers its adverts from one more than the highest it sent or accepted,
// and a receiver accepts only numbers above it. So a new master carries
// on above the old one's numbers, and a router that restarted (counter 0)
// learns the current number from the first advert it hears — which is
// why keepalived starts an AH instance in BACKUP. Not safe for concurrent
// use; it reuses its buffers, so sealing and checking do not allocate.
type AHState struct {
	// Seq is the highest sequence number sent or accepted.
	Seq uint32
	// Cycled says Seq reached 0xFFFFFFFE and stopped there; the next time
	// the instance becomes master it starts again from 1 (keepalived's
	// "cycle" flag). An accepted advert clears it.
	Cycled bool

	unicast bool
	mac     hash.Hash
	hdr     [ipv4MaxHeader + AHLen]byte
	sum     [md5.Size]byte
}

// NewAHState returns the AH state of an instance whose auth_pass, as the
// 8 NUL-padded bytes keepalived keys HMAC-MD5 with, is key. In unicast
// mode (unicast peers) the TTL is left out of the ICV as well.
func NewAHState(key [AuthLen]byte, unicast bool) *AHState {
	return &AHState{unicast: unicast, mac: hmac.New(md5.New, key[:])}
}

// maxSeq is the last sequence number keepalived sends before it marks
// the counter cycled.
const maxSeq = 0xfffffffe

// Next returns the sequence number of the next advert round (every
// unicast peer of a round gets the same one): one more than Seq, the
// first being 1; at 0xFFFFFFFE it stays there and marks the counter
// cycled.
func (s *AHState) Next() uint32 {
	if s.Seq >= maxSeq {
		s.Cycled = true
	} else {
		s.Seq++
	}
	return s.Seq
}

// HeardLower is keepalived's "Syncing seq_num" of a master that accepted
// an advert of lower priority: it moves the counter one past that
// advert's number, so its own next advert is two above it.
func (s *AHState) HeardLower() {
	s.Seq++
	s.Cycled = false
}

// BecomeMaster resets a cycled counter, as keepalived does when an
// instance becomes master.
func (s *AHState) BecomeMaster() {
	if s.Cycled {
		s.Seq, s.Cycled = 0, false
	}
}

// ICV returns the ICV of pkt, an IPv4 packet whose header is hl bytes
// followed by the AH header and the VRRP message: HMAC-MD5 cut to 96
// bits over the packet with the IPv4 TOS, flags/fragment offset and
// header checksum zeroed (and the TTL in unicast mode), and the ICV field
// zeroed; the IP identification and the multicast TTL are covered.
func (s *AHState) ICV(pkt []byte, hl int) (icv [ICVLen]byte, ok bool) {
	if hl < ipv4MinHeader || hl > ipv4MaxHeader || len(pkt) < hl+AHLen {
		return icv, false
	}
	h := s.hdr[:hl+AHLen]
	copy(h, pkt)
	h[1] = 0          // TOS
	h[6], h[7] = 0, 0 // flags, fragment offset
	h[10], h[11] = 0, 0
	if s.unicast {
		h[8] = 0
	}
	clear(h[hl+12:])
	s.mac.Reset()
	s.mac.Write(h)
	s.mac.Write(pkt[hl+AHLen:])
	copy(icv[:], s.mac.Sum(s.sum[:0]))
	return icv, true
}

// Seal writes the ICV into pkt (see ICV); pkt too short for its headers
// is left alone. It makes AHState a system.Sealer.
func (s *AHState) Seal(pkt []byte, hl int) {
	if icv, ok := s.ICV(pkt, hl); ok {
		copy(pkt[hl+12:], icv[:])
	}
}

// check verifies an AH packet as keepalived's vrrp_in_chk_ipsecah does:
// next header, ICV, SPI against the source, then the sequence number,
// which on success becomes the counter (also when a later check refuses
// the advert, as in keepalived).
func (s *AHState) check(pkt []byte) Reason {
	var h AH
	hl, _, err := ParseAHPacket(pkt, &h)
	if err != nil {
		return err.(Reason)
	}
	if h.NextHeader != Protocol {
		return ReasonAHNextHeader
	}
	icv, _ := s.ICV(pkt, hl)
	if subtle.ConstantTimeCompare(icv[:], h.ICV[:]) != 1 {
		return ReasonAHICV
	}
	if h.SPI != binary.BigEndian.Uint32(pkt[12:16]) {
		return ReasonAHSPI
	}
	if h.Seq <= s.Seq {
		return ReasonAHReplay
	}
	s.Seq, s.Cycled = h.Seq, false
	return ReasonOK
}
