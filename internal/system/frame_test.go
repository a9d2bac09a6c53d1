package system

import (
	"bufio"
	"encoding/hex"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/gokeepalived/gokeepalived/internal/vrrp"
	"github.com/google/go-cmp/cmp"
)

const vectorFile = "../../../shared/vectors/keepalived-2.2.7.txt"

// loadVectors reads the keepalived vector file into one map per entry.
// (internal/vectors does this for other packages; the few fields needed
// here are read directly to keep this package's tests self-contained.)
func loadVectors(t *testing.T) []map[string]string {
	t.Helper()
	f, err := os.Open(vectorFile)
	if err != nil {
		t.Skipf("vectors not available: %v", err)
	}
	defer f.Close()
	var all []map[string]string
	cur := map[string]string{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		if line == "" {
			if len(cur) > 0 {
				all = append(all, cur)
				cur = map[string]string{}
			}
			continue
		}
		k, v, ok := strings.Cut(line, ": ")
		if !ok {
			t.Fatalf("vector line %q: no key", line)
		}
		cur[k] = v
	}
	if len(cur) > 0 {
		all = append(all, cur)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return all
}

func mustMAC(t *testing.T, s string) net.HardwareAddr {
	t.Helper()
	m, err := net.ParseMAC(s)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestFramesMatchKeepalived(t *testing.T) {
	var garps, nas int
	for _, v := range loadVectors(t) {
		kind := v["kind"]
		if kind != "garp" && kind != "unsolicited-na" {
			continue
		}
		t.Run(v["name"], func(t *testing.T) {
			mac := mustMAC(t, v["eth.src"])
			var got []byte
			switch kind {
			case "garp":
				garps++
				got = AppendGARP(nil, mac, netip.MustParseAddr(v["arp.spa"]))
			case "unsolicited-na":
				nas++
				router := strings.Contains(v["na.flags"], "R")
				got = AppendUnsolicitedNA(nil, mac, netip.MustParseAddr(v["na.target"]), router)
			}
			if diff := cmp.Diff(v["frame"], hex.EncodeToString(got)); diff != "" {
				t.Errorf("frame (-want +got):\n%s", diff)
			}
		})
	}
	if garps == 0 || nas == 0 {
		t.Fatalf("vectors: %d garp, %d unsolicited-na; want some of each", garps, nas)
	}
}

// eachIPv4Advert runs fn as a subtest for every IPv4 advert vector of IP
// protocol proto, with its frame decoded, and returns how many ran.
func eachIPv4Advert(t *testing.T, proto string, fn func(t *testing.T, v map[string]string, frame []byte)) int {
	t.Helper()
	n := 0
	for _, v := range loadVectors(t) {
		if v["kind"] != "advert" || v["ip.version"] != "4" || v["ip.proto"] != proto {
			continue
		}
		n++
		t.Run(v["name"], func(t *testing.T) {
			frame, err := hex.DecodeString(v["frame"])
			if err != nil {
				t.Fatal(err)
			}
			fn(t, v, frame)
		})
	}
	return n
}

func TestIPv4HeaderMatchesKeepalived(t *testing.T) {
	n := eachIPv4Advert(t, "112", func(t *testing.T, v map[string]string, frame []byte) {
		ttl, _ := strconv.Atoi(v["ip.ttl"])
		id, _ := strconv.ParseUint(strings.TrimPrefix(v["ip.id"], "0x"), 16, 16)
		src, dst := netip.MustParseAddr(v["ip.src"]), netip.MustParseAddr(v["ip.dst"])
		got := appendIPv4Header(nil, src, dst, uint8(ttl), uint16(id), Protocol, len(v["vrrp"])/2)
		if diff := cmp.Diff(hex.EncodeToString(frame[14:34]), hex.EncodeToString(got)); diff != "" {
			t.Errorf("ipv4 header (-want +got):\n%s", diff)
		}
		hl, m, err := parseIPv4(frame[14:])
		if err != nil {
			t.Fatal(err)
		}
		want := Meta{Src: src, Dst: dst, TTL: uint8(ttl)}
		if diff := cmp.Diff(want, m, cmp.Comparer(func(a, b netip.Addr) bool { return a == b })); diff != "" || hl != 20 {
			t.Errorf("parseIPv4: hl %d, meta (-want +got):\n%s", hl, diff)
		}
	})
	if n == 0 {
		t.Fatal("no IPv4 adverts in the vectors")
	}
}

func TestParseIPv4Bad(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
	}{
		{"empty", nil},
		{"short", make([]byte, 19)},
		{"version 6", append([]byte{0x65}, make([]byte, 19)...)},
		{"ihl 4", append([]byte{0x44}, make([]byte, 19)...)},
		{"ihl beyond data", append([]byte{0x4f}, make([]byte, 30)...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, _, err := parseIPv4(tt.in); err == nil {
				t.Errorf("parseIPv4(%x): want error", tt.in)
			}
		})
	}
}

func FuzzParseIPv4(f *testing.F) {
	f.Add(appendIPv4Header(nil, netip.MustParseAddr("192.168.1.2"), GroupIPv4, 255, 1, Protocol, 20))
	f.Add([]byte{0x46, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		hl, m, err := parseIPv4(b)
		if err != nil {
			return
		}
		if hl < 20 || hl > len(b) || !m.Src.Is4() || !m.Dst.Is4() {
			t.Fatalf("parseIPv4(%x) = %d, %+v: inconsistent", b, hl, m)
		}
	})
}

func TestFamilyString(t *testing.T) {
	got := []string{Family(0).String(), IPv4.String(), IPv6.String(), Family(9).String()}
	want := []string{"family(0)", "ipv4", "ipv6", "family(9)"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Family.String (-want +got):\n%s", diff)
	}
}

// TestAHPacketMatchesKeepalived: an auth_type AH advert goes out as the
// bytes keepalived 2.2.7 sent (c12): IPv4 protocol 51, the AH header the
// daemon builds, and the ICV sealed over the header Write built.
func TestAHPacketMatchesKeepalived(t *testing.T) {
	n := eachIPv4Advert(t, "51", func(t *testing.T, v map[string]string, frame []byte) {
		key, err := hex.DecodeString(v["ah.key.hex"])
		if err != nil || len(key) != 8 {
			t.Fatalf("ah.key.hex %q: %v", v["ah.key.hex"], err)
		}
		id, _ := strconv.ParseUint(strings.TrimPrefix(v["ip.id"], "0x"), 16, 16)
		payload := append([]byte(nil), frame[34:]...)
		clear(payload[12:24]) // the ICV, which Write fills in
		m := Message{Src: netip.MustParseAddr(v["ip.src"]), Dst: netip.MustParseAddr(v["ip.dst"]),
			ID: uint16(id), Payload: payload, AH: vrrp.NewAHState([8]byte(key), false)}
		if diff := cmp.Diff(hex.EncodeToString(frame[14:]), hex.EncodeToString(appendAdvert4(nil, m))); diff != "" {
			t.Errorf("AH packet (-want +got):\n%s", diff)
		}
	})
	if n != 2 {
		t.Fatalf("%d AH adverts in the vectors, want 2", n)
	}
}
