package main

import (
	"encoding/hex"
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A VRRPv2 advert and a gratuitous ARP as keepalived 2.2.7 sends them
// (shape of ../../shared/vectors), and near misses.
const (
	advertV2 = "01005e000012 020000000102 0800" +
		"45c00028 0001 0000 ff70 0000 c0a80102 e0000012" +
		"2133640101 01 0000 c0a80106 0000000000000000"
	garp = "ffffffffffff 020000000103 0806" +
		"0001 0800 06 04 0001 020000000103 c0a8010a ffffffffffff c0a8010a"
	arpRequest = "ffffffffffff 020000000104 0806" +
		"0001 0800 06 04 0001 020000000104 c0a80104 000000000000 c0a8010a"
	udp = "020000000102 020000000104 0800" +
		"45000020 0001 0000 4011 0000 c0a80104 c0a8010a 1e611e61 000c 0000 31323334"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		name string
		in   string
		keep int // bytes of the frame to keep; 0 keeps all
		want frameInfo
	}{
		{"advert", advertV2, 0, frameInfo{Kind: kindAdvert, SrcMAC: [6]byte{2, 0, 0, 0, 1, 2}, VRID: 0x33, Priority: 0x64}},
		{"garp", garp, 0, frameInfo{Kind: kindGARP, SrcMAC: [6]byte{2, 0, 0, 0, 1, 3}, IP: netip.MustParseAddr("192.168.1.10")}},
		{"plain ARP request", arpRequest, 0, frameInfo{SrcMAC: [6]byte{2, 0, 0, 0, 1, 4}}},
		{"udp", udp, 0, frameInfo{SrcMAC: [6]byte{2, 0, 0, 0, 1, 4}}},
		{"truncated advert", advertV2, 14 + 20 + 3, frameInfo{SrcMAC: [6]byte{2, 0, 0, 0, 1, 2}}},
		{"short", "0102", 0, frameInfo{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := mustHex(t, tt.in)
			if tt.keep > 0 {
				b = b[:tt.keep]
			}
			got := classify(b)
			if diff := cmp.Diff(tt.want, got, cmp.Comparer(func(a, b netip.Addr) bool { return a == b })); diff != "" {
				t.Errorf("classify (-want +got):\n%s", diff)
			}
		})
	}
}

func FuzzClassify(f *testing.F) {
	for _, s := range []string{advertV2, garp, arpRequest, udp} {
		f.Add(mustHex(f, s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		fi := classify(b)
		if fi.Kind != kindOther && len(b) < 14+28 {
			t.Fatalf("%v from a %d-byte frame", fi.Kind, len(b))
		}
	})
}

func TestParseVmRSS(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    int64
		wantErr bool
	}{
		{"present", "Name:\tx\nVmPeak:\t 1 kB\nVmRSS:\t   10240 kB\nThreads: 1\n", 10240, false},
		{"last line", "Name:\tx\nVmRSS: 7 kB", 7, false},
		{"kernel thread", "Name:\tkthreadd\nThreads: 1\n", 0, false},
		{"empty", "VmRSS:\n", 0, true},
		{"negative", "VmRSS: -1 kB\n", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseVmRSS([]byte(tt.in))
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("parseVmRSS (-want +got):\n%s", diff)
			}
		})
	}
}

func FuzzParseVmRSS(f *testing.F) {
	f.Add([]byte("Name:\tx\nVmRSS:\t   10240 kB\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if kb, err := parseVmRSS(b); err == nil && kb < 0 {
			t.Fatalf("negative rss %d", kb)
		}
	})
}

func TestParseAnswer(t *testing.T) {
	type res struct {
		Name string
		Seq  uint64
		OK   bool
	}
	tests := []struct {
		in   string
		want res
	}{
		{"a 42", res{"a", 42, true}},
		{"client 0", res{"client", 0, true}},
		{" 42", res{}},
		{"a", res{}},
		{"a x", res{}},
		{"a 1 2", res{}},
	}
	for _, tt := range tests {
		name, seq, ok := parseAnswer([]byte(tt.in))
		if diff := cmp.Diff(tt.want, res{name, seq, ok}); diff != "" {
			t.Errorf("parseAnswer(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

func FuzzParseAnswer(f *testing.F) {
	f.Add([]byte("a 42"))
	f.Fuzz(func(t *testing.T, b []byte) {
		name, _, ok := parseAnswer(b)
		if ok && (name == "" || len(name) >= len(b)) {
			t.Fatalf("name %q from %q", name, b)
		}
	})
}

func TestParseRollup(t *testing.T) {
	tests := []struct {
		name, in string
		want     rollup
		wantErr  bool
	}{
		{"kernel's layout", "5561-7ffd ---p 00000000 00:00 0   [rollup]\nRss:                1712 kB\nPss:                 244 kB\nPss_Anon:            116 kB\nAnonymous:           116 kB\nLocked:                0 kB\n",
			rollup{RSS: 1712, PSS: 244, Anon: 116}, false},
		{"missing fields read 0", "Rss: 10 kB\n", rollup{RSS: 10}, false},
		{"empty value", "Pss:\n", rollup{}, true},
		{"negative", "Anonymous: -3 kB\n", rollup{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseRollup([]byte(tt.in))
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("parseRollup (-want +got):\n%s", diff)
			}
		})
	}
}

func FuzzParseRollup(f *testing.F) {
	f.Add([]byte("Rss: 1712 kB\nPss: 244 kB\nAnonymous: 116 kB\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if r, err := parseRollup(b); err == nil && (r.RSS < 0 || r.PSS < 0 || r.Anon < 0) {
			t.Fatalf("negative %+v", r)
		}
	})
}
