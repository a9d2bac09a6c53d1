package vrrp

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"hash"
	"net/netip"
	"strconv"
	"time"
)

// auth_hmac, keepalived 2.4's advert authentication extension
// (draft-cassen-vrrp-auth-hmac), as keepalived 2.4.3 puts it on the wire.
// A signed advert is the unchanged VRRP message (v2 with auth type 0 and
// zero auth data, or v3; IPv4 or IPv6) followed by a 28-byte trailer:
//
//	0      type (1: HMAC-SHA256 cut to 128 bits)
//	1      key id (1-255)
//	2-3    reserved, zero
//	4-7    sequence: UTC seconds since the epoch
//	8-9    sequence: fraction of that second in 1/65536 s
//	10-11  sequence: counter within one timestamp
//	12-27  HMAC
//
// The HMAC-SHA256, keyed with the configured key, covers a 20-byte
// pseudo-header (4 or 6 for the family, the version, the VRID, a zero
// byte, the sender's source address, an IPv4 one followed by 12 zeros),
// then the message with its checksum field counted as zero, then the
// first 12 trailer bytes, then 16 zero bytes in place of the HMAC. No IP
// header field other than the source is covered, and neither is the
// destination, so every unicast copy of one advert carries the same
// trailer. The checksum does not depend on the trailer over IPv4: it
// covers the message alone (and the v3 pseudo-header counts the
// message's length only); over IPv6 the kernel computes it over the
// whole payload, trailer included (Checksum over message+trailer).
//
// A receiver finds the trailer by length alone: the payload is exactly
// the message's length (from its address count) plus 28.
const (
	// HMACTrailerLen is the length of the auth_hmac trailer.
	HMACTrailerLen = 12 + HMACLen
	// HMACLen is the length of the truncated HMAC in the trailer.
	HMACLen = 16
	// HMACTypeSHA256 is the trailer type of HMAC-SHA256-128, the only one.
	HMACTypeSHA256 = 1
	// HMACKeyMin and HMACKeyMax bound a key's length in bytes.
	HMACKeyMin = 32
	HMACKeyMax = 64
	// HMACSenders is the number of multicast senders whose sequence
	// keepalived remembers per instance (least recently used goes).
	HMACSenders = 4

	hmacPseudoLen = 20
)

// HMACSeq is the trailer's 64-bit sequence number: seconds in the high
// 32 bits, the 1/65536 s fraction in the next 16, a counter in the low 16.
// Sequences compare as RFC 1982 serial numbers (After).
type HMACSeq uint64

// SeqAt returns the sequence of time t with the counter zero, as a sender
// takes it from its realtime clock.
func SeqAt(t time.Time) HMACSeq {
	frac := uint64(t.Nanosecond()) << 16 / 1e9
	return HMACSeq(uint64(uint32(t.Unix()))<<32 | frac<<16)
}

// Sec returns the sequence's seconds field.
func (s HMACSeq) Sec() uint32 { return uint32(s >> 32) }

// After reports whether s comes after o in serial number arithmetic.
func (s HMACSeq) After(o HMACSeq) bool { return int64(s-o) > 0 }

// HMACTrailer is one decoded auth_hmac trailer.
type HMACTrailer struct {
	Type     uint8
	KeyID    uint8
	Reserved uint16
	Seq      HMACSeq
	MAC      [HMACLen]byte
}

// ParseHMACTrailer decodes the trailer at the start of b; it fails only
// when b is shorter than HMACTrailerLen.
func ParseHMACTrailer(b []byte, t *HMACTrailer) error {
	if len(b) < HMACTrailerLen {
		return ReasonTooShort
	}
	t.Type, t.KeyID = b[0], b[1]
	t.Reserved = binary.BigEndian.Uint16(b[2:4])
	t.Seq = HMACSeq(binary.BigEndian.Uint64(b[4:12]))
	copy(t.MAC[:], b[12:HMACTrailerLen])
	return nil
}

// Append appends the encoded trailer (28 bytes) to b.
func (t *HMACTrailer) Append(b []byte) []byte {
	b = append(b, t.Type, t.KeyID, byte(t.Reserved>>8), byte(t.Reserved))
	b = binary.BigEndian.AppendUint64(b, uint64(t.Seq))
	return append(b, t.MAC[:]...)
}

// SplitHMAC splits payload, the VRRP part of a received packet (after the
// IP header), into the message and the auth_hmac trailer: the trailer is
// there when payload is exactly the length the header's version and
// address count give for fam, plus HMACTrailerLen. Otherwise trailer is
// nil and msg is payload. It trusts no length field beyond len(payload).
func SplitHMAC(payload []byte, fam Family) (msg, trailer []byte) {
	if len(payload) < HeaderLen || fam.addrLen() == 0 {
		return payload, nil
	}
	n := messageLen(Version(payload[0]>>4), int(payload[3]), fam.addrLen())
	if len(payload) != n+HMACTrailerLen {
		return payload, nil
	}
	return payload[:n], payload[n:]
}

// HMACMode is keepalived's auth_hmac migration mode.
type HMACMode uint8

// Modes, in the order a group moves through them.
const (
	// HMACEnforce signs every advert and refuses any without a valid
	// trailer (the default, and the only mode vrrp_strict allows).
	HMACEnforce HMACMode = iota
	// HMACPermissive signs, and accepts unsigned adverts too.
	HMACPermissive
	// HMACReceiveOnly does not sign; it verifies trailers that are there
	// and accepts unsigned adverts.
	HMACReceiveOnly
)

// String returns the mode's configuration keyword.
func (m HMACMode) String() string {
	switch m {
	case HMACEnforce:
		return "enforce"
	case HMACPermissive:
		return "permissive"
	case HMACReceiveOnly:
		return "receive-only"
	}
	return "mode(" + strconv.Itoa(int(m)) + ")"
}

// HMACResult is the outcome of checking an advert's trailer.
type HMACResult uint8

// Results, in the order keepalived checks them.
const (
	HMACOK         HMACResult = iota // accepted (signed, or unsigned in a migration mode)
	HMACMissing                      // no trailer, in enforce mode
	HMACMalformed                    // trailer type is not 1, or reserved is not zero
	HMACStale                        // the timestamp is outside the time window
	HMACUnknownKey                   // no key with the trailer's id
	HMACBadMAC                       // the HMAC does not match
	HMACReplay                       // the sequence does not grow past the sender's last one
	numHMACResults
)

var hmacCounters = [numHMACResults]string{
	HMACOK:         "ok",
	HMACMissing:    "auth_ext_missing",
	HMACMalformed:  "auth_ext_malformed",
	HMACStale:      "auth_ext_stale",
	HMACUnknownKey: "auth_ext_unknown_key",
	HMACBadMAC:     "auth_ext_invalid_hmac",
	HMACReplay:     "auth_ext_replay",
}

// String returns keepalived 2.4's statistics counter the result
// increments ("ok" for HMACOK).
func (r HMACResult) String() string {
	if r < numHMACResults {
		return hmacCounters[r]
	}
	return "hmac_result(" + strconv.Itoa(int(r)) + ")"
}

// HMACReplayMark is one sender's anti-replay high-water mark: the last
// accepted sequence. The zero value has seen nothing. A unicast instance
// keeps one per peer and passes it to Verify.
type HMACReplayMark struct {
	Valid bool
	Seq   HMACSeq
}

// HMACKey is one configured key.
type HMACKey struct {
	ID  uint8
	Key []byte
}

type hmacSender struct {
	addr netip.Addr
	mark HMACReplayMark
	used uint32 // LRU rank, 0 for an empty slot
}

// HMAC is one instance's auth_hmac state: its keys, its send sequence and
// its multicast senders' replay marks. It takes the time from its callers
// (it reads no clock). Not safe for concurrent use; signing and verifying
// reuse its buffers and do not allocate.
type HMAC struct {
	Keys   []HMACKey
	Active uint8
	Mode   HMACMode
	// Monotonic is anti_replay monotonic: no time window, only strictly
	// growing sequences.
	Monotonic bool
	// Window is the time window in whole seconds (time mode).
	Window uint32
	// SendSeq is the last sequence sent.
	SendSeq HMACSeq
	// LastKeyID and LastSkew describe the trailer Verify saw last, for
	// keepalived's log lines: its key id, and (time mode) the receiver's
	// seconds minus the sender's, 0 in monotonic mode.
	LastKeyID uint8
	LastSkew  int32

	lru     uint32
	senders [HMACSenders]hmacSender
	peers   []hmacSender // unicast peers' marks (SetPeers)
	mac     hash.Hash
	macKey  []byte // a copy of the key mac was made with
	pseudo  [hmacPseudoLen]byte
	sum     [sha256.Size]byte
	zero    [HMACLen]byte // written for the checksum and HMAC fields (a local would escape)
}

// key returns the key with id, or nil.
func (h *HMAC) key(id uint8) []byte {
	for _, k := range h.Keys {
		if k.ID == id {
			return k.Key
		}
	}
	return nil
}

// NextSeq returns the sequence of the next advert sent at now: the clock's
// sequence, or one past the last when the clock has not moved past it —
// except in time mode when the last one is more than the window ahead of
// the clock (a clock stepped back), where it restarts from the clock.
func (h *HMAC) NextSeq(now time.Time) HMACSeq {
	clk := SeqAt(now)
	if clk.After(h.SendSeq) {
		h.SendSeq = clk
		return clk
	}
	ahead := int32(h.SendSeq.Sec() - clk.Sec())
	if !h.Monotonic && int64(ahead) > int64(h.Window) {
		h.SendSeq = clk
	} else {
		h.SendSeq++
	}
	return h.SendSeq
}

// Signs reports whether the instance sends a trailer (not receive-only).
func (h *HMAC) Signs() bool { return h.Mode != HMACReceiveOnly }

// Sign appends the trailer for msg, an encoded VRRP message at the end of
// b (b[len(b)-msgLen:]), sent by src in family fam, with the sequence
// NextSeq(now) and the active key. A receive-only instance appends
// nothing. Without the active key the HMAC stays zero, which every
// receiver refuses (as keepalived does).
func (h *HMAC) Sign(b []byte, msgLen int, fam Family, src netip.Addr, now time.Time) []byte {
	if !h.Signs() || msgLen < HeaderLen || msgLen > len(b) {
		return b
	}
	start := len(b) - msgLen
	t := HMACTrailer{Type: HMACTypeSHA256, KeyID: h.Active, Seq: h.NextSeq(now)}
	b = t.Append(b)
	if k := h.key(h.Active); k != nil {
		mac := h.compute(k, fam, src, b[start:len(b)-HMACLen])
		copy(b[len(b)-HMACLen:], mac)
	}
	return b
}

// compute returns the truncated HMAC of msgPrefix (the message and the
// first 12 trailer bytes) as the trailer's description says.
func (h *HMAC) compute(key []byte, fam Family, src netip.Addr, msgPrefix []byte) []byte {
	if h.mac == nil || !bytes.Equal(h.macKey, key) {
		h.mac, h.macKey = hmac.New(sha256.New, key), append(h.macKey[:0], key...)
	}
	p := h.pseudo[:]
	clear(p)
	p[0], p[1], p[2] = byte(fam), msgPrefix[0]>>4, msgPrefix[1]
	if src.Is4() {
		a := src.As4()
		copy(p[4:], a[:])
	} else {
		a := src.As16()
		copy(p[4:], a[:])
	}
	h.mac.Reset()
	h.mac.Write(p)
	h.mac.Write(msgPrefix[:6])
	h.mac.Write(h.zero[:2])
	h.mac.Write(msgPrefix[8:])
	h.mac.Write(h.zero[:])
	return h.mac.Sum(h.sum[:0])[:HMACLen]
}

// Verify checks the trailer of payload, the VRRP part of a packet from src
// received at now in family fam, as keepalived 2.4.3 does: a missing
// trailer (SplitHMAC) is refused only in enforce mode; then the trailer
// type and reserved field, the time window (time mode; before the HMAC
// so replayed floods cost no digest), the key id, the HMAC, and last the
// sequence against the sender's mark, which moves only then. A unicast
// instance passes the peer's mark; nil means multicast, where the marks
// of the last HMACSenders sources are kept here.
func (h *HMAC) Verify(payload []byte, fam Family, src netip.Addr, now time.Time, mark *HMACReplayMark) HMACResult {
	msg, tr := SplitHMAC(payload, fam)
	if tr == nil {
		if h.Mode == HMACEnforce {
			return HMACMissing
		}
		return HMACOK
	}
	var t HMACTrailer
	ParseHMACTrailer(tr, &t) //nolint:errcheck // SplitHMAC gave exactly HMACTrailerLen bytes
	h.LastKeyID, h.LastSkew = t.KeyID, 0
	if t.Type != HMACTypeSHA256 || t.Reserved != 0 {
		return HMACMalformed
	}
	if !h.Monotonic {
		h.LastSkew = int32(uint32(now.Unix()) - t.Seq.Sec())
	}
	if !h.Monotonic && !h.fresh(t.Seq.Sec(), now) {
		return HMACStale
	}
	k := h.key(t.KeyID)
	if k == nil {
		return HMACUnknownKey
	}
	want := h.compute(k, fam, src, payload[:len(msg)+12])
	if subtle.ConstantTimeCompare(want, t.MAC[:]) != 1 {
		return HMACBadMAC
	}
	if mark == nil {
		mark = h.sender(src)
	}
	if mark.Valid && !h.Monotonic && !h.fresh(mark.Seq.Sec(), now) {
		mark.Valid = false // a mark outside the window orders nothing the window lets in
	}
	if mark.Valid && !t.Seq.After(mark.Seq) {
		return HMACReplay
	}
	*mark = HMACReplayMark{Valid: true, Seq: t.Seq}
	return HMACOK
}

// SkewWarns reports whether an advert Verify accepted was sent more than
// half the time window away from the receiver's clock, which keepalived
// 2.4.3 warns about before the window is reached (time mode only).
func (h *HMAC) SkewWarns() bool {
	half := int64(h.Window / 2)
	return !h.Monotonic && (int64(h.LastSkew) > half || int64(h.LastSkew) < -half)
}

// fresh reports whether sec is within the window of now's seconds.
func (h *HMAC) fresh(sec uint32, now time.Time) bool {
	d := int64(int32(uint32(now.Unix()) - sec))
	return d <= int64(h.Window) && d >= -int64(h.Window)
}

// sender returns the multicast mark of src, taking the least recently
// used slot for a new source.
func (h *HMAC) sender(src netip.Addr) *HMACReplayMark {
	h.lru++
	if h.lru == 0 {
		h.lru = 1
	}
	var victim *hmacSender
	for i := range h.senders {
		s := &h.senders[i]
		if s.used != 0 && s.addr == src {
			s.used = h.lru
			return &s.mark
		}
		if victim == nil || s.used < victim.used {
			victim = s
		}
	}
	*victim = hmacSender{addr: src, used: h.lru}
	return &victim.mark
}

// HMACWindow returns keepalived's default time window for an advert
// interval: three intervals in whole seconds, at least 5 and at most 300.
func HMACWindow(interval time.Duration) uint32 {
	w := 3 * uint32(interval/time.Second)
	return min(max(w, 5), 300)
}

// SetPeers gives a unicast instance one replay mark per peer, all empty.
func (h *HMAC) SetPeers(addrs []netip.Addr) {
	h.peers = make([]hmacSender, len(addrs))
	for i, a := range addrs {
		h.peers[i].addr = a
	}
}

// peerMark returns the replay mark of unicast peer src, nil for no peer.
func (h *HMAC) peerMark(src netip.Addr) *HMACReplayMark {
	for i := range h.peers {
		if h.peers[i].addr == src {
			return &h.peers[i].mark
		}
	}
	return nil
}

// Carry takes over old's send sequence and its senders' replay marks
// (multicast ones, and those of unicast peers h still has), so that a
// reload (new keys, another active key or mode) neither lets a recent
// advert be replayed nor sends a sequence peers have seen.
func (h *HMAC) Carry(old *HMAC) {
	if old == nil {
		return
	}
	h.SendSeq, h.lru, h.senders = old.SendSeq, old.lru, old.senders
	for i := range h.peers {
		if m := old.peerMark(h.peers[i].addr); m != nil {
			h.peers[i].mark = *m
		}
	}
}
