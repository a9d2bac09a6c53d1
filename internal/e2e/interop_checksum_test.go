package e2e

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/lab"
)

var ivipCsum = netip.MustParseAddr("192.168.1.13")

// TestInteropV3ChecksumAsV2 is v3_checksum_as_v2 in global_defs on both
// sides. keepalived 2.2.7 does not know the keyword: it logs "Unknown
// keyword" and keeps the pseudo-header checksum (vectors README,
// "Checksums"). So, with 2.2.7:
//   - what works: gokeepalived configured message-only still accepts the
//     pseudo-header form (we accept both forms on receive), so it follows a
//     2.2.7 master and counts nothing;
//   - what cannot: 2.2.7 rejects our message-only adverts ("Invalid VRRPv3
//     checksum"), so with gokeepalived as master both become master. The
//     same happens between keepalived 2.2.7 and 2.2.8 with this setting;
//     the byte-exact 2.2.8 form is checked by TestInteropVectors (c05n).
func TestInteropV3ChecksumAsV2(t *testing.T) {
	needKeepalived(t)
	conf := func(h string) string {
		c := ioOneInst("VI_CSUM", 54, "0.2", 3, "", "192.168.1.13")(h)
		c.Global = []string{"v3_checksum_as_v2"}
		return c.String()
	}
	const kaReject = "(VI_CSUM) Invalid VRRPv3 checksum"
	t.Run("keepalived-master", func(t *testing.T) {
		t.Parallel()
		l := lab.New(t, lab.Spec{Hosts: lab.Hosts("a", "b")})
		capt := startCapture(t, l)
		a, b := l.Host("a"), l.Host("b")
		ka, gk := newKA(t, a, conf("a")), newGK(t, b, conf("b"))
		gk.start(t)
		ka.start(t)
		waitPlacement(t, 25*time.Second, map[netip.Addr]string{ivipCsum: "a"}, a, b)
		time.Sleep(time.Second)
		waitPlacement(t, 5*time.Second, map[netip.Addr]string{ivipCsum: "a"}, a, b)
		if !strings.Contains(ka.log(), "Unknown keyword 'v3_checksum_as_v2'") {
			t.Errorf("keepalived 2.2.7 did not log the unknown keyword; is it a newer version?")
		}
		if errs := gk.packetErrors(t); len(errs) > 0 {
			t.Errorf("gokeepalived refused keepalived's pseudo-header adverts: %v", errs)
		}
		ka.stop(t)
		waitPlacement(t, 15*time.Second, map[netip.Addr]string{ivipCsum: "b"}, a, b)
		ioCheckForms(t, capt, map[netip.Addr]string{ioHostIP("a"): "pseudo-header", ioHostIP("b"): "message-only"})
		// keepalived, restarted, cannot check our adverts: it takes over
		// by its own down timer (it has the higher priority anyway).
		ka.start(t)
		waitPlacement(t, 25*time.Second, map[netip.Addr]string{ivipCsum: "a"}, a, b)
		if !strings.Contains(ka.log(), kaReject) {
			t.Errorf("keepalived 2.2.7 accepted a message-only VRRPv3 checksum; the documented limitation is gone")
		}
		if errs := gk.packetErrors(t); len(errs) > 0 {
			t.Errorf("gokeepalived refused keepalived's pseudo-header adverts: %v", errs)
		}
	})
	t.Run("gokeepalived-master", func(t *testing.T) {
		t.Parallel()
		l := lab.New(t, lab.Spec{Hosts: lab.Hosts("a", "b")})
		a, b := l.Host("a"), l.Host("b")
		gk, ka := newGK(t, a, conf("a")), newKA(t, b, conf("b"))
		gk.start(t)
		ka.start(t)
		// Not interoperable with 2.2.7: keepalived refuses our adverts and
		// becomes master too; we stay master (its priority is lower).
		waitPlacement(t, 25*time.Second, map[netip.Addr]string{ivipCsum: "a"}, a)
		waitPlacement(t, 25*time.Second, map[netip.Addr]string{ivipCsum: "b"}, b)
		if !strings.Contains(ka.log(), kaReject) {
			t.Errorf("keepalived 2.2.7 did not refuse our message-only checksum")
		}
		if errs := gk.packetErrors(t); len(errs) > 0 {
			t.Errorf("gokeepalived refused keepalived's pseudo-header adverts: %v", errs)
		}
	})
}

// checkForms checks the checksum form of every VRRPv3 advert from each
// source: "message-only" or "pseudo-header" (IPv4, RFC 5798 §5.2.8).
func ioCheckForms(t *testing.T, c *ioCapture, want map[netip.Addr]string) {
	t.Helper()
	n := map[netip.Addr]int{}
	for _, a := range c.adverts() {
		w, ok := want[a.Src]
		if !ok {
			continue
		}
		n[a.Src]++
		if got := ioChecksumForm(a); got != w {
			t.Errorf("advert %s: checksum form %s, want %s", a, got, w)
		}
	}
	for src := range want {
		if n[src] == 0 {
			t.Errorf("no advert from %s captured", src)
		}
	}
}

// checksumForm names the form an IPv4 VRRPv3 advert's checksum matches.
func ioChecksumForm(a ioAdvert) string {
	if ioFold(ioSum16(a.Payload, 0)) == 0xffff {
		return "message-only"
	}
	s, d := a.Src.As4(), a.Dst.As4()
	acc := ioSum16(s[:], 0)
	acc = ioSum16(d[:], acc)
	acc += 112 + uint32(len(a.Payload))
	if ioFold(ioSum16(a.Payload, acc)) == 0xffff {
		return "pseudo-header"
	}
	return "none"
}

func ioSum16(b []byte, acc uint32) uint32 {
	for i := 0; i+1 < len(b); i += 2 {
		acc += uint32(b[i])<<8 | uint32(b[i+1])
	}
	if len(b)%2 == 1 {
		acc += uint32(b[len(b)-1]) << 8
	}
	return acc
}

func ioFold(acc uint32) uint16 {
	for acc > 0xffff {
		acc = acc&0xffff + acc>>16
	}
	return uint16(acc)
}
