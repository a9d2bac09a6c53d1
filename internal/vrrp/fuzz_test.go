package vrrp

import (
	"bytes"
	"encoding/hex"
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzParse: Parse never panics; what it accepts re-encodes to the same
// bytes (the checksum field aside, which Append recomputes) and parses
// back to the same Advertisement; Check never panics on it.
func FuzzParse(f *testing.F) {
	for _, b := range bases() {
		raw, _ := hex.DecodeString(b.raw)
		f.Add(raw, b.fam == IPv6)
	}
	f.Add([]byte{}, false)
	f.Add([]byte{0x21, 1, 100, 0, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, false)
	f.Add([]byte{0x31, 1, 100, 0, 0xf0, 0, 0, 0}, true)
	f.Fuzz(func(t *testing.T, in []byte, v6 bool) {
		fam := IPv4
		if v6 {
			fam = IPv6
		}
		var a Advertisement
		if err := Parse(in, fam, &a); err != nil {
			if _, ok := err.(Reason); !ok {
				t.Fatalf("Parse error %T %v is not a Reason", err, err)
			}
			return
		}
		out, err := a.Append(nil, Sum{Form: FormMessage})
		if err != nil {
			t.Fatalf("Append of a parsed advert %+v: %v", a, err)
		}
		if len(out) != len(in) || !bytes.Equal(out[:6], in[:6]) || !bytes.Equal(out[8:], in[8:]) {
			t.Fatalf("round trip:\n in %x\nout %x", in, out)
		}
		if !VerifyChecksum(out, Sum{Form: FormMessage}) {
			t.Fatalf("Append wrote a checksum that does not verify: %x", out)
		}
		var b Advertisement
		if err := Parse(out, fam, &b); err != nil {
			t.Fatalf("re-Parse: %v", err)
		}
		if diff := cmp.Diff(a, b, cmpOpts); diff != "" {
			t.Fatalf("re-Parse (-first +second):\n%s", diff)
		}
		src, dst := ip("192.168.1.2"), GroupIPv4
		if v6 {
			src, dst = ip("fe80::2"), GroupIPv6
		}
		e := Expect{Version: a.Version, VRID: a.VRID, AuthType: a.AuthType, AuthData: a.AuthData,
			Interval: a.Interval, CheckAddrs: true, VIPs: a.Addrs, AcceptAnyForm: true}
		if v := Check(&a, in, RxInfo{Src: src, Dst: dst, TTL: 255}, &e); v.Reason == ReasonOK && a.Interval == 0 {
			t.Fatalf("Check accepted an advert with interval 0: %+v", v)
		}
		// An AH advert without its AH header is refused (FuzzParseAH
		// checks it inside its packet).
		if v := Check(&b, out, RxInfo{Src: src, Dst: dst, TTL: 255}, &e); v.Reason != ReasonOK &&
			v.Reason != ReasonZeroInterval && v.Reason != ReasonBadChecksum &&
			(v.Reason != ReasonAHMismatch || a.AuthType != AuthAH) {
			t.Fatalf("Check of a self-consistent advert: %+v", v)
		}
	})
}

// FuzzParseAH: ParseAHPacket and ParseAH never panic; an AH header
// re-encodes to its bytes; a packet they accept, sealed, passes the AH
// checks once (and is a replay the second time), and its VRRP message
// goes through Parse and Check without a panic.
func FuzzParseAH(f *testing.F) {
	f.Add(mustHex(f, "45c0004000010000ff33190dc0a80102e000001270040000c0a801020000000132c0d92f1fb049277facfcb5215864010201b6ddc0a8011f0000000000000000"), false)
	f.Add(mustHex(f, "46c0004400010000ff33190dc0a80102e00000120000000070040000c0a80102000000050000000000000000000000002158000102010000c0a8011f0000000000000000"), true)
	f.Add([]byte{0x45}, false)
	f.Fuzz(func(t *testing.T, in []byte, unicast bool) {
		var h AH
		if ParseAH(in, &h) == nil && !bytes.Equal(h.Append(nil), in[:AHLen]) {
			t.Fatalf("AH round trip: %x -> %+v -> %x", in[:AHLen], h, h.Append(nil))
		}
		hl, msg, err := ParseAHPacket(in, &h)
		if err != nil {
			if _, ok := err.(Reason); !ok {
				t.Fatalf("ParseAHPacket error %T %v is not a Reason", err, err)
			}
			return
		}
		if hl+AHLen+len(msg) != len(in) {
			t.Fatalf("split %d + %d + %d of %d bytes", hl, AHLen, len(msg), len(in))
		}
		pkt := append([]byte(nil), in...)
		s := NewAHState(PassData("fuzz"), unicast)
		s.Seal(pkt, hl)
		r := s.check(pkt)
		switch {
		case h.NextHeader != Protocol:
			if r != ReasonAHNextHeader {
				t.Fatalf("next header %d: check = %v", h.NextHeader, r)
			}
		case h.SPI != uint32(pkt[12])<<24|uint32(pkt[13])<<16|uint32(pkt[14])<<8|uint32(pkt[15]):
			if r != ReasonAHSPI {
				t.Fatalf("SPI %#x: check = %v", h.SPI, r)
			}
		case h.Seq == 0:
			if r != ReasonAHReplay {
				t.Fatalf("seq 0: check = %v", r)
			}
		default:
			if r != ReasonOK || s.Seq != h.Seq {
				t.Fatalf("sealed packet: check = %v, counter %d, seq %d", r, s.Seq, h.Seq)
			}
			if r := s.check(pkt); r != ReasonAHReplay {
				t.Fatalf("second check = %v, want replay", r)
			}
		}
		var a Advertisement
		if Parse(msg, IPv4, &a) == nil {
			e := Expect{Version: a.Version, VRID: a.VRID, AuthType: AuthAH, Interval: a.Interval, AH: NewAHState(PassData("fuzz"), unicast)}
			Check(&a, msg, RxInfo{Src: netip.AddrFrom4([4]byte(pkt[12:16])), Dst: GroupIPv4, TTL: 255, Packet: pkt}, &e)
		}
	})
}
