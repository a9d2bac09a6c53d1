package vrrp

import (
	"errors"
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		fam  Family
		in   string // hex
		want Advertisement
	}{
		{
			// c01-v2-pass-blog/01: keepalived 2.2.7, v2 PASS 1234.
			name: "v2 pass",
			fam:  IPv4,
			in:   "21" + "50" + "64" + "01" + "01" + "02" + "5397" + "c0a80106" + "3132333400000000",
			want: Advertisement{Version: V2, VRID: 80, Priority: 100, Interval: 2 * time.Second,
				Addrs: ips("192.168.1.6"), AuthType: AuthPass, AuthData: pass("1234"), Checksum: 0x5397},
		},
		{
			name: "v2 none three addrs, max interval",
			fam:  IPv4,
			in:   "21" + "33" + "96" + "03" + "00" + "ff" + "abcd" + "c0a8010a" + "c0a8010b" + "c0a8010c" + "0000000000000000",
			want: Advertisement{Version: V2, VRID: 51, Priority: 150, Interval: 255 * time.Second,
				Addrs: ips("192.168.1.10", "192.168.1.11", "192.168.1.12"), Checksum: 0xabcd},
		},
		{
			name: "v2 zero count keeps auth trailer",
			fam:  IPv4,
			in:   "21" + "01" + "00" + "00" + "01" + "00" + "0000" + "6162636465666768",
			want: Advertisement{Version: V2, VRID: 1, Addrs: []netip.Addr{}, AuthType: AuthPass, AuthData: pass("abcdefgh")},
		},
		{
			name: "v3 ipv4 5cs",
			fam:  IPv4,
			in:   "31" + "36" + "64" + "01" + "0005" + "1234" + "c0a80115",
			want: Advertisement{Version: V3, VRID: 54, Priority: 100, Interval: 50 * time.Millisecond,
				Addrs: ips("192.168.1.21"), Checksum: 0x1234},
		},
		{
			name: "v3 reserved bits and max interval",
			fam:  IPv4,
			in:   "31" + "ff" + "ff" + "01" + "afff" + "0000" + "0a000001",
			want: Advertisement{Version: V3, VRID: 255, Priority: 255, Interval: 40950 * time.Millisecond,
				Addrs: ips("10.0.0.1"), Reserved: 0xa},
		},
		{
			name: "v3 ipv6 two addrs",
			fam:  IPv6,
			in: "31" + "3c" + "00" + "02" + "0064" + "beef" +
				"fe800000000000000000000000000001" + "20010db8000000000000000000000010",
			want: Advertisement{Version: V3, VRID: 60, Priority: 0, Interval: time.Second,
				Addrs: ips("fe80::1", "2001:db8::10"), Checksum: 0xbeef},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Reuse an Advertisement full of stale data, as a receive loop does.
			got := Advertisement{Version: V2, AuthType: AuthPass, AuthData: pass("stale"), Reserved: 3,
				Addrs: ips("1.1.1.1", "2.2.2.2", "3.3.3.3", "4.4.4.4")}
			if err := Parse(mustHex(t, tt.in), tt.fam, &got); err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if tt.want.Addrs == nil {
				tt.want.Addrs = []netip.Addr{}
			}
			if diff := cmp.Diff(tt.want, got, cmpOpts); diff != "" {
				t.Errorf("Parse (-want +got):\n%s", diff)
			}
			fresh, err := ParseAdvertisement(mustHex(t, tt.in), tt.fam)
			if err != nil {
				t.Fatalf("ParseAdvertisement: %v", err)
			}
			if len(tt.want.Addrs) == 0 {
				fresh.Addrs = []netip.Addr{}
			}
			if diff := cmp.Diff(tt.want, fresh, cmpOpts); diff != "" {
				t.Errorf("ParseAdvertisement (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseRefuses(t *testing.T) {
	const v2body = "c0a80106" + "3132333400000000"
	tests := []struct {
		name string
		fam  Family
		in   string
		want Reason
	}{
		{"empty", IPv4, "", ReasonTooShort},
		{"seven bytes", IPv4, "31010101006400", ReasonTooShort},
		{"v2 without auth trailer", IPv4, "2150640001020000" + "0000", ReasonTooShort},
		{"version 0", IPv4, "015064010102539" + "7" + v2body, ReasonBadVersion},
		{"version 1", IPv4, "115064010102539" + "7" + v2body, ReasonBadVersion},
		{"version 4", IPv4, "41506401" + "0064" + "0000" + "c0a80106", ReasonBadVersion},
		{"version 15", IPv4, "f1506401" + "0064" + "0000" + "c0a80106", ReasonBadVersion},
		{"type 0", IPv4, "205064010102" + "5397" + v2body, ReasonInvalidType},
		{"type 2", IPv4, "32506401" + "0064" + "0000" + "c0a80106", ReasonInvalidType},
		{"type 15", IPv4, "2f5064010102" + "5397" + v2body, ReasonInvalidType},
		{"v2 over ipv6", IPv6, "2150640101025397" + v2body, ReasonFamily},
		{"family unset", Family(0), "31506401" + "0064" + "0000" + "c0a80106", ReasonFamily},
		{"family 5", Family(5), "31506401" + "0064" + "0000" + "c0a80106", ReasonFamily},
		{"v2 count too big", IPv4, "2150640201025397" + v2body, ReasonLength},
		{"v2 count too small", IPv4, "2150640001025397" + v2body, ReasonLength},
		{"v2 trailing byte", IPv4, "2150640101025397" + v2body + "00", ReasonLength},
		{"v2 count 255, short", IPv4, "215064ff01025397" + v2body, ReasonLength},
		{"v3 ipv4 count 2 one addr", IPv4, "31506402" + "0064" + "0000" + "c0a80106", ReasonLength},
		{"v3 ipv6 4-byte addr", IPv6, "31506401" + "0064" + "0000" + "c0a80106", ReasonLength},
		{"v3 ipv4 16-byte addr", IPv4, "31506401" + "0064" + "0000" + "fe800000000000000000000000000001", ReasonLength},
		{"v2 auth type 3", IPv4, "2158640103015397" + v2body, ReasonInvalidAuthType},
		{"v2 auth type 255", IPv4, "21586401ff015397" + v2body, ReasonInvalidAuthType},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var a Advertisement
			err := Parse(mustHex(t, tt.in), tt.fam, &a)
			var got Reason
			if !errors.As(err, &got) {
				t.Fatalf("Parse error %v is not a Reason", err)
			}
			if got != tt.want {
				t.Errorf("Parse: got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestReasonNames(t *testing.T) {
	seen := map[string]Reason{}
	for r := ReasonOK; r < numReasons; r++ {
		s := r.String()
		if s == "" {
			t.Errorf("reason %d has no name", r)
		}
		if o, dup := seen[s]; dup {
			t.Errorf("reasons %d and %d are both %q", o, r, s)
		}
		seen[s] = r
	}
	// keepalived's counter names, one reason each (vrrp_stats in keepalived).
	want := map[Reason]string{
		ReasonLength: "packet_len_err", ReasonTTL: "ip_ttl_err", ReasonInvalidType: "invalid_type_rcvd",
		ReasonIntervalMismatch: "advert_interval_err", ReasonAddrList: "addr_list_err",
		ReasonInvalidAuthType: "invalid_authtype", ReasonAuthTypeMismatch: "authtype_mismatch",
		ReasonAuthFailure: "auth_failure",
	}
	for r, name := range want {
		if r.String() != name || r.Counter() != name {
			t.Errorf("%d: String %q Counter %q, want %q", r, r.String(), r.Counter(), name)
		}
	}
	if got := Reason(200).String(); got != "reason(200)" {
		t.Errorf("Reason(200) = %q", got)
	}
	if got := ReasonBadChecksum.Error(); got != "vrrp: bad_checksum" {
		t.Errorf("Error() = %q", got)
	}
}
