package vrrp

import (
	"crypto/subtle"
	"net/netip"
	"strconv"
	"time"
)

// RxInfo is what the socket reports about a received advert.
type RxInfo struct {
	// Src and Dst are the IP source and destination. Dst decides whether
	// the packet was multicast; both feed the pseudo-header checksum.
	Src, Dst netip.Addr
	// TTL is the IPv4 TTL or IPv6 hop limit; negative when the socket did
	// not report it, which skips the TTL checks (as keepalived does).
	TTL int
	// Packet is the whole IPv4 packet (header, AH header, VRRP message)
	// when the advert came with IP protocol 51 (IPsec AH), nil otherwise:
	// the AH ICV covers the IP header.
	Packet []byte
	// Payload is the VRRP payload as received, message and any auth_hmac
	// trailer, when the instance has auth_hmac (Expect.HMAC): the raw
	// message Check is given is then Payload without its trailer
	// (SplitHMAC). Over IPv6 the checksum covers Payload.
	Payload []byte
	// Now is when the advert arrived, for auth_hmac's time window.
	Now time.Time
}

// ChecksumMode is how an instance computes and verifies v3 IPv4
// checksums, from keepalived's v3_checksum_as_v2 and old_unicast_checksum.
// It has no effect on v2 (always message-only) or on IPv6 (always the
// IPv6 pseudo-header).
type ChecksumMode uint8

// Checksum modes. The zero value is keepalived's default.
const (
	// ChecksumDefault: pseudo-header with the real destination; in
	// unicast, an advert that fails is tried again with 224.0.0.18 and,
	// if that matches, accepted with Verdict.Form FormPseudoGroup (the
	// daemon then switches to the old form, as keepalived does).
	ChecksumDefault ChecksumMode = iota
	// ChecksumAsV2: message only (v3_checksum_as_v2, keepalived ≥ 2.2.8).
	ChecksumAsV2
	// ChecksumOldUnicast: pseudo-header with 224.0.0.18 always
	// (old_unicast_checksum).
	ChecksumOldUnicast
	// ChecksumNoFallback: like ChecksumDefault without the 224.0.0.18
	// retry (old_unicast_checksum never).
	ChecksumNoFallback
)

// String returns the mode's name.
func (m ChecksumMode) String() string {
	switch m {
	case ChecksumDefault:
		return "default"
	case ChecksumAsV2:
		return "v3_checksum_as_v2"
	case ChecksumOldUnicast:
		return "old_unicast_checksum"
	case ChecksumNoFallback:
		return "old_unicast_checksum never"
	}
	return "mode(" + strconv.Itoa(int(m)) + ")"
}

// SendForm returns the checksum form an instance in mode m sends v3 IPv4
// adverts with (unicast says whether it unicasts).
func (m ChecksumMode) SendForm(unicast bool) ChecksumForm {
	switch {
	case m == ChecksumAsV2:
		return FormMessage
	case m == ChecksumOldUnicast && unicast:
		return FormPseudoGroup
	}
	return FormPseudo
}

// Peer is one unicast_peer with its accepted TTL range (min_ttl, max_ttl;
// MaxTTL 0 means 255).
type Peer struct {
	Addr           netip.Addr
	MinTTL, MaxTTL uint8
}

// Expect is what one instance accepts; the daemon builds it from config.
type Expect struct {
	Version  Version
	VRID     uint8
	AuthType AuthType // v2 only
	AuthData [8]byte  // v2 PASS: the password NUL-padded to 8 bytes
	// AH is the key and sequence counter of an AuthAH instance. Check
	// moves its counter to the number of every AH advert that passes the
	// AH checks, as keepalived does.
	AH *AHState
	// HMAC is the instance's auth_hmac state, nil without auth_hmac:
	// Check verifies rx.Payload's trailer after the TTL, version and VRID
	// checks, as keepalived 2.4.3 does, and moves the sender's replay
	// mark. A unicast instance keeps one mark per peer (HMAC.SetPeers)
	// and refuses a signed advert from a sender not among them.
	HMAC *HMAC
	// Interval is the local advert interval: a v2 advert with another is
	// dropped (ReasonIntervalMismatch); in v3 a difference is only flagged.
	Interval time.Duration
	// Unicast is true when the instance has unicast peers: no TTL 255
	// check, and the packet must not be multicast.
	Unicast  bool
	Checksum ChecksumMode
	// AcceptAnyForm also accepts the other standard v3 IPv4 forms
	// (message-only and the pseudo-header with the real destination),
	// for peers configured differently. keepalived does not.
	AcceptAnyForm bool
	// CheckAddrs compares the advert's addresses with VIPs (keepalived
	// does unless vrrp_skip_check_adv_addr applies).
	CheckAddrs bool
	VIPs       []netip.Addr
	// CheckPeers requires the source to be one of Peers and its TTL to be
	// in that peer's range (check_unicast_src); only when Unicast and
	// CheckAddrs.
	CheckPeers bool
	Peers      []Peer
}

// Verdict is the outcome of Check.
type Verdict struct {
	Reason Reason
	// Form is the checksum form that matched, also when a later check
	// refused the advert; FormNone when the checksum did not match or was
	// not checked (IPv6 without both addresses: the kernel verifies).
	Form ChecksumForm
	// FirstNotLinkLocal: a v3 IPv6 advert whose first address is not
	// link-local (RFC 9568 §5.2.9 wants it); keepalived accepts it.
	FirstNotLinkLocal bool
	// IntervalDiffers: a v3 advert with another interval than ours;
	// accepted (a backup adopts it), worth a log line.
	IntervalDiffers bool
}

// OK reports whether the advert was accepted.
func (v Verdict) OK() bool { return v.Reason == ReasonOK }

// Check applies the receive checks of RFC 3768/9568 §7.1 and keepalived's
// vrrp_check_packet, in keepalived's order, to a, which Parse decoded
// from raw (the VRRP message) received as rx. It never allocates. For an
// AH instance it also verifies rx.Packet's AH header and advances
// want.AH's counter.
func Check(a *Advertisement, raw []byte, rx RxInfo, want *Expect) Verdict {
	var v Verdict
	v.Reason = checkHeader(a, rx, want)
	if v.Reason != ReasonOK {
		return v
	}
	if want.CheckAddrs && len(a.Addrs) != len(want.VIPs) {
		v.Reason = ReasonAddrCount
		return v
	}
	var ok bool
	if v.Form, ok = checkSum(a, raw, rx, want); !ok {
		v.Reason = ReasonBadChecksum
		return v
	}
	if rx.Dst.IsValid() && rx.Dst.IsMulticast() == want.Unicast {
		v.Reason = ReasonCastMismatch
		return v
	}
	if want.CheckAddrs {
		if v.Reason = checkAddrs(a, rx, want); v.Reason != ReasonOK {
			return v
		}
	}
	if a.Version == V3 {
		v.IntervalDiffers = a.Interval != want.Interval
		v.FirstNotLinkLocal = len(a.Addrs) > 0 && a.Addrs[0].Is6() && !a.Addrs[0].IsLinkLocalUnicast()
	}
	return v
}

// checkHeader checks TTL, version, VRID, authentication and interval.
func checkHeader(a *Advertisement, rx RxInfo, want *Expect) Reason {
	switch {
	case (rx.Packet != nil) != (want.AuthType == AuthAH):
		return ReasonAHMismatch
	case !want.Unicast && rx.TTL >= 0 && rx.TTL != TTL:
		return ReasonTTL
	case a.Version != want.Version:
		return ReasonBadVersion
	case a.VRID != want.VRID:
		return ReasonUnknownVRID
	}
	if want.HMAC != nil {
		if r := checkHMAC(rx, want); r != ReasonOK {
			return r
		}
	}
	if a.Version == V2 {
		if a.AuthType != want.AuthType {
			return ReasonAuthTypeMismatch
		}
		if a.AuthType == AuthPass && subtle.ConstantTimeCompare(a.AuthData[:], want.AuthData[:]) != 1 {
			return ReasonAuthFailure
		}
		if a.AuthType == AuthAH {
			if want.AH == nil {
				return ReasonAHICV
			}
			if r := want.AH.check(rx.Packet); r != ReasonOK {
				return r
			}
		}
		if a.Interval != want.Interval {
			return ReasonIntervalMismatch
		}
	}
	// An advert without addresses is accepted, as keepalived accepts it:
	// instances without virtual_ipaddress (no_virtual_ipaddress, a notify
	// script moving a cloud floating IP) send count 0, and refusing them
	// makes both routers master. RFC 9568 erratum 8299 would refuse them.
	if a.Interval == 0 {
		return ReasonZeroInterval
	}
	return ReasonOK
}

// checkSum verifies raw's checksum in the forms want accepts and returns
// the first that matches.
func checkSum(a *Advertisement, raw []byte, rx RxInfo, want *Expect) (ChecksumForm, bool) {
	if a.Version == V2 {
		return verified(raw, Sum{Form: FormMessage})
	}
	if a.family() == IPv6 || rx.Src.Is6() {
		if !rx.Src.IsValid() || !rx.Dst.IsValid() {
			return FormNone, true
		}
		if rx.Payload != nil {
			raw = rx.Payload // the kernel's checksum covers the auth_hmac trailer too
		}
		return verified(raw, Sum{Form: FormPseudo, Src: rx.Src, Dst: rx.Dst})
	}
	var forms formList
	switch want.Checksum {
	case ChecksumAsV2:
		forms.add(FormMessage)
	case ChecksumOldUnicast:
		forms.add(FormPseudoGroup)
	default:
		forms.add(FormPseudo)
		if want.Checksum == ChecksumDefault && want.Unicast {
			forms.add(FormPseudoGroup) // keepalived's automatic fallback
		}
	}
	if want.AcceptAnyForm {
		forms.add(FormPseudo)
		forms.add(FormMessage)
	}
	for _, f := range forms.f[:forms.n] {
		if VerifyChecksum(raw, Sum{Form: f, Src: rx.Src, Dst: rx.Dst}) {
			return f, true
		}
	}
	return FormNone, false
}

// verified returns s.Form and true if raw's checksum is right for s.
func verified(raw []byte, s Sum) (ChecksumForm, bool) {
	if VerifyChecksum(raw, s) {
		return s.Form, true
	}
	return FormNone, false
}

// formList is a small set of checksum forms in the order to try them.
type formList struct {
	f [3]ChecksumForm
	n int
}

func (l *formList) add(f ChecksumForm) {
	for _, g := range l.f[:l.n] {
		if g == f {
			return
		}
	}
	l.f[l.n] = f
	l.n++
}

// checkAddrs checks that every configured VIP is in the advert and, with
// CheckPeers, the unicast source and its TTL.
func checkAddrs(a *Advertisement, rx RxInfo, want *Expect) Reason {
	for _, vip := range want.VIPs {
		found := false
		for _, ip := range a.Addrs {
			if ip == vip.WithZone("") {
				found = true
				break
			}
		}
		if !found {
			return ReasonAddrList
		}
	}
	if !want.Unicast || !want.CheckPeers {
		return ReasonOK
	}
	for _, p := range want.Peers {
		if p.Addr != rx.Src {
			continue
		}
		hi := p.MaxTTL
		if hi == 0 {
			hi = 255
		}
		if rx.TTL >= 0 && (rx.TTL < int(p.MinTTL) || rx.TTL > int(hi)) {
			return ReasonTTL
		}
		return ReasonOK
	}
	return ReasonUnicastSource
}

var hmacReasons = [numHMACResults]Reason{
	HMACOK:         ReasonOK,
	HMACMissing:    ReasonHMACMissing,
	HMACMalformed:  ReasonHMACMalformed,
	HMACStale:      ReasonHMACStale,
	HMACUnknownKey: ReasonHMACUnknownKey,
	HMACBadMAC:     ReasonHMACBadMAC,
	HMACReplay:     ReasonHMACReplay,
}

// checkHMAC verifies rx.Payload's auth_hmac trailer with want.HMAC. A
// unicast sender that is not a peer is refused before any digest (when
// the advert has a trailer; keepalived has no mark to check it against).
func checkHMAC(rx RxInfo, want *Expect) Reason {
	fam := IPv4
	if rx.Src.Is6() {
		fam = IPv6
	}
	var mark *HMACReplayMark
	if want.Unicast {
		if _, tr := SplitHMAC(rx.Payload, fam); tr != nil {
			if mark = want.HMAC.peerMark(rx.Src); mark == nil {
				return ReasonUnicastSource
			}
		}
	}
	return hmacReasons[want.HMAC.Verify(rx.Payload, fam, rx.Src, rx.Now, mark)]
}
