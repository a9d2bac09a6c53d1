package vrrp

import (
	"bytes"
	"encoding/hex"
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestAppend(t *testing.T) {
	tests := []struct {
		name string
		a    Advertisement
		sum  Sum
		want string // hex
	}{
		{
			name: "v2 pass (c01-v2-pass-blog/01)",
			a: Advertisement{Version: V2, VRID: 80, Priority: 100, Interval: 2 * time.Second,
				Addrs: ips("192.168.1.6"), AuthType: AuthPass, AuthData: pass("1234")},
			sum:  Sum{Form: FormMessage},
			want: "21" + "50" + "64" + "01" + "01" + "02" + "5397" + "c0a80106" + "3132333400000000",
		},
		{
			name: "v2 priority 0 (c01-v2-pass-blog, a on SIGTERM)",
			a: Advertisement{Version: V2, VRID: 80, Priority: 0, Interval: 2 * time.Second,
				Addrs: ips("192.168.1.6"), AuthType: AuthPass, AuthData: pass("1234")},
			sum:  Sum{Form: FormMessage},
			want: "21" + "50" + "00" + "01" + "01" + "02" + "b797" + "c0a80106" + "3132333400000000",
		},
		{
			name: "v3 ipv4 multicast (c04a-v3-ipv4-adv1/01)",
			a:    Advertisement{Version: V3, VRID: 53, Priority: 100, Interval: time.Second, Addrs: ips("192.168.1.20")},
			sum:  Sum{Form: FormPseudo, Src: ip("192.168.1.2"), Dst: GroupIPv4},
			want: "31" + "35" + "64" + "01" + "0064" + "066f" + "c0a80114",
		},
		{
			name: "v3 unicast old form (c07d-v3-unicast-old-checksum/01)",
			a:    Advertisement{Version: V3, VRID: 84, Priority: 100, Interval: time.Second, Addrs: ips("192.168.1.15")},
			sum:  Sum{Form: FormPseudoGroup, Src: ip("192.168.1.2"), Dst: ip("192.168.1.3")},
			want: "31" + "54" + "64" + "01" + "0064" + "0655" + "c0a8010f",
		},
		{
			name: "v3 ipv6 (c06-v3-ipv6/01)",
			a:    Advertisement{Version: V3, VRID: 60, Priority: 100, Interval: time.Second, Addrs: ips("fe80::1", "2001:db8::10")},
			sum:  Sum{Form: FormPseudo, Src: ip("fe80::2"), Dst: GroupIPv6},
			want: "31" + "3c" + "64" + "02" + "0064" + "3fe2" + "fe800000000000000000000000000001" + "20010db8000000000000000000000010",
		},
		{
			name: "v3 auth ignored, reserved kept, 40.95s",
			a: Advertisement{Version: V3, VRID: 1, Priority: 1, Interval: MaxV3Interval, Reserved: 0xf,
				AuthType: AuthPass, AuthData: pass("secret"), Addrs: ips("10.0.0.1")},
			sum:  Sum{Form: FormMessage},
			want: "31" + "01" + "01" + "01" + "ffff" + "c3fc" + "0a000001",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prefix := []byte{0xde, 0xad}
			a := tt.a
			got, err := a.Append(prefix, tt.sum)
			if err != nil {
				t.Fatalf("Append: %v", err)
			}
			if diff := cmp.Diff(tt.want, hex.EncodeToString(got[2:])); diff != "" {
				t.Errorf("Append (-want +got):\n%s", diff)
			}
			if !bytes.Equal(got[:2], prefix) {
				t.Errorf("prefix clobbered: %x", got[:2])
			}
			if a.Len() != len(got)-2 {
				t.Errorf("Len() = %d, encoded %d", a.Len(), len(got)-2)
			}
			if want := uint16(got[8])<<8 | uint16(got[9]); a.Checksum != want {
				t.Errorf("a.Checksum = %#04x, wrote %#04x", a.Checksum, want)
			}
			if tt.sum.Form == FormMessage {
				b := tt.a
				bin, err := b.AppendBinary(nil)
				if err != nil || !bytes.Equal(bin, got[2:]) {
					t.Errorf("AppendBinary = %x, %v; want %x", bin, err, got[2:])
				}
			}
		})
	}
}

func TestAppendErrors(t *testing.T) {
	v4 := ips("192.168.1.6")
	tests := []struct {
		name string
		a    Advertisement
		sum  Sum
	}{
		{"version unset", Advertisement{Addrs: v4, Interval: time.Second}, Sum{Form: FormMessage}},
		{"version 4", Advertisement{Version: 4, Addrs: v4, Interval: time.Second}, Sum{Form: FormMessage}},
		{"v2 fractional interval", Advertisement{Version: V2, Addrs: v4, Interval: 1500 * time.Millisecond}, Sum{Form: FormMessage}},
		{"v2 interval 256s", Advertisement{Version: V2, Addrs: v4, Interval: 256 * time.Second}, Sum{Form: FormMessage}},
		{"v2 negative interval", Advertisement{Version: V2, Addrs: v4, Interval: -time.Second}, Sum{Form: FormMessage}},
		{"v3 5ms", Advertisement{Version: V3, Addrs: v4, Interval: 5 * time.Millisecond}, Sum{Form: FormMessage}},
		{"v3 41s", Advertisement{Version: V3, Addrs: v4, Interval: 41 * time.Second}, Sum{Form: FormMessage}},
		{"v3 reserved 16", Advertisement{Version: V3, Addrs: v4, Interval: time.Second, Reserved: 16}, Sum{Form: FormMessage}},
		{"v2 ipv6", Advertisement{Version: V2, Addrs: ips("fe80::1"), Interval: time.Second}, Sum{Form: FormMessage}},
		{"v2 mixed", Advertisement{Version: V2, Addrs: ips("10.0.0.1", "fe80::1"), Interval: time.Second}, Sum{Form: FormMessage}},
		{"v3 mixed", Advertisement{Version: V3, Addrs: ips("fe80::1", "10.0.0.1"), Interval: time.Second}, Sum{Form: FormMessage}},
		{"v3 zone", Advertisement{Version: V3, Addrs: ips("fe80::1", "fe80::2%eth0"), Interval: time.Second}, Sum{Form: FormMessage}},
		{"invalid addr", Advertisement{Version: V3, Addrs: []netip.Addr{{}}, Interval: time.Second}, Sum{Form: FormMessage}},
		{"256 addrs", Advertisement{Version: V3, Addrs: make([]netip.Addr, 256), Interval: time.Second}, Sum{Form: FormMessage}},
		{"v2 auth 7", Advertisement{Version: V2, Addrs: v4, Interval: time.Second, AuthType: 7}, Sum{Form: FormMessage}},
		{"no form", Advertisement{Version: V3, Addrs: v4, Interval: time.Second}, Sum{}},
		{"pseudo without addresses", Advertisement{Version: V3, Addrs: v4, Interval: time.Second}, Sum{Form: FormPseudo}},
		{"pseudo mixed families", Advertisement{Version: V3, Addrs: v4, Interval: time.Second},
			Sum{Form: FormPseudo, Src: ip("10.0.0.1"), Dst: GroupIPv6}},
		{"group form over ipv6", Advertisement{Version: V3, Addrs: ips("fe80::1"), Interval: time.Second},
			Sum{Form: FormPseudoGroup, Src: ip("fe80::2")}},
		{"unknown form", Advertisement{Version: V3, Addrs: v4, Interval: time.Second}, Sum{Form: 9}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := []byte{1, 2, 3}
			got, err := tt.a.Append(in, tt.sum)
			if err == nil {
				t.Fatalf("Append = %x, want an error", got)
			}
			if !bytes.Equal(got, in) {
				t.Errorf("on error Append returned %x, want the input %x", got, in)
			}
		})
	}
}

func TestPutChecksumPerPeer(t *testing.T) {
	// c07c-v3-unicast-2peers: one encoded advert re-addressed to each peer.
	a := Advertisement{Version: V3, VRID: 83, Priority: 100, Interval: time.Second, Addrs: ips("192.168.1.9")}
	src := ip("192.168.1.2")
	msg, err := a.Append(nil, Sum{Form: FormPseudo, Src: src, Dst: ip("192.168.1.3")})
	if err != nil {
		t.Fatal(err)
	}
	for _, peer := range ips("192.168.1.3", "192.168.1.100", "192.168.1.3") {
		s := Sum{Form: FormPseudo, Src: src, Dst: peer}
		if err := PutChecksum(msg, s); err != nil {
			t.Fatal(err)
		}
		fresh, err := a.Append(nil, s)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(msg, fresh) || !VerifyChecksum(msg, s) {
			t.Errorf("to %v: PutChecksum gave %x, fresh encode %x", peer, msg, fresh)
		}
	}
	if err := PutChecksum(msg[:7], Sum{Form: FormMessage}); err == nil {
		t.Error("PutChecksum on 7 bytes: no error")
	}
	if VerifyChecksum(msg[:7], Sum{Form: FormMessage}) || VerifyChecksum(msg, Sum{}) {
		t.Error("VerifyChecksum accepted a short message or no form")
	}
}

func TestChecksumOddLength(t *testing.T) {
	// Not a VRRP length, but the sum must still be the RFC 1071 one.
	msg := []byte{0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x00, 0x00, 0x07}
	got, err := Checksum(msg, Sum{Form: FormMessage})
	if err != nil {
		t.Fatal(err)
	}
	// 0x0102 + 0x0304 + 0x0506 + 0x0700 = 0x100c; complement 0xeff3.
	if got != 0xeff3 {
		t.Errorf("Checksum = %#04x, want 0xeff3", got)
	}
	msg[6], msg[7] = byte(got>>8), byte(got)
	if !VerifyChecksum(msg, Sum{Form: FormMessage}) {
		t.Error("VerifyChecksum rejects its own sum")
	}
}

func TestStrings(t *testing.T) {
	tests := []struct{ got, want string }{
		{V2.String(), "v2"}, {V3.String(), "v3"}, {Version(0).String(), "version(0)"},
		{IPv4.String(), "ipv4"}, {IPv6.String(), "ipv6"}, {Family(0).String(), "family(0)"},
		{AuthNone.String(), "none"}, {AuthPass.String(), "PASS"}, {AuthAH.String(), "AH"}, {AuthType(9).String(), "authtype(9)"},
		{FormNone.String(), "none"}, {FormMessage.String(), "message-only"}, {FormPseudo.String(), "pseudo-header"},
		{FormPseudoGroup.String(), "pseudo-header-group"}, {ChecksumForm(9).String(), "form(9)"},
		{ChecksumDefault.String(), "default"}, {ChecksumAsV2.String(), "v3_checksum_as_v2"},
		{ChecksumOldUnicast.String(), "old_unicast_checksum"}, {ChecksumNoFallback.String(), "old_unicast_checksum never"},
		{ChecksumMode(9).String(), "mode(9)"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

func TestPassData(t *testing.T) {
	tests := []struct {
		in   string
		want string // hex, as in the vectors' vrrp.auth_data.hex
	}{
		{"1234", "3132333400000000"},         // c01
		{"abcdefghijkl", "6162636465666768"}, // c03: truncated
		{"", "0000000000000000"},
	}
	for _, tt := range tests {
		got := PassData(tt.in)
		if diff := cmp.Diff(tt.want, hex.EncodeToString(got[:])); diff != "" {
			t.Errorf("PassData(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}
