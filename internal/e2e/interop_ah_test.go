package e2e

import (
	"net/netip"
	"strings"
	"testing"
	"time"
)

var (
	ivipAH  = netip.MustParseAddr("192.168.1.31")
	ivipUAH = netip.MustParseAddr("192.168.1.32")
)

// ioAH turns f's instances into auth_type AH ones (their auth_pass kept).
func ioAH(f func(string) ioConf) func(string) ioConf {
	return func(h string) ioConf {
		c := f(h)
		for i := range c.Insts {
			c.Insts[i].Auth = "AH"
		}
		return c
	}
}

// ahModes are VRRPv2 with auth_type AH (IPsec AH, HMAC-MD5-96), in
// multicast (TTL covered by the ICV) and unicast (TTL left out).
var ahModes = []interopMode{
	{name: "v2-ah", conf: ioAH(ioOneInst("VI_AH", 88, "1", 0, "1234", "192.168.1.31")),
		want: map[netip.Addr]string{ivipAH: "a"}, interval: time.Second, master: "a"},
	{name: "unicast-v2-ah", conf: ioAH(ioUnicast(ioOneInst("VI_UAH", 89, "1", 0, "1234", "192.168.1.32"))),
		want: map[netip.Addr]string{ivipUAH: "a"}, interval: time.Second, master: "a"},
}

// TestInteropAH: gokeepalived and keepalived 2.2.7 share an auth_type AH
// virtual router both ways round (and gokeepalived with itself): the
// election picks the higher priority, SIGTERM and SIGKILL + link down of
// the master move the VIP to the other and its return takes it back —
// across the restarted router's sequence counter starting again at 0 —
// and neither keepalived's detailed log nor our counters show an AH,
// auth or other receive error. Every advert on the wire carries AH, and
// both daemons send the same VRRP message and AH header (bar sequence
// number and ICV) for the same configuration.
func TestInteropAH(t *testing.T) {
	needKeepalived(t)
	ioRunModes(t, ahModes, append(ioDirections, "gk-both"), func(t *testing.T, w map[string]string) {
		senders := map[string]bool{}
		for k, v := range w {
			if !strings.Contains(v, " ah 70 04 00 00 ") {
				t.Errorf("%s: advert without AH (next header 112, length 4): %s", k, v)
			}
			senders[strings.SplitN(k, ">", 2)[0]] = true
		}
		if !senders["192.168.1.2"] || !senders["192.168.1.3"] {
			t.Errorf("adverts from %v, want both routers (each was master once)", senders)
		}
	})
}
