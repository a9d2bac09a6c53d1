package vrrp

import (
	"bytes"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func (w *wireVector) hex(t *testing.T, key string) []byte {
	t.Helper()
	b, err := w.v.Hex(key)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (w *wireVector) num(t *testing.T, key string) int {
	t.Helper()
	n, err := w.v.Int(key)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// ahVectors returns the AH adverts keepalived 2.2.7 sent (c12).
func ahVectors(t *testing.T) []wireVector {
	t.Helper()
	var out []wireVector
	for _, w := range loadAdverts(t) {
		if w.want.AuthType == AuthAH {
			if w.num(t, "ip.proto") != ProtocolAH {
				t.Fatalf("%s: auth type AH in ip.proto %d", w.v.Name, w.num(t, "ip.proto"))
			}
			out = append(out, w)
		}
	}
	if len(out) != 2 {
		t.Fatalf("got %d AH adverts, want the 2 of c12 (priority 100 and 0)", len(out))
	}
	return out
}

// TestAHVectors: keepalived's AH packets decode to the fields listed
// beside them, and the same advert, sequence number and key re-encode to
// the same bytes, ICV included.
func TestAHVectors(t *testing.T) {
	for _, w := range ahVectors(t) {
		t.Run(w.v.Name, func(t *testing.T) {
			pkt := w.v.Frame[14:]
			var h AH
			hl, msg, err := ParseAHPacket(pkt, &h)
			if err != nil {
				t.Fatalf("ParseAHPacket: %v", err)
			}
			want := AH{
				NextHeader: uint8(w.num(t, "ah.next_header")), PayloadLen: uint8(w.num(t, "ah.payload_len")),
				Reserved: uint16(w.num(t, "ah.reserved")), SPI: uint32(w.num(t, "ah.spi")),
				Seq: uint32(w.num(t, "ah.seq")), ICV: [ICVLen]byte(w.hex(t, "ah.icv")),
			}
			if diff := cmp.Diff(want, h); diff != "" {
				t.Errorf("AH header (-want +got):\n%s", diff)
			}
			if hl != w.num(t, "ip.ihl") || !bytes.Equal(msg, w.v.VRRP) {
				t.Errorf("header length %d, message %x; want %d, %x", hl, msg, w.num(t, "ip.ihl"), w.v.VRRP)
			}
			if got := h.Append(nil); !bytes.Equal(got, w.hex(t, "ah")) {
				t.Errorf("Append = %x, want %x", got, w.hex(t, "ah"))
			}

			// Re-encode: the IPv4 header as sent (system builds it), then
			// what the daemon builds, then the ICV.
			adv := w.want
			out := append([]byte(nil), pkt[:hl]...)
			ah := NewAH(w.src, h.Seq)
			out = ah.Append(out)
			out, err = adv.Append(out, Sum{Form: FormMessage})
			if err != nil {
				t.Fatal(err)
			}
			NewAHState([8]byte(w.hex(t, "ah.key.hex")), false).Seal(out, hl)
			if !bytes.Equal(out, pkt) {
				t.Errorf("re-encoded:\n got %x\nwant %x", out, pkt)
			}
			if k, p := w.hex(t, "ah.key.hex"), PassData("1234"); !bytes.Equal(k, p[:]) {
				t.Errorf("key %x is not auth_pass 1234 NUL-padded", k)
			}
		})
	}
}

// mutate returns a copy of pkt changed by f and, when reseal is set,
// sealed again with s.
func mutate(pkt []byte, s *AHState, reseal bool, f func(p []byte)) []byte {
	p := append([]byte(nil), pkt...)
	f(p)
	if reseal {
		s.Seal(p, 20)
	}
	return p
}

// TestAHCheck: what keepalived's vrrp_in_chk_ipsecah accepts and refuses.
func TestAHCheck(t *testing.T) {
	pkt := ahVectors(t)[0].v.Frame[14:] // seq 1, multicast
	key := PassData("1234")
	signer := NewAHState(key, false)
	tests := []struct {
		name    string
		key     string
		unicast bool
		seq     uint32
		pkt     []byte
		want    Reason
	}{
		{"as captured", "1234", false, 0, pkt, ReasonOK},
		{"replayed", "1234", false, 1, pkt, ReasonAHReplay},
		{"older", "1234", false, 7, pkt, ReasonAHReplay},
		{"other password", "12345", false, 0, pkt, ReasonAHICV},
		{"password past 8 bytes ignored", "1234\x00\x00\x00\x00", false, 0, pkt, ReasonOK},
		{"TOS, frag and checksum are mutable", "1234", false, 0,
			mutate(pkt, signer, false, func(p []byte) { p[1], p[6], p[7], p[10], p[11] = 0, 0x40, 0, 1, 2 }), ReasonOK},
		{"IP ID is covered", "1234", false, 0, mutate(pkt, signer, false, func(p []byte) { p[5]++ }), ReasonAHICV},
		{"TTL is covered in multicast", "1234", false, 0, mutate(pkt, signer, false, func(p []byte) { p[8] = 64 }), ReasonAHICV},
		{"priority is covered", "1234", false, 0, mutate(pkt, signer, false, func(p []byte) { p[44+2] = 200 }), ReasonAHICV},
		{"SPI not the source", "1234", false, 0, mutate(pkt, signer, true, func(p []byte) { p[27]++ }), ReasonAHSPI},
		{"next header not VRRP", "1234", false, 0, mutate(pkt, signer, true, func(p []byte) { p[20] = 6 }), ReasonAHNextHeader},
		{"short", "1234", false, 0, pkt[:20+AHLen+4], ReasonTooShort},
		{"not AH", "1234", false, 0, mutate(pkt, signer, false, func(p []byte) { p[9] = Protocol }), ReasonAHMismatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewAHState(PassData(tt.key), tt.unicast)
			s.Seq = tt.seq
			if got := s.check(tt.pkt); got != tt.want {
				t.Fatalf("check = %v, want %v", got, tt.want)
			}
			wantSeq := tt.seq
			if tt.want == ReasonOK {
				wantSeq = 1
			}
			if s.Seq != wantSeq {
				t.Errorf("counter %d after check, want %d", s.Seq, wantSeq)
			}
		})
	}

	// In unicast mode the TTL is mutable too (unicast_ttl, routers).
	uni := NewAHState(key, true)
	p := mutate(pkt, uni, true, func([]byte) {})
	p[8] = 7
	if got := NewAHState(key, true).check(p); got != ReasonOK {
		t.Errorf("unicast, TTL changed after sealing: %v, want ok", got)
	}
	if got := NewAHState(key, false).check(p); got != ReasonAHICV {
		t.Errorf("unicast-sealed packet checked in multicast mode: %v, want %v", got, ReasonAHICV)
	}
}

// TestAHCheckInCheck: Check runs the AH checks in keepalived's order and
// refuses AH where it is not expected and its absence where it is.
func TestAHCheckInCheck(t *testing.T) {
	w := ahVectors(t)[0]
	pkt := w.v.Frame[14:]
	var a Advertisement
	if err := Parse(w.v.VRRP, IPv4, &a); err != nil {
		t.Fatal(err)
	}
	ah := func(seq uint32) *Expect {
		e := w.expect(t)
		e.AH = NewAHState(PassData("1234"), false)
		e.AH.Seq = seq
		return e
	}
	noAH := w.expect(t)
	noAH.AuthType = AuthNone
	ttl := w.rx()
	ttl.Packet, ttl.TTL = pkt, 64
	tests := []struct {
		name string
		rx   RxInfo
		want *Expect
		r    Reason
	}{
		{"AH", RxInfo{Src: w.src, Dst: w.dst, TTL: 255, Packet: pkt}, ah(0), ReasonOK},
		{"replayed", RxInfo{Src: w.src, Dst: w.dst, TTL: 255, Packet: pkt}, ah(1), ReasonAHReplay},
		{"plain packet to an AH instance", w.rx(), ah(0), ReasonAHMismatch},
		{"AH packet to a plain instance", RxInfo{Src: w.src, Dst: w.dst, TTL: 255, Packet: pkt}, noAH, ReasonAHMismatch},
		{"TTL before AH", ttl, ah(0), ReasonTTL},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Check(&a, w.v.VRRP, tt.rx, tt.want); got.Reason != tt.r {
				t.Errorf("Check = %+v, want %v", got, tt.r)
			}
		})
	}
	if got := ReasonAHICV.Counter(); got != "auth_failure" {
		t.Errorf("bad ICV counts as %q, want auth_failure", got)
	}
	if got := ReasonAHNextHeader.Counter(); got != "" {
		t.Errorf("next header counts as %q; keepalived drops it uncounted", got)
	}
}

// TestAHCounter: keepalived's sequence numbering: from 1, one per round,
// stop at 0xFFFFFFFE and mark the counter cycled; a new master starts a
// cycled counter again; a master hearing a lower priority moves past it.
func TestAHCounter(t *testing.T) {
	s := NewAHState(PassData("x"), false)
	if got := []uint32{s.Next(), s.Next()}; got[0] != 1 || got[1] != 2 {
		t.Fatalf("first numbers %v, want [1 2]", got)
	}
	s.BecomeMaster()
	if s.Seq != 2 {
		t.Fatalf("BecomeMaster reset an uncycled counter to %d", s.Seq)
	}
	s.Seq = 0xfffffffd
	if got := s.Next(); got != 0xfffffffe || s.Cycled {
		t.Fatalf("Next = %#x cycled %v, want 0xfffffffe not cycled", got, s.Cycled)
	}
	if got := s.Next(); got != 0xfffffffe || !s.Cycled {
		t.Fatalf("Next at the end = %#x cycled %v, want 0xfffffffe cycled", got, s.Cycled)
	}
	s.BecomeMaster()
	if got := s.Next(); got != 1 || s.Cycled {
		t.Fatalf("after BecomeMaster Next = %d cycled %v, want 1", got, s.Cycled)
	}
	s.Seq = 41 // accepted a lower priority's 41
	s.HeardLower()
	if got := s.Next(); got != 43 {
		t.Errorf("after HeardLower at 41 Next = %d, want 43 (keepalived: seq+1, then the advert's increment)", got)
	}
}

// TestAHSealNoAlloc: sealing an advert allocates nothing.
func TestAHSealNoAlloc(t *testing.T) {
	pkt := append([]byte(nil), ahVectors(t)[0].v.Frame[14:]...)
	s := NewAHState(PassData("1234"), false)
	if n := testing.AllocsPerRun(100, func() { s.Seal(pkt, 20) }); n != 0 {
		t.Errorf("Seal allocates %v times", n)
	}
}

// BenchmarkAHSeal measures sealing one c12-sized advert (78-byte frame).
func BenchmarkAHSeal(b *testing.B) {
	pkt := mustHex(b, "45c0004000010000ff33190dc0a80102e000001270040000c0a801020000000132c0d92f1fb049277facfcb5215864010201b6ddc0a8011f0000000000000000")
	s := NewAHState(PassData("1234"), false)
	b.ReportAllocs()
	for b.Loop() {
		s.Seal(pkt, 20)
	}
}
