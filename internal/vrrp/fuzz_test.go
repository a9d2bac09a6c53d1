package vrrp

import (
	"bytes"
	"encoding/hex"
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
		if v := Check(&b, out, RxInfo{Src: src, Dst: dst, TTL: 255}, &e); v.Reason != ReasonOK &&
			v.Reason != ReasonZeroInterval && v.Reason != ReasonBadChecksum {
			t.Fatalf("Check of a self-consistent advert: %+v", v)
		}
	})
}
