package vrrp

import (
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// base is a real keepalived 2.2.7 advert with the context it was received
// in; the hex is copied from ../shared/vectors/keepalived-2.2.7.txt so
// this test runs without the shared folder.
type base struct {
	raw  string
	fam  Family
	rx   RxInfo
	want Expect
}

func bases() map[string]base {
	return map[string]base{
		// c01-v2-pass-blog/01
		"v2": {"2150640101025397c0a801063132333400000000", IPv4,
			RxInfo{Src: ip("192.168.1.2"), Dst: GroupIPv4, TTL: 255},
			Expect{Version: V2, VRID: 80, AuthType: AuthPass, AuthData: pass("1234"), Interval: 2 * time.Second,
				CheckAddrs: true, VIPs: ips("192.168.1.6")}},
		// c04a-v3-ipv4-adv1/01
		"v3": {"313564010064066fc0a80114", IPv4,
			RxInfo{Src: ip("192.168.1.2"), Dst: GroupIPv4, TTL: 255},
			Expect{Version: V3, VRID: 53, Interval: time.Second, CheckAddrs: true, VIPs: ips("192.168.1.20")}},
		// c07b-v3-unicast/01
		"v3 unicast": {"31526401006424c5c0a80108", IPv4,
			RxInfo{Src: ip("192.168.1.2"), Dst: ip("192.168.1.3"), TTL: 255},
			Expect{Version: V3, VRID: 82, Interval: time.Second, Unicast: true, CheckAddrs: true, VIPs: ips("192.168.1.8"),
				CheckPeers: true, Peers: []Peer{{Addr: ip("192.168.1.2")}}}},
		// c07d-v3-unicast-old-checksum/01
		"v3 unicast old": {"3154640100640655c0a8010f", IPv4,
			RxInfo{Src: ip("192.168.1.2"), Dst: ip("192.168.1.3"), TTL: 255},
			Expect{Version: V3, VRID: 84, Interval: time.Second, Unicast: true, Checksum: ChecksumOldUnicast}},
		// c06-v3-ipv6/01
		"v6": {"313c640200643fe2fe80000000000000000000000000000120010db8000000000000000000000010", IPv6,
			RxInfo{Src: ip("fe80::2"), Dst: GroupIPv6, TTL: 255},
			Expect{Version: V3, VRID: 60, Interval: time.Second, CheckAddrs: true, VIPs: ips("2001:db8::10", "fe80::1")}},
	}
}

func TestCheck(t *testing.T) {
	tests := []struct {
		name string
		base string
		// mutate changes the packet, what the socket saw, or what we expect.
		mutate func(raw []byte, rx *RxInfo, e *Expect)
		// refix recomputes the packet's checksum in this form after mutate,
		// so that only the intended fault remains.
		refix ChecksumForm
		want  Verdict
	}{
		{name: "v2 accepted", base: "v2", want: Verdict{Form: FormMessage}},
		{name: "v3 accepted", base: "v3", want: Verdict{Form: FormPseudo}},
		{name: "v3 unicast accepted", base: "v3 unicast", want: Verdict{Form: FormPseudo}},
		{name: "v3 old unicast accepted", base: "v3 unicast old", want: Verdict{Form: FormPseudoGroup}},
		{name: "v6 accepted", base: "v6", want: Verdict{Form: FormPseudo}},

		{name: "ttl 254 multicast", base: "v2", mutate: func(_ []byte, rx *RxInfo, _ *Expect) { rx.TTL = 254 },
			want: Verdict{Reason: ReasonTTL}},
		{name: "hop limit 1 v6", base: "v6", mutate: func(_ []byte, rx *RxInfo, _ *Expect) { rx.TTL = 1 },
			want: Verdict{Reason: ReasonTTL}},
		{name: "ttl unknown", base: "v3", mutate: func(_ []byte, rx *RxInfo, _ *Expect) { rx.TTL = -1 },
			want: Verdict{Form: FormPseudo}},
		{name: "ttl 64 unicast not checked", base: "v3 unicast", mutate: func(_ []byte, rx *RxInfo, e *Expect) {
			rx.TTL = 64
			e.CheckPeers = false
		}, want: Verdict{Form: FormPseudo}},
		{name: "ttl outside peer range", base: "v3 unicast", mutate: func(_ []byte, rx *RxInfo, e *Expect) {
			rx.TTL = 64
			e.Peers[0].MinTTL, e.Peers[0].MaxTTL = 100, 200
		}, want: Verdict{Reason: ReasonTTL, Form: FormPseudo}},
		{name: "ttl inside peer range", base: "v3 unicast", mutate: func(_ []byte, rx *RxInfo, e *Expect) {
			rx.TTL = 150
			e.Peers[0].MinTTL, e.Peers[0].MaxTTL = 100, 200
		}, want: Verdict{Form: FormPseudo}},

		{name: "version", base: "v2", mutate: func(_ []byte, _ *RxInfo, e *Expect) { e.Version = V3 },
			want: Verdict{Reason: ReasonBadVersion}},
		{name: "vrid", base: "v3", mutate: func(_ []byte, _ *RxInfo, e *Expect) { e.VRID = 54 },
			want: Verdict{Reason: ReasonUnknownVRID}},
		{name: "auth type mismatch", base: "v2", mutate: func(_ []byte, _ *RxInfo, e *Expect) { e.AuthType = AuthNone },
			want: Verdict{Reason: ReasonAuthTypeMismatch}},
		{name: "password", base: "v2", mutate: func(_ []byte, _ *RxInfo, e *Expect) { e.AuthData = pass("1235") },
			want: Verdict{Reason: ReasonAuthFailure}},
		{name: "password in packet", base: "v2", mutate: func(raw []byte, _ *RxInfo, _ *Expect) { raw[19] = 'x' },
			refix: FormMessage, want: Verdict{Reason: ReasonAuthFailure}},
		{name: "v2 interval", base: "v2", mutate: func(_ []byte, _ *RxInfo, e *Expect) { e.Interval = time.Second },
			want: Verdict{Reason: ReasonIntervalMismatch}},
		{name: "v3 interval only flagged", base: "v3", mutate: func(_ []byte, _ *RxInfo, e *Expect) { e.Interval = 2 * time.Second },
			want: Verdict{Form: FormPseudo, IntervalDiffers: true}},
		{name: "v3 interval 0", base: "v3", mutate: func(raw []byte, _ *RxInfo, _ *Expect) { raw[4], raw[5] = 0, 0 },
			refix: FormPseudo, want: Verdict{Reason: ReasonZeroInterval}},
		{name: "v2 interval 0", base: "v2", mutate: func(raw []byte, _ *RxInfo, e *Expect) { raw[5], e.Interval = 0, 0 },
			refix: FormMessage, want: Verdict{Reason: ReasonZeroInterval}},

		{name: "addr count", base: "v3", mutate: func(_ []byte, _ *RxInfo, e *Expect) { e.VIPs = ips("192.168.1.20", "192.168.1.21") },
			want: Verdict{Reason: ReasonAddrCount}},
		{name: "addr list", base: "v3", mutate: func(_ []byte, _ *RxInfo, e *Expect) { e.VIPs = ips("192.168.1.21") },
			want: Verdict{Reason: ReasonAddrList, Form: FormPseudo}},
		{name: "addr list ignored", base: "v3", mutate: func(_ []byte, _ *RxInfo, e *Expect) {
			e.VIPs, e.CheckAddrs = ips("192.168.1.21"), false
		}, want: Verdict{Form: FormPseudo}},
		{name: "addr in packet", base: "v6", mutate: func(raw []byte, _ *RxInfo, _ *Expect) { raw[len(raw)-1] = 0x11 },
			refix: FormPseudo, want: Verdict{Reason: ReasonAddrList, Form: FormPseudo}},
		{name: "unicast source", base: "v3 unicast", mutate: func(_ []byte, _ *RxInfo, e *Expect) { e.Peers[0].Addr = ip("192.168.1.100") },
			want: Verdict{Reason: ReasonUnicastSource, Form: FormPseudo}},
		{name: "unicast source unchecked", base: "v3 unicast", mutate: func(_ []byte, _ *RxInfo, e *Expect) {
			e.Peers[0].Addr, e.CheckPeers = ip("192.168.1.100"), false
		}, want: Verdict{Form: FormPseudo}},

		{name: "checksum byte v2", base: "v2", mutate: func(raw []byte, _ *RxInfo, _ *Expect) { raw[7]++ },
			want: Verdict{Reason: ReasonBadChecksum}},
		{name: "checksum byte v3", base: "v3", mutate: func(raw []byte, _ *RxInfo, _ *Expect) { raw[6] ^= 0x80 },
			want: Verdict{Reason: ReasonBadChecksum}},
		{name: "priority changed, sum not", base: "v3", mutate: func(raw []byte, _ *RxInfo, _ *Expect) { raw[2] = 0 },
			want: Verdict{Reason: ReasonBadChecksum}},
		{name: "v6 wrong source in pseudo-header", base: "v6", mutate: func(_ []byte, rx *RxInfo, _ *Expect) { rx.Src = ip("fe80::3") },
			want: Verdict{Reason: ReasonBadChecksum}},
		{name: "v6 addresses unknown: kernel checked", base: "v6", mutate: func(raw []byte, rx *RxInfo, _ *Expect) {
			raw[7]++
			*rx = RxInfo{TTL: 255}
		}, want: Verdict{}},
		{name: "v3 message-only refused by default", base: "v3", refix: FormMessage, want: Verdict{Reason: ReasonBadChecksum}},
		{name: "v3 message-only with v3_checksum_as_v2", base: "v3", refix: FormMessage,
			mutate: func(_ []byte, _ *RxInfo, e *Expect) { e.Checksum = ChecksumAsV2 }, want: Verdict{Form: FormMessage}},
		{name: "v3 pseudo refused with v3_checksum_as_v2", base: "v3",
			mutate: func(_ []byte, _ *RxInfo, e *Expect) { e.Checksum = ChecksumAsV2 }, want: Verdict{Reason: ReasonBadChecksum}},
		{name: "v3 pseudo accepted as any form", base: "v3", mutate: func(_ []byte, _ *RxInfo, e *Expect) {
			e.Checksum, e.AcceptAnyForm = ChecksumAsV2, true
		}, want: Verdict{Form: FormPseudo}},
		{name: "v3 message-only accepted as any form", base: "v3", refix: FormMessage,
			mutate: func(_ []byte, _ *RxInfo, e *Expect) { e.AcceptAnyForm = true }, want: Verdict{Form: FormMessage}},
		{name: "unicast standard form refused by old_unicast_checksum", base: "v3 unicast",
			mutate: func(_ []byte, _ *RxInfo, e *Expect) { e.Checksum = ChecksumOldUnicast }, want: Verdict{Reason: ReasonBadChecksum}},
		{name: "unicast old form via fallback", base: "v3 unicast old",
			mutate: func(_ []byte, _ *RxInfo, e *Expect) { e.Checksum = ChecksumDefault }, want: Verdict{Form: FormPseudoGroup}},
		{name: "unicast old form, fallback off", base: "v3 unicast old",
			mutate: func(_ []byte, _ *RxInfo, e *Expect) { e.Checksum = ChecksumNoFallback }, want: Verdict{Reason: ReasonBadChecksum}},
		{name: "multicast has no fallback", base: "v3", refix: FormPseudoGroup, mutate: func(_ []byte, rx *RxInfo, _ *Expect) {
			rx.Dst = ip("192.168.1.3")
		}, want: Verdict{Reason: ReasonBadChecksum}},

		{name: "unicast packet to multicast instance", base: "v2", mutate: func(_ []byte, rx *RxInfo, _ *Expect) { rx.Dst = ip("192.168.1.3") },
			want: Verdict{Reason: ReasonCastMismatch, Form: FormMessage}},
		{name: "multicast packet to unicast instance", base: "v2", mutate: func(_ []byte, _ *RxInfo, e *Expect) { e.Unicast = true },
			want: Verdict{Reason: ReasonCastMismatch, Form: FormMessage}},

		{name: "v6 first address global", base: "v6", refix: FormPseudo, mutate: func(raw []byte, _ *RxInfo, _ *Expect) {
			first := append([]byte(nil), raw[8:24]...)
			copy(raw[8:24], raw[24:40])
			copy(raw[24:40], first)
		}, want: Verdict{Form: FormPseudo, FirstNotLinkLocal: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := bases()[tt.base]
			raw := mustHex(t, b.raw)
			rx, e := b.rx, b.want
			e.Peers = append([]Peer(nil), e.Peers...)
			if tt.mutate != nil {
				tt.mutate(raw, &rx, &e)
			}
			if tt.refix != FormNone {
				if err := PutChecksum(raw, Sum{Form: tt.refix, Src: rx.Src, Dst: rx.Dst}); err != nil {
					t.Fatal(err)
				}
			}
			var a Advertisement
			if err := Parse(raw, b.fam, &a); err != nil {
				t.Fatalf("Parse: %v", err)
			}
			got := Check(&a, raw, rx, &e)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Check (-want +got):\n%s", diff)
			}
			if got.OK() != (tt.want.Reason == ReasonOK) {
				t.Errorf("OK() = %v", got.OK())
			}
		})
	}
}

// TestCheckZeroCount: an advert without addresses is accepted, as
// keepalived accepts it (instances without virtual_ipaddress send them),
// and compared with no VIPs it passes the address checks too.
func TestCheckZeroCount(t *testing.T) {
	tests := []struct {
		name string
		a    Advertisement
		e    Expect
		want Reason
	}{
		{"v3", Advertisement{Version: V3, VRID: 1, Interval: time.Second}, Expect{Version: V3, VRID: 1, Interval: time.Second}, ReasonOK},
		{"v2", Advertisement{Version: V2, VRID: 1, Interval: time.Second}, Expect{Version: V2, VRID: 1, Interval: time.Second}, ReasonOK},
		{"v2 checking no VIPs", Advertisement{Version: V2, VRID: 1, Interval: time.Second},
			Expect{Version: V2, VRID: 1, Interval: time.Second, CheckAddrs: true}, ReasonOK},
		{"v3 expecting a VIP", Advertisement{Version: V3, VRID: 1, Interval: time.Second},
			Expect{Version: V3, VRID: 1, Interval: time.Second, CheckAddrs: true, VIPs: []netip.Addr{ip("10.0.0.5")}}, ReasonAddrCount},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw, err := tt.a.AppendBinary(nil)
			if err != nil {
				t.Fatal(err)
			}
			rx := RxInfo{Src: ip("10.0.0.1"), Dst: GroupIPv4, TTL: 255}
			if tt.a.Version == V3 {
				if err := PutChecksum(raw, Sum{Form: FormPseudo, Src: rx.Src, Dst: rx.Dst}); err != nil {
					t.Fatal(err)
				}
			}
			var a Advertisement
			if err := Parse(raw, IPv4, &a); err != nil {
				t.Fatal(err)
			}
			if got := Check(&a, raw, rx, &tt.e); got.Reason != tt.want {
				t.Errorf("Check = %+v, want reason %v", got, tt.want)
			}
		})
	}
}

func TestSendForm(t *testing.T) {
	tests := []struct {
		mode    ChecksumMode
		unicast bool
		want    ChecksumForm
	}{
		{ChecksumDefault, false, FormPseudo},
		{ChecksumDefault, true, FormPseudo},
		{ChecksumNoFallback, true, FormPseudo},
		{ChecksumAsV2, false, FormMessage},
		{ChecksumAsV2, true, FormMessage},
		{ChecksumOldUnicast, false, FormPseudo},
		{ChecksumOldUnicast, true, FormPseudoGroup},
	}
	for _, tt := range tests {
		if got := tt.mode.SendForm(tt.unicast); got != tt.want {
			t.Errorf("%v.SendForm(%v) = %v, want %v", tt.mode, tt.unicast, got, tt.want)
		}
	}
}
