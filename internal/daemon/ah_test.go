package daemon

import (
	"bytes"
	"io"
	"log/slog"
	"net/netip"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/demux"
	"github.com/gokeepalived/gokeepalived/internal/instance"
	"github.com/gokeepalived/gokeepalived/internal/system"
	"github.com/gokeepalived/gokeepalived/internal/vectors"
	"github.com/gokeepalived/gokeepalived/internal/vinst"
	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

// msgConn records whole messages (payload copied).
type msgConn struct{ sent []system.Message }

func (c *msgConn) Read([]byte) (int, system.Meta, error) { return 0, system.Meta{}, system.ErrClosed }
func (c *msgConn) Close() error                          { return nil }
func (c *msgConn) Write(m system.Message) error {
	m.Payload = append([]byte(nil), m.Payload...)
	c.sent = append(c.sent, m)
	return nil
}

// ahVector returns keepalived's c12 advert number nn (01: seq 1, 03: the
// priority-0 one, seq 5) as its whole IPv4 packet.
func ahVector(t *testing.T, nn string) []byte {
	t.Helper()
	for _, v := range vectors.Adverts(vectors.LoadT(t, vectors.File227)) {
		if v.Case == "c12-v2-ah" && bytes.HasPrefix([]byte(v.Name), []byte("c12-v2-ah/"+nn)) {
			return v.Frame[14:]
		}
	}
	t.Fatalf("no c12 vector %s", nn)
	return nil
}

// ahInstance is c12's VI_AH (auth_type AH, auth_pass 1234, VRID 88,
// 192.168.1.31) on 192.168.1.2, its machine started (BACKUP).
func ahInstance(t *testing.T, d *Daemon) *vinst.Instance {
	t.Helper()
	ci := &config.Instance{Name: "VI_AH", Version: 2, VRID: 88, Priority: 100, AdvertInt: time.Second,
		Auth: config.Auth{Type: config.AuthAH, Pass: "1234"}}
	return startedInstance(t, d, ci, "192.168.1.31", (*vinst.Instance).SetupAH)
}

// startedInstance is instance ci (priority 100, one VIP) on 192.168.1.2
// and ifindex 2, after setup (its authentication), its machine started
// (BACKUP), registered in d to receive.
func startedInstance(t *testing.T, d *Daemon, ci *config.Instance, vipStr string, setup func(*vinst.Instance)) *vinst.Instance {
	t.Helper()
	src := netip.MustParseAddr("192.168.1.2")
	vrid := uint8(ci.VRID)
	cfg := instance.DefaultConfig()
	cfg.VRID, cfg.Priority, cfg.PrimaryAddr = vrid, 100, src
	vi := &vinst.Instance{Conf: ci, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), M: instance.New(cfg),
		Fam: vrrp.IPv4, Src: src}
	vi.Stats.Drops = map[string]uint64{}
	vi.GroupDst[0] = system.GroupIPv4
	vip := netip.MustParseAddr(vipStr)
	v := vrrp.Version(ci.Version)
	vi.SendTpl = vrrp.Advertisement{Version: v, VRID: vrid, Interval: time.Second, Addrs: []netip.Addr{vip}}
	vi.Expect = vrrp.Expect{Version: v, VRID: vrid, Interval: time.Second, CheckAddrs: true, VIPs: []netip.Addr{vip}}
	setup(vi)
	vi.M.Step(time.Now(), instance.Startup{})
	vinst.NewUnit("", []*vinst.Instance{vi})
	vi.Link.Index = 2
	if d.rx == nil {
		d.rx = demux.New(nil, vi.Log)
	}
	if err := d.rx.Register(vi); err != nil {
		t.Fatal(err)
	}
	return vi
}

// sealed returns the packet the conn was asked to send: the vector's IPv4
// header (system builds it; its tests compare it), then the payload, with
// the ICV sealed by the message's sealer.
func sealed(t *testing.T, m system.Message, ipHeader []byte) []byte {
	t.Helper()
	if m.AH == nil {
		t.Fatal("an AH instance sent a message without AH")
	}
	pkt := append(append([]byte(nil), ipHeader...), m.Payload...)
	m.AH.Seal(pkt, len(ipHeader))
	return pkt
}

// TestSendAdvertAHMatchesKeepalived: an auth_type AH instance sends
// keepalived's c12 adverts byte for byte: its first advert (IP ID and
// sequence number 1) and, four rounds later, the priority-0 one (5).
func TestSendAdvertAHMatchesKeepalived(t *testing.T) {
	d := &Daemon{}
	conn := &msgConn{}
	vi := ahInstance(t, d)
	vi.Conn = &vinst.Socket{Conn: conn, AH: true}
	for _, prio := range []uint8{100, 100, 100, 100, 0} {
		d.sendAdvert(vi, prio)
	}
	if len(conn.sent) != 5 {
		t.Fatalf("%d adverts sent, want 5", len(conn.sent))
	}
	for i, nn := range map[int]string{0: "01", 4: "03"} {
		want := ahVector(t, nn)
		m := conn.sent[i]
		if m.ID != uint16(i+1) {
			t.Errorf("advert %d: IP ID %d, want %d", i, m.ID, i+1)
		}
		if got := sealed(t, m, want[:20]); !bytes.Equal(got, want) {
			t.Errorf("advert %d:\n got %x\nwant %x", i, got, want)
		}
	}
	if p := vi.ConnProtocol(); p != system.ProtocolAH {
		t.Errorf("socket protocol %d, want 51", p)
	}
}

// TestReceiveAH: keepalived's AH adverts are accepted and move the
// sequence counter; a replayed one or one under another password is
// dropped and counted as auth_failure, as keepalived counts them.
func TestReceiveAH(t *testing.T) {
	d := &Daemon{}
	vi := ahInstance(t, d)
	first, prio0 := ahVector(t, "01"), ahVector(t, "03")
	rx := func(pkt []byte) {
		d.receive(demux.Packet{Key: vinst.ConnKey{Ifindex: 2, Fam: vrrp.IPv4}, AH: true, Data: append([]byte(nil), pkt...),
			Meta: system.Meta{Src: netip.AddrFrom4([4]byte(pkt[12:16])), Dst: system.GroupIPv4, TTL: pkt[8], Ifindex: 2}})
	}
	rx(first)
	if vi.Stats.AdvertRcvd != 1 || vi.AH.Seq != 1 {
		t.Fatalf("first advert: advert_rcvd %d, counter %d; want 1, 1 (%+v)", vi.Stats.AdvertRcvd, vi.AH.Seq, vi.Stats)
	}
	rx(first)
	if vi.Stats.AuthFailure != 1 || vi.Stats.AdvertRcvd != 1 {
		t.Errorf("replay: auth_failure %d, advert_rcvd %d; want 1, 1", vi.Stats.AuthFailure, vi.Stats.AdvertRcvd)
	}
	wrong := append([]byte(nil), prio0...)
	vrrp.NewAHState(vrrp.PassData("secret"), false).Seal(wrong, 20)
	rx(wrong)
	if vi.Stats.AuthFailure != 2 || vi.AH.Seq != 1 {
		t.Errorf("other password: auth_failure %d, counter %d; want 2, 1", vi.Stats.AuthFailure, vi.AH.Seq)
	}
	rx(prio0)
	if vi.Stats.AdvertRcvd != 2 || vi.Stats.PriZeroRcvd != 1 || vi.AH.Seq != 5 {
		t.Errorf("priority 0: advert_rcvd %d, pri_zero_rcvd %d, counter %d; want 2, 1, 5",
			vi.Stats.AdvertRcvd, vi.Stats.PriZeroRcvd, vi.AH.Seq)
	}
	if d.rx.Unknown() != 0 {
		t.Errorf("%d packets counted unknown", d.rx.Unknown())
	}
	d.receive(demux.Packet{Key: vinst.ConnKey{Ifindex: 2, Fam: vrrp.IPv4}, AH: true, Data: first[:40]})
	if d.rx.Unknown() != 1 {
		t.Errorf("a packet too short for its AH header: unknown %d, want 1", d.rx.Unknown())
	}
}

// TestAHMasterHeardLower: a master that hears a lower priority moves its
// counter past the sender's before it answers, as keepalived does; a
// priority-0 advert does not move it.
func TestAHMasterHeardLower(t *testing.T) {
	d := &Daemon{}
	vi := ahInstance(t, d)
	vi.M.Step(vi.M.Deadline(), instance.Timeout{})
	if vi.M.State() != instance.Master {
		t.Fatalf("state %v, want MASTER", vi.M.State())
	}
	lower := netip.MustParseAddr("192.168.1.3")
	for _, tt := range []struct {
		prio    uint8
		from    netip.Addr
		wantSeq uint32
	}{
		{90, lower, 42}, // lower priority
		{100, netip.MustParseAddr("192.168.1.1"), 42}, // equal priority, lower address
		{0, lower, 41}, // priority 0: no sync
		{100, netip.MustParseAddr("192.168.1.9"), 41}, // equal priority, higher address: it wins
		{150, netip.MustParseAddr("192.168.1.1"), 41}, // higher priority
	} {
		vi.AH.Seq = 41 // as accepted from the sender
		vi.RxAdv.Priority = tt.prio
		vi.AHHeard(tt.from)
		if vi.AH.Seq != tt.wantSeq {
			t.Errorf("priority %d from %v: counter %d, want %d", tt.prio, tt.from, vi.AH.Seq, tt.wantSeq)
		}
	}
}
