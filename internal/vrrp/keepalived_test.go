package vrrp

import (
	"bytes"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/vectors"
	"github.com/google/go-cmp/cmp"
)

// wireVector is an advert vector with the fields the tests need decoded.
type wireVector struct {
	v        vectors.Vector
	fam      Family
	src, dst netip.Addr
	ttl      int
	want     Advertisement // the fields listed beside the packet
	form     vectors.Checksum
}

// loadAdverts returns every advert of both vector files.
func loadAdverts(t *testing.T) []wireVector {
	t.Helper()
	var out []wireVector
	for _, file := range []string{vectors.File227, vectors.File228} {
		for _, v := range vectors.Adverts(vectors.LoadT(t, file)) {
			out = append(out, decodeVector(t, v))
		}
	}
	if len(out) != 67 {
		t.Fatalf("got %d advert vectors, want 67 (59 from 2.2.7, 8 from 2.2.8)", len(out))
	}
	return out
}

func decodeVector(t *testing.T, v vectors.Vector) wireVector {
	t.Helper()
	w := wireVector{v: v, fam: IPv4}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	num := func(key string) int {
		t.Helper()
		n, err := v.Int(key)
		must(err)
		return n
	}
	if num("ip.version") == 6 {
		w.fam = IPv6
	}
	var err error
	w.src, err = v.Addr("ip.src")
	must(err)
	w.dst, err = v.Addr("ip.dst")
	must(err)
	w.ttl = num("ip.ttl")
	w.form, err = v.ChecksumForm()
	must(err)
	a := &w.want
	a.Version = Version(num("vrrp.version"))
	a.VRID = uint8(num("vrrp.vrid"))
	a.Priority = uint8(num("vrrp.priority"))
	a.Checksum = uint16(num("vrrp.checksum"))
	a.Addrs, err = v.Addrs("vrrp.addresses")
	must(err)
	unit, err := v.Str("vrrp.adver_int.unit")
	must(err)
	switch unit {
	case "s":
		a.Interval = time.Duration(num("vrrp.adver_int")) * time.Second
	case "cs":
		a.Interval = time.Duration(num("vrrp.adver_int")) * 10 * time.Millisecond
	default:
		t.Fatalf("%s: unit %q", v.Name, unit)
	}
	if a.Version == V2 {
		a.AuthType = AuthType(num("vrrp.auth_type"))
		ad, err := v.Hex("vrrp.auth_data.hex")
		must(err)
		text, err := v.Text("vrrp.auth_data.text")
		must(err)
		if !bytes.Equal(ad, text) || len(ad) != 8 {
			t.Fatalf("%s: auth_data hex %x and text %q disagree", v.Name, ad, text)
		}
		a.AuthData = [8]byte(ad)
	} else {
		a.Reserved = uint8(num("vrrp.rsvd"))
	}
	if num("vrrp.count") != len(a.Addrs) || num("vrrp.length") != len(v.VRRP) {
		t.Fatalf("%s: count/length fields disagree with the addresses/message", v.Name)
	}
	if num("vrrp.type") != TypeAdvertisement {
		t.Fatalf("%s: type %d", v.Name, num("vrrp.type"))
	}
	return w
}

// sum maps the vector's checksum_form to ours; ok is false for "none".
func (w *wireVector) sum(t *testing.T) (Sum, bool) {
	t.Helper()
	switch w.form.Form {
	case "message-only":
		return Sum{Form: FormMessage}, true
	case "pseudo-header", "ipv6-pseudo-header":
		if w.form.Src != w.src {
			t.Fatalf("%s: pseudo-header src %v is not ip.src %v", w.v.Name, w.form.Src, w.src)
		}
		if w.form.Dst == w.dst {
			return Sum{Form: FormPseudo, Src: w.src, Dst: w.dst}, true
		}
		if w.form.Dst == GroupIPv4 {
			return Sum{Form: FormPseudoGroup, Src: w.src, Dst: w.dst}, true
		}
		t.Fatalf("%s: pseudo-header dst %v is neither ip.dst nor the group", w.v.Name, w.form.Dst)
	case "none":
		return Sum{}, false
	}
	t.Fatalf("%s: checksum_form %q", w.v.Name, w.form.Form)
	return Sum{}, false
}

// TestVectorsDecode: every advert decodes to the fields listed beside it
// (AH adverts: the VRRP message after the AH header; ah_test.go checks
// the AH header).
func TestVectorsDecode(t *testing.T) {
	var a Advertisement
	for _, w := range loadAdverts(t) {
		t.Run(w.v.Name, func(t *testing.T) {
			if err := Parse(w.v.VRRP, w.fam, &a); err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if diff := cmp.Diff(w.want, a, cmpOpts); diff != "" {
				t.Errorf("decoded (-want +got):\n%s", diff)
			}
		})
	}
}

// TestVectorsEncode: every advert re-encodes to exactly its bytes with
// the checksum form the vector lists, and our three checksum forms agree
// with the values tools/vrrpcheck.py recomputed. The 2.2.8 "none" vectors
// (v3_checksum_as_v2 with a second unicast peer) are matched by no form:
// we recognise them as wrong and do not reproduce them.
func TestVectorsEncode(t *testing.T) {
	var buf []byte
	none := 0
	for _, w := range loadAdverts(t) {
		t.Run(w.v.Name, func(t *testing.T) {
			checkRecomputed(t, w)
			s, ok := w.sum(t)
			if !ok {
				none++
				checkNoneForm(t, w)
				return
			}
			a := w.want
			a.Checksum = 0
			var err error
			buf, err = a.Append(buf[:0], s)
			if err != nil {
				t.Fatalf("Append: %v", err)
			}
			if !bytes.Equal(buf, w.v.VRRP) {
				t.Errorf("Append(%v):\n got %x\nwant %x", s.Form, buf, w.v.VRRP)
			}
			if a.Checksum != w.want.Checksum {
				t.Errorf("a.Checksum = %#04x, want %#04x", a.Checksum, w.want.Checksum)
			}
			if !VerifyChecksum(w.v.VRRP, s) {
				t.Errorf("VerifyChecksum(%v) = false", s.Form)
			}
		})
	}
	if none != 2 {
		t.Errorf("%d vectors with checksum_form none, want the 2 from c05u", none)
	}
}

// checkRecomputed compares Checksum in each form with the vector's
// checksum.message_only / pseudo_ip_dst / pseudo_mcast_dst values.
func checkRecomputed(t *testing.T, w wireVector) {
	t.Helper()
	forms := []struct {
		key string
		s   Sum
	}{
		{"checksum.message_only", Sum{Form: FormMessage}},
		{"checksum.pseudo_ip_dst", Sum{Form: FormPseudo, Src: w.src, Dst: w.dst}},
		{"checksum.pseudo_mcast_dst", Sum{Form: FormPseudoGroup, Src: w.src}},
	}
	for _, f := range forms {
		if !w.v.Has(f.key) {
			continue
		}
		want, match, err := w.v.Match(f.key)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Checksum(w.v.VRRP, f.s)
		if err != nil {
			t.Fatalf("Checksum(%v): %v", f.s.Form, err)
		}
		if got != want {
			t.Errorf("%s: Checksum = %#04x, want %#04x", f.key, got, want)
		}
		if v := VerifyChecksum(w.v.VRRP, f.s); v != match {
			t.Errorf("%s: VerifyChecksum = %v, vector says match=%v", f.key, v, match)
		}
	}
}

func checkNoneForm(t *testing.T, w wireVector) {
	t.Helper()
	if !strings.Contains(w.v.Fields["checksum.explained"], "keepalived bug") {
		t.Errorf("none form without the bug explanation: %q", w.v.Fields["checksum.explained"])
	}
	var a Advertisement
	if err := Parse(w.v.VRRP, w.fam, &a); err != nil {
		t.Fatalf("Parse: %v", err)
	}
	want := w.expect(t)
	want.AcceptAnyForm = true
	got := Check(&a, w.v.VRRP, w.rx(), want)
	if got.Reason != ReasonBadChecksum {
		t.Errorf("Check of the 2.2.8 bug packet = %+v, want %v", got, ReasonBadChecksum)
	}
	// What we send to that peer instead: the correct message-only sum.
	a.Checksum = 0
	b, err := a.Append(nil, Sum{Form: FormMessage})
	if err != nil {
		t.Fatal(err)
	}
	if m, _, _ := w.v.Match("checksum.message_only"); a.Checksum != m || bytes.Equal(b, w.v.VRRP) {
		t.Errorf("our message-only sum %#04x, want %#04x (and unlike keepalived's %#04x)", a.Checksum, m, w.want.Checksum)
	}
}

func (w *wireVector) rx() RxInfo { return RxInfo{Src: w.src, Dst: w.dst, TTL: w.ttl} }

// expect builds the receiving instance's settings for a vector: the
// sender's own settings (its peers mirror it), checksum mode from its
// keepalived.conf as that keepalived version reads it.
func (w *wireVector) expect(t *testing.T) *Expect {
	t.Helper()
	a := &w.want
	e := &Expect{
		Version: a.Version, VRID: a.VRID, AuthType: a.AuthType, AuthData: a.AuthData,
		Interval: a.Interval, Unicast: !w.dst.IsMulticast(),
		CheckAddrs: true, VIPs: a.Addrs,
		CheckPeers: true, Peers: []Peer{{Addr: w.src}},
	}
	global, inst := configOf(t, w)
	switch {
	case strings.Contains(inst, "old_unicast_checksum;"):
		e.Checksum = ChecksumOldUnicast
	case strings.HasPrefix(w.v.Fields["daemon"], "Keepalived v2.2.8") &&
		strings.Contains(global, "v3_checksum_as_v2;") && !strings.Contains(inst, "v3_checksum_as_v2 false"):
		e.Checksum = ChecksumAsV2
	}
	return e
}

// configOf splits the vector's flattened config into global_defs and the
// vrrp_instance block with the vector's VRID.
func configOf(t *testing.T, w *wireVector) (global, inst string) {
	t.Helper()
	cfg := w.v.Fields["config"]
	parts := strings.Split(cfg, "vrrp_instance ")
	id := "virtual_router_id " + strconv.Itoa(int(w.want.VRID)) + ";"
	for _, p := range parts[1:] {
		if strings.Contains(p, id) {
			return parts[0], p
		}
	}
	t.Fatalf("%s: no instance with %q in %q", w.v.Name, id, cfg)
	return "", ""
}

// TestVectorsCheck: the receive check accepts every valid advert in its
// context and reports the checksum form the vector lists.
func TestVectorsCheck(t *testing.T) {
	var a Advertisement
	for _, w := range loadAdverts(t) {
		s, ok := w.sum(t)
		if !ok {
			continue
		}
		t.Run(w.v.Name, func(t *testing.T) {
			if err := Parse(w.v.VRRP, w.fam, &a); err != nil {
				t.Fatalf("Parse: %v", err)
			}
			want := Verdict{Form: s.Form}
			if a.Version == V3 && w.fam == IPv6 {
				want.FirstNotLinkLocal = !a.Addrs[0].IsLinkLocalUnicast()
			}
			e, rx := w.expect(t), w.rx()
			if a.AuthType == AuthAH { // the key from the vector, a fresh counter
				e.AH, rx.Packet = NewAHState([8]byte(w.hex(t, "ah.key.hex")), e.Unicast), w.v.Frame[14:]
			}
			got := Check(&a, w.v.VRRP, rx, e)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Check (-want +got):\n%s", diff)
			}
		})
	}
}

// TestVectorsOldUnicastFallback: a 2.2.7 receiver in the default mode
// accepts the old_unicast_checksum form of c07d/c07g through the
// 224.0.0.18 fallback and says so; with "old_unicast_checksum never" it
// refuses it, and an old_unicast_checksum receiver refuses the standard
// form (docs/interop.md, "Checksums").
func TestVectorsOldUnicastFallback(t *testing.T) {
	var oldForm, stdForm []wireVector
	for _, w := range loadAdverts(t) {
		if s, ok := w.sum(t); ok && w.fam == IPv4 && w.want.Version == V3 && !w.dst.IsMulticast() {
			switch s.Form {
			case FormPseudoGroup:
				oldForm = append(oldForm, w)
			case FormPseudo:
				stdForm = append(stdForm, w)
			}
		}
	}
	if len(oldForm) == 0 || len(stdForm) == 0 {
		t.Fatalf("got %d old-form and %d standard unicast v3 vectors", len(oldForm), len(stdForm))
	}
	check := func(w wireVector, mode ChecksumMode, want Verdict) {
		t.Helper()
		var a Advertisement
		if err := Parse(w.v.VRRP, w.fam, &a); err != nil {
			t.Fatal(err)
		}
		e := w.expect(t)
		e.Checksum = mode
		if diff := cmp.Diff(want, Check(&a, w.v.VRRP, w.rx(), e)); diff != "" {
			t.Errorf("%s in mode %v (-want +got):\n%s", w.v.Name, mode, diff)
		}
	}
	for _, w := range oldForm {
		check(w, ChecksumDefault, Verdict{Form: FormPseudoGroup})
		check(w, ChecksumNoFallback, Verdict{Reason: ReasonBadChecksum})
	}
	for _, w := range stdForm {
		check(w, ChecksumOldUnicast, Verdict{Reason: ReasonBadChecksum})
		check(w, ChecksumNoFallback, Verdict{Form: FormPseudo})
	}
}
