package daemon

import (
	"bytes"
	"log/slog"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/demux"
	"github.com/gokeepalived/gokeepalived/internal/system"
	"github.com/gokeepalived/gokeepalived/internal/vinst"
	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

var (
	hmacKey1 = bytes.Repeat([]byte{0x11}, 32)
	hmacKey2 = bytes.Repeat([]byte("k2"), 20)
)

// hmacInstance is a VRRPv3 auth_hmac instance (VRID 60, enforce, key 1)
// on 192.168.1.2, its machine started (BACKUP).
func hmacInstance(t *testing.T, d *Daemon) *vinst.Instance {
	t.Helper()
	ci := &config.Instance{Name: "VI_HMAC", Version: 3, VRID: 60, Priority: 100, AdvertInt: time.Second,
		AuthHMAC: &config.AuthHMAC{Keys: []config.HMACKey{{ID: 1, Key: hmacKey1}}, ActiveKey: 1, Mode: "enforce", TimeWindow: 5}}
	return startedInstance(t, d, ci, "192.168.1.60", (*vinst.Instance).SetupHMAC)
}

// peerAdvert is a priority-50 advert of VRID 60 from 192.168.1.3, signed
// with key id (keyID 0: unsigned).
func peerAdvert(t *testing.T, h *vrrp.HMAC) []byte {
	t.Helper()
	return peerAdvertAt(t, h, time.Now())
}

// peerAdvertAt is peerAdvert signed as if sent at at.
func peerAdvertAt(t *testing.T, h *vrrp.HMAC, at time.Time) []byte {
	t.Helper()
	src := netip.MustParseAddr("192.168.1.3")
	a := vrrp.Advertisement{Version: vrrp.V3, VRID: 60, Priority: 50, Interval: time.Second,
		Addrs: []netip.Addr{netip.MustParseAddr("192.168.1.60")}}
	b, err := a.Append(nil, vrrp.Sum{Form: vrrp.FormPseudo, Src: src, Dst: system.GroupIPv4})
	if err != nil {
		t.Fatal(err)
	}
	if h == nil {
		return b
	}
	return h.Sign(b, len(b), vrrp.IPv4, src, at)
}

// TestHMACSendReceive: an auth_hmac instance signs every advert (a peer
// with the key verifies them) without allocating; it accepts a signed
// advert once and refuses the replay, a flipped bit, an unknown key id
// and an unsigned advert, each under keepalived's auth_ext_* counter,
// shown in status; a key rotation by reload in place signs with the new
// key and still refuses the replay.
func TestHMACSendReceive(t *testing.T) {
	d := &Daemon{}
	vi := hmacInstance(t, d)
	conn := &recConn{}
	vi.Conn = &vinst.Socket{Conn: conn}
	peer := &vrrp.HMAC{Keys: []vrrp.HMACKey{{ID: 1, Key: hmacKey1}, {ID: 2, Key: hmacKey2}}, Active: 1, Window: 5}
	d.sendAdvert(vi, 100)
	d.sendAdvert(vi, 100)
	for i, b := range conn.sent[:conn.n] {
		if r := peer.Verify(b, vrrp.IPv4, vi.Src, time.Now(), nil); r != vrrp.HMACOK {
			t.Fatalf("advert %d: a peer's check says %v", i, r)
		}
	}
	if allocs := testing.AllocsPerRun(100, func() { conn.n = 0; d.sendAdvert(vi, 100) }); allocs != 0 {
		t.Errorf("a signed send allocates %.1f times, want 0", allocs)
	}

	rx := func(b []byte) {
		d.receive(demux.Packet{Key: vinst.ConnKey{Ifindex: 2, Fam: vrrp.IPv4}, Data: bytes.Clone(b),
			Meta: system.Meta{Src: netip.MustParseAddr("192.168.1.3"), Dst: system.GroupIPv4, TTL: 255, Ifindex: 2}})
	}
	good := peerAdvert(t, peer)
	rx(good)
	if vi.Stats.AdvertRcvd != 1 {
		t.Fatalf("a signed advert was not accepted: %+v", vi.Stats)
	}
	rx(good)
	flipped := bytes.Clone(peerAdvert(t, peer))
	flipped[len(flipped)-3] ^= 0x10
	rx(flipped)
	other := &vrrp.HMAC{Keys: []vrrp.HMACKey{{ID: 9, Key: hmacKey2}}, Active: 9, Window: 5}
	rx(peerAdvert(t, other))
	rx(peerAdvert(t, nil))
	want := map[string]uint64{"auth_ext_replay": 1, "auth_ext_invalid_hmac": 1, "auth_ext_unknown_key": 1, "auth_ext_missing": 1}
	for k, n := range want {
		if vi.Stats.Drops[k] != n {
			t.Errorf("%s = %d, want %d (drops %v)", k, vi.Stats.Drops[k], n, vi.Stats.Drops)
		}
	}
	if vi.Stats.AdvertRcvd != 1 {
		t.Errorf("advert_rcvd %d, want 1: a refused advert reached the machine", vi.Stats.AdvertRcvd)
	}
	st := vi.Status(nil, nil).AuthHMAC
	if st == nil || st.Mode != "enforce" || st.ActiveKey != 1 || st.Replay != 1 || st.InvalidHMAC != 1 ||
		st.UnknownKey != 1 || st.Missing != 1 || !strings.Contains(st.Line(), "invalid HMAC 1") {
		t.Errorf("status %+v", st)
	}

	// Rotation: key 2 added and made active by a reload in place.
	vi.Conf = &config.Instance{Name: "VI_HMAC", AuthHMAC: &config.AuthHMAC{ActiveKey: 2, Mode: "enforce", TimeWindow: 5,
		Keys: []config.HMACKey{{ID: 1, Key: hmacKey1}, {ID: 2, Key: hmacKey2}}}}
	vi.Expect.HMAC = nil
	vi.SetupHMAC()
	rx(good)
	if vi.Stats.Drops["auth_ext_replay"] != 2 {
		t.Errorf("the replay after a reload: auth_ext_replay %d, want 2", vi.Stats.Drops["auth_ext_replay"])
	}
	conn.n = 0
	d.sendAdvert(vi, 100)
	var tr vrrp.HMACTrailer
	_, raw := vrrp.SplitHMAC(conn.sent[0], vrrp.IPv4)
	if err := vrrp.ParseHMACTrailer(raw, &tr); err != nil || tr.KeyID != 2 {
		t.Errorf("after rotation the trailer is %+v (%v), want key id 2", tr, err)
	}
	if r := peer.Verify(conn.sent[0], vrrp.IPv4, vi.Src, time.Now(), nil); r != vrrp.HMACOK {
		t.Errorf("after rotation a peer's check says %v", r)
	}
	// receive-only sends no trailer.
	vi.Conf.AuthHMAC.Mode = "receive-only"
	vi.SetupHMAC()
	conn.n = 0
	d.sendAdvert(vi, 100)
	if _, tr := vrrp.SplitHMAC(conn.sent[0], vrrp.IPv4); tr != nil {
		t.Error("receive-only signed its advert")
	}
}

// The refusal and warning lines print what keepalived 2.4.3's do: the
// unknown key's id, a stale advert's clock skew, and an accepted advert
// sent more than half the window away from our clock.
func TestHMACLogLines(t *testing.T) {
	var logs bytes.Buffer
	d := &Daemon{}
	vi := hmacInstance(t, d)
	vi.Log = slog.New(slog.NewTextHandler(&logs, nil))
	rx := func(b []byte) {
		d.receive(demux.Packet{Key: vinst.ConnKey{Ifindex: 2, Fam: vrrp.IPv4}, Data: bytes.Clone(b),
			Meta: system.Meta{Src: netip.MustParseAddr("192.168.1.3"), Dst: system.GroupIPv4, TTL: 255, Ifindex: 2}})
	}
	peer := func(id uint8) *vrrp.HMAC {
		return &vrrp.HMAC{Keys: []vrrp.HMACKey{{ID: id, Key: hmacKey1}}, Active: id, Window: 5}
	}
	now := time.Now()
	rx(peerAdvertAt(t, peer(9), now))
	rx(peerAdvertAt(t, peer(1), now.Add(-7*time.Second)))
	rx(peerAdvertAt(t, peer(1), now.Add(-3*time.Second)))
	if vi.Stats.AdvertRcvd != 1 {
		t.Errorf("advert_rcvd %d, want 1 (the skewed one within the window)", vi.Stats.AdvertRcvd)
	}
	for _, want := range []string{
		"(VI_HMAC) unknown authentication key id 9 from 192.168.1.3",
		"(VI_HMAC) stale authentication trailer from 192.168.1.3, clock skew 7 sec exceeds window 5 sec",
		"(VI_HMAC) authentication clock skew 3 sec from 192.168.1.3 approaching window 5 sec",
	} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logs.String())
		}
	}
}
