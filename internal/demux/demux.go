package demux

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/system"
	"github.com/gokeepalived/gokeepalived/internal/vinst"
	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

// Packet is one received packet, as the loop checks it (Batch.Packet).
type Packet struct {
	Key  vinst.ConnKey
	Meta system.Meta
	Data []byte
	AH   bool // from an AH socket: Data is the whole IPv4 packet
}

// Table is the daemon's sockets and the instances adverts are for. Only
// the loop calls its methods; the readers only send on its channel.
type Table struct {
	open    func(system.ConnConfig) (system.Conn, error)
	log     *slog.Logger
	ctx     context.Context
	byKey   map[vinst.RxKey]*vinst.Instance
	conns   map[vinst.ConnKey]*vinst.Socket
	ahConns map[vinst.ConnKey]*vinst.Socket // auth_type AH sockets: an interface may have both
	ch      chan *Sock                      // the waiters' Ready (rx.go)
	rx      map[*vinst.Socket]*Sock         // the receive side of each open socket
	msgs    []system.RxMessage              // the loop's receive buffers
	rxKey   vinst.ConnKey                   // the socket of the packets in msgs
	rxAH    bool
	socks   []*Sock                    // Sockets' result, reused
	bufs    map[*vinst.Socket]*sockBuf // receive buffer sizes (rxbuf.go)
	shares  map[*vinst.Instance]int    // each bound instance's part of its socket's buffer

	closedDrops uint64 // kernel drops of sockets since closed

	unknown    uint64
	unknownLog vinst.LogLimiter[vinst.RxKey]
	// LogUnknown logs adverts for VRIDs no instance has (log_unknown_vrids).
	LogUnknown bool
	// RxBufs sizes the sockets' receive buffers (vrrp_rx_bufs_policy);
	// it applies as instances join and leave sockets.
	RxBufs config.RxBufs
}

// New returns an empty table that opens sockets with open.
func New(open func(system.ConnConfig) (system.Conn, error), log *slog.Logger) *Table {
	return &Table{open: open, log: log, ctx: context.Background(),
		byKey: map[vinst.RxKey]*vinst.Instance{}, conns: map[vinst.ConnKey]*vinst.Socket{},
		ahConns: map[vinst.ConnKey]*vinst.Socket{}, ch: make(chan *Sock, 64), rx: map[*vinst.Socket]*Sock{},
		bufs: map[*vinst.Socket]*sockBuf{}, shares: map[*vinst.Instance]int{}}
}

// Start makes readers give up when ctx ends; call it before Bind.
func (t *Table) Start(ctx context.Context) { t.ctx = ctx }

// Unknown counts the packets no instance took (unknown VRID, too short).
func (t *Table) Unknown() uint64 { return t.unknown }

// Register maps vi's interface, family and VRID to vi without a socket;
// another instance there already is an error.
func (t *Table) Register(vi *vinst.Instance) error {
	if other := t.byKey[vi.Key()]; other != nil && other != vi {
		return fmt.Errorf("vrrp_instance %s: VRID %d is already used on %s by %s", vi.Conf.Name, vi.Conf.VRID, vi.Link.Name, other.Conf.Name)
	}
	t.byKey[vi.Key()] = vi
	return nil
}

// Bind registers vi and opens (or shares) the socket of its interface and
// family.
func (t *Table) Bind(vi *vinst.Instance) error {
	if other := t.byKey[vi.Key()]; other != nil && other != vi {
		return t.Register(vi)
	}
	if err := t.attach(vi); err != nil {
		return fmt.Errorf("vrrp_instance %s: open VRRP socket on %s: %w", vi.Conf.Name, vi.Link.Name, err)
	}
	return t.Register(vi)
}

// Unbind forgets vi and closes its socket with the last instance on it.
func (t *Table) Unbind(vi *vinst.Instance) {
	if t.byKey[vi.Key()] == vi {
		delete(t.byKey, vi.Key())
	}
	t.detach(vi)
}

// Close closes every socket.
func (t *Table) Close() {
	for _, ce := range t.conns {
		ce.Conn.Close()
	}
	for _, ce := range t.ahConns {
		ce.Conn.Close()
	}
}

// connsFor returns the socket table of AH sockets (ah) or VRRP ones.
func (t *Table) connsFor(ah bool) map[vinst.ConnKey]*vinst.Socket {
	if ah {
		return t.ahConns
	}
	return t.conns
}

// attach opens (or shares) the socket of vi's interface and family.
func (t *Table) attach(vi *vinst.Instance) error {
	key := vinst.ConnKey{Ifindex: vi.Link.Index, Fam: vi.Fam}
	conns := t.connsFor(vi.AH != nil)
	if ce, ok := conns[key]; ok {
		ce.Refs++
		vi.Conn = ce
		t.addShare(vi, ce, true)
		return nil
	}
	c, err := t.open(system.ConnConfig{
		Ifindex: vi.Link.Index, Ifname: vi.Link.Name, Family: vi.Fam,
		Group: vi.Group, Logger: vi.Log, Protocol: vi.ConnProtocol(),
	})
	if err != nil {
		return err
	}
	ce := &vinst.Socket{Key: key, Conn: c, Refs: 1, AH: vi.AH != nil}
	conns[key] = ce
	vi.Conn = ce
	t.addShare(vi, ce, true)
	t.watch(ce, vi.Link.MTU)
	return nil
}

// detach drops vi's reference and closes the socket with the last one.
func (t *Table) detach(vi *vinst.Instance) {
	ce := vi.Conn
	if ce == nil {
		return
	}
	vi.Conn = nil
	ce.Refs--
	t.addShare(vi, ce, false)
	if ce.Refs == 0 {
		delete(t.connsFor(ce.AH), ce.Key)
		delete(t.rx, ce)
		ce.Conn.Close()
	}
}

// Receive checks one packet against the instance it is for, counts it
// and returns that instance, its advert in RxAdv; nil when the packet was
// dropped (counted, and logged at most once a minute per cause).
func (t *Table) Receive(p Packet) *vinst.Instance {
	var ahPkt []byte // an AH advert's whole IPv4 packet, for the AH checks
	if p.AH {
		var ok bool
		if ahPkt, ok = t.splitAH(&p); !ok {
			return nil
		}
	}
	if len(p.Data) < 2 {
		t.unknown++
		return nil
	}
	vi := t.byKey[vinst.RxKey{ConnKey: p.Key, VRID: p.Data[1]}]
	if vi == nil {
		t.unknownVRID(p)
		return nil
	}
	msg, signed := vi.SplitHMAC(p.Data) // auth_hmac: the trailer is checked by Check
	if err := vrrp.Parse(msg, vi.Fam, &vi.RxAdv); err != nil {
		var r vrrp.Reason
		if errors.As(err, &r) {
			vi.Drop(r, p.Meta.Src)
		}
		return nil
	}
	v := vrrp.Check(&vi.RxAdv, msg, vrrp.RxInfo{Src: p.Meta.Src, Dst: p.Meta.Dst, TTL: int(p.Meta.TTL), Packet: ahPkt,
		Payload: signed, Now: time.Now()}, &vi.Expect)
	if !v.OK() {
		vi.Drop(v.Reason, p.Meta.Src)
		return nil
	}
	if v.Form == vrrp.FormPseudoGroup && vi.Mode == vrrp.ChecksumDefault {
		if ok, held := vi.CauseLog.Allow("old unicast checksum", time.Now()); ok {
			vi.Log.Info("peer uses the old unicast checksum; accepting it", append(held, "from", p.Meta.Src)...)
		}
	}
	vi.HMACAccepted(p.Meta.Src)
	vi.Stats.AdvertRcvd++
	if vi.RxAdv.Priority == 0 {
		vi.Stats.PriZeroRcvd++
	}
	return vi
}

// unknownVRID counts an advert for a VRID no instance has on that
// interface and, with log_unknown_vrids, logs it once a minute per VRID.
func (t *Table) unknownVRID(p Packet) {
	t.unknown++
	if !t.LogUnknown {
		return
	}
	if ok, held := t.unknownLog.Allow(vinst.RxKey{ConnKey: p.Key, VRID: p.Data[1]}, time.Now()); ok {
		t.log.Info(fmt.Sprintf("Unknown VRID(%d) received on interface(%s) from %s. ignoring...", p.Data[1], ifName(p.Key.Ifindex), p.Meta.Src),
			append(held, "vrid", p.Data[1], "from", p.Meta.Src, "ifindex", p.Key.Ifindex)...)
	}
}

// splitAH turns a packet read from an AH socket (the whole IPv4 packet)
// into its VRRP message in p.Data and returns the packet for the AH
// checks. A packet too short for its headers is dropped before any
// instance is looked up (as keepalived does) and counted as unknown.
func (t *Table) splitAH(p *Packet) ([]byte, bool) {
	var h vrrp.AH
	_, msg, err := vrrp.ParseAHPacket(p.Data, &h)
	if err != nil {
		t.unknown++
		return nil, false
	}
	pkt := p.Data
	p.Data = msg
	return pkt, true
}

// ifName names interface index for a log line, as keepalived does.
func ifName(index int) string {
	if ifi, err := net.InterfaceByIndex(index); err == nil {
		return ifi.Name
	}
	return fmt.Sprintf("if%d", index)
}
