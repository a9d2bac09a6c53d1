package e2e

import (
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gokeepalived/gokeepalived/internal/lab"
	"github.com/gokeepalived/gokeepalived/internal/vectors"
)

// vectorCases are the captured keepalived cases whose node-a configuration
// gokeepalived runs unchanged, and the vector file holding their packets.
// Left out: c05 (2.2.7 ignores v3_checksum_as_v2, so its bytes are not what
// the keyword asks for; TestInteropV3ChecksumAsV2 covers it), c05u (2.2.8
// puts a wrong checksum on the second unicast peer, which we do not copy),
// c07g (the peer's config differs from a's, nothing new for a's bytes),
// c10a/c10b (track scripts), c11 (use_vmac).
var ioVectorCases = []struct{ file, name string }{
	{vectors.File227, "c01-v2-pass-blog"},
	{vectors.File227, "c02-v2-noauth-3vips"},
	{vectors.File227, "c03-v2-pass-long"},
	{vectors.File227, "c04a-v3-ipv4-adv1"},
	{vectors.File227, "c04b-v3-ipv4-frac"},
	{vectors.File227, "c06-v3-ipv6"},
	{vectors.File227, "c06b-v3-ipv6-global-first"},
	{vectors.File227, "c07a-v2-unicast"},
	{vectors.File227, "c07b-v3-unicast"},
	{vectors.File227, "c07c-v3-unicast-2peers"},
	{vectors.File227, "c07d-v3-unicast-old-checksum"},
	{vectors.File227, "c07e-v3-ipv6-unicast"},
	{vectors.File227, "c07f-v3-unicast-ttl"},
	{vectors.File227, "c12-v2-ah"},
	{vectors.File227, "c13-v3-with-auth-block"},
	{vectors.File228, "c05n-v3-checksum-as-v2"},
}

// vectorLab is the vectors' LAN: a (.2), b (.3) and c (.100, no daemon).
func ioVectorLab(t *testing.T) *lab.Lab {
	t.Helper()
	hosts := lab.Hosts("a", "b")
	hosts = append(hosts, lab.HostSpec{Name: "c", Ifname: "eth1",
		MAC: net.HardwareAddr{2, 0, 0, 0, 1, 0x64},
		Addrs: []netip.Prefix{netip.MustParsePrefix("192.168.1.100/24"),
			netip.MustParsePrefix("fe80::64/64"), netip.MustParsePrefix("2001:db8::64/64")}})
	return lab.New(t, lab.Spec{Hosts: hosts})
}

// TestInteropVectors runs gokeepalived with the configuration keepalived
// ran when the shared vectors were captured, on the same addresses, and
// checks that every advert node a sent then (its priority and its
// priority-0 advert on SIGTERM) is what gokeepalived sends now, byte for
// byte, with the same TTL / hop limit.
func TestInteropVectors(t *testing.T) {
	needRoot(t)
	byFile := map[string][]vectors.Vector{}
	for _, c := range ioVectorCases {
		if byFile[c.file] == nil {
			byFile[c.file] = vectors.Adverts(vectors.LoadT(t, c.file))
		}
	}
	for _, c := range ioVectorCases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var want []vectors.Vector
			for _, v := range byFile[c.file] {
				if v.Case == c.name && v.Sender == "a" {
					want = append(want, v)
				}
			}
			if len(want) == 0 {
				t.Fatalf("no adverts from a in %s", c.file)
			}
			conf, err := os.ReadFile(filepath.Join(filepath.Dir(vectors.Path(t, c.file)), "configs", c.name, "a.conf"))
			if err != nil {
				t.Fatal(err)
			}
			l := ioVectorLab(t)
			capt := startCapture(t, l)
			g := newGK(t, l.Host("a"), string(conf))
			g.start(t)
			eventually(t, 40*time.Second, "an advert of every priority > 0", func() (bool, string) {
				got := ioFirstPackets(capt)
				var missing []string
				for _, v := range want {
					if k := ioVectorKey(v); v.Fields["vrrp.priority"] != "0" && got[k] == "" {
						missing = append(missing, k)
					}
				}
				return len(missing) == 0, strings.Join(missing, "; ")
			})
			g.n.signal(t, syscall.SIGTERM)
			g.n.wait(t, 10*time.Second)
			got := ioFirstPackets(capt)
			for _, v := range want {
				k := ioVectorKey(v)
				wantV := "ttl " + v.Fields["ip.ttl"] + " vrrp " + ioHex(v.VRRP)
				if ah, err := v.Hex("ah"); err == nil && len(ah) == 24 {
					wantV += " ah " + ioHex(ah[:8]) // up to the SPI, as ioWireValue
				}
				if diff := cmp.Diff(wantV, got[k]); diff != "" {
					t.Errorf("%s (%s): (-keepalived +gokeepalived):\n%s", v.Name, k, diff)
				}
			}
		})
	}
}

// vectorKey is wireKey for a vector.
func ioVectorKey(v vectors.Vector) string {
	f := v.Fields
	return f["ip.src"] + ">" + f["ip.dst"] + " vrid " + f["vrrp.vrid"] + " prio " + f["vrrp.priority"]
}
