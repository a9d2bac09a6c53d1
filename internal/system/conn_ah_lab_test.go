//go:build linux

package system

import (
	"encoding/hex"
	"testing"

	"github.com/gokeepalived/gokeepalived/internal/lab"
	"github.com/gokeepalived/gokeepalived/internal/vrrp"
	"github.com/google/go-cmp/cmp"
)

// TestConnAHMatchesKeepalived: an AH socket sends keepalived's c12 frame
// byte for byte (protocol 51, ICV sealed after the header is built) and
// receives it whole, IPv4 header included, while the VRRP (112) socket
// on the same interface does not see it.
func TestConnAHMatchesKeepalived(t *testing.T) {
	l := newLab(t, lab.Hosts("a", "b", "c")...)
	a, b, c := l.Host("a"), l.Host("b"), l.Host("c")
	ca := openConn(t, a, IPv4, ConnConfig{Protocol: ProtocolAH})
	cb := openConn(t, b, IPv4, ConnConfig{Protocol: ProtocolAH})
	plain := openConn(t, b, IPv4, ConnConfig{})
	pc := capture(t, c)

	v := vector(t, "c12-v2-ah/01-advert-a-v2-vrid88-prio100")
	frame := unhex(t, v["frame"])
	payload := append([]byte(nil), frame[34:]...)
	clear(payload[12:24])
	ah := vrrp.NewAHState(vrrp.PassData("1234"), false)
	if err := ca.Write(Message{Src: a.Addr(false), Dst: GroupIPv4, ID: 1, Payload: payload, AH: ah}); err != nil {
		t.Fatal(err)
	}
	got := readOne(t, cb)
	want := recvd{frame[14:], Meta{Src: a.Addr(false), Dst: GroupIPv4, TTL: 255, Ifindex: cb.cfg.Ifindex}}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(recvd{}), cmpAddr); diff != "" {
		t.Errorf("b received (-want +got):\n%s", diff)
	}
	seen := nextFrame(t, pc, func(f []byte) bool { return len(f) > 34 && f[12] == 0x08 && f[23] == ProtocolAH })
	if diff := cmp.Diff(v["frame"], hex.EncodeToString(seen)); diff != "" {
		t.Errorf("frame seen by c vs keepalived's (-want +got):\n%s", diff)
	}
	// The plain socket saw nothing: a VRRP packet sent after the AH one is
	// the first thing it reads.
	vv := vector(t, "c01-v2-pass-blog/01-advert-a-v2-vrid80-prio100")
	plainA := openConn(t, a, IPv4, ConnConfig{})
	if err := plainA.Write(Message{Src: a.Addr(false), Dst: GroupIPv4, ID: 2, Payload: unhex(t, vv["vrrp"])}); err != nil {
		t.Fatal(err)
	}
	if got := readOne(t, plain); !cmp.Equal(got.payload, unhex(t, vv["vrrp"])) {
		t.Errorf("the VRRP socket read %x, want the plain advert only", got.payload)
	}
	if _, err := OpenConn(ConnConfig{Ifindex: 1, Ifname: "lo", Family: IPv6, Protocol: ProtocolAH}); err == nil {
		t.Error("an IPv6 AH socket opened; AH is IPv4 only")
	}
}
