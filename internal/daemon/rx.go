package daemon

import (
	"errors"
	"fmt"
	"net/netip"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/instance"
	"github.com/gokeepalived/gokeepalived/internal/system"
	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

// connKey names one receive/send socket: an interface and a family.
type connKey struct {
	ifindex int
	fam     vrrp.Family
}

// rxKey names the instance a received advert is for.
type rxKey struct {
	connKey
	vrid uint8
}

// connEntry is one open socket shared by the instances on its interface.
type connEntry struct {
	key  connKey
	conn system.Conn
	refs int
	ah   bool // an auth_type AH socket
}

// rxPacket is one packet handed from a reader goroutine to the loop.
type rxPacket struct {
	key  connKey
	meta system.Meta
	data []byte
	ah   bool // from an AH socket: data is the whole IPv4 packet
}

// vipTarget is one address to announce with GARP/NA.
type vipTarget struct {
	ifindex int
	addr    netip.Addr
}

func (vi *vinst) targets() []vipTarget {
	t := make([]vipTarget, len(vi.vips))
	for i, v := range vi.vips {
		t[i] = vipTarget{v.Ifindex, v.Prefix.Addr()}
	}
	return t
}

// attachConn opens (or shares) the socket of vi's interface and family.
func (d *Daemon) attachConn(vi *vinst) error {
	key := connKey{vi.link.Index, vi.fam}
	conns := d.connsFor(vi.ah != nil) // ah.go
	if ce, ok := conns[key]; ok {
		ce.refs++
		vi.conn = ce
		return nil
	}
	c, err := d.sys.OpenConn(system.ConnConfig{
		Ifindex: vi.link.Index, Ifname: vi.link.Name, Family: vi.fam,
		Group: vi.group, Logger: vi.log, Protocol: vi.connProtocol(),
	})
	if err != nil {
		return err
	}
	ce := &connEntry{key: key, conn: c, refs: 1, ah: vi.ah != nil}
	conns[key] = ce
	vi.conn = ce
	go d.readLoop(ce)
	return nil
}

// detachConn drops vi's reference and closes the socket with the last one.
func (d *Daemon) detachConn(vi *vinst) {
	ce := vi.conn
	if ce == nil {
		return
	}
	vi.conn = nil
	ce.refs--
	if ce.refs == 0 {
		delete(d.connsFor(ce.ah), ce.key)
		ce.conn.Close()
	}
}

// readLoop reads one socket until it is closed.
func (d *Daemon) readLoop(ce *connEntry) {
	buf := make([]byte, 65536)
	for {
		n, meta, err := ce.conn.Read(buf)
		if err != nil {
			if errors.Is(err, system.ErrClosed) {
				return
			}
			d.log.Debug("read", "err", err)
			time.Sleep(10 * time.Millisecond)
			continue
		}
		p := rxPacket{key: ce.key, meta: meta, data: append([]byte(nil), buf[:n]...), ah: ce.ah}
		select {
		case d.rxCh <- p:
		case <-d.runCtx.Done():
			return
		}
	}
}

// receive checks one packet and feeds it to its instance.
func (d *Daemon) receive(p rxPacket) {
	var ahPkt []byte // an AH advert's whole IPv4 packet (ah.go)
	if p.ah {
		var ok bool
		if ahPkt, ok = d.splitAH(&p); !ok {
			return
		}
	}
	if len(p.data) < 2 {
		d.unknownRx++
		return
	}
	vi := d.byKey[rxKey{p.key, p.data[1]}]
	if vi == nil {
		d.unknownVRID(p)
		return
	}
	msg, signed := vi.splitHMAC(p.data) // hmac.go
	if err := vrrp.Parse(msg, vi.fam, &vi.rxAdv); err != nil {
		var r vrrp.Reason
		if errors.As(err, &r) {
			d.drop(vi, r, p.meta.Src)
		}
		return
	}
	v := vrrp.Check(&vi.rxAdv, msg, vrrp.RxInfo{Src: p.meta.Src, Dst: p.meta.Dst, TTL: int(p.meta.TTL), Packet: ahPkt,
		Payload: signed, Now: time.Now()}, &vi.expect)
	if !v.OK() {
		d.drop(vi, v.Reason, p.meta.Src)
		return
	}
	if v.Form == vrrp.FormPseudoGroup && vi.mode == vrrp.ChecksumDefault {
		if ok, held := vi.causeLog.allow("old unicast checksum", time.Now()); ok {
			vi.log.Info("peer uses the old unicast checksum; accepting it", append(held, "from", p.meta.Src)...)
		}
	}
	hmacAccepted(vi, p.meta.Src) // hmac.go
	vi.stats.AdvertRcvd++
	if vi.rxAdv.Priority == 0 {
		vi.stats.PriZeroRcvd++
	}
	if vi.m.IgnoresAdverts() { // owner_adverts.go
		d.ownerIgnored(vi, p.meta.Src)
		return
	}
	vi.ahHeard(p.meta.Src)
	logBackupRx(vi, p.meta.Src, vi.rxAdv.Priority) // loglines.go
	d.stepUnit(time.Now(), vi.unit, vi.idx, instance.AdvertReceived{From: p.meta.Src, Advert: vi.rxAdv})
}

// drop counts a refused advert as keepalived's stats do and logs the
// first of each reason per minute (logLimiter).
func (d *Daemon) drop(vi *vinst, r vrrp.Reason, from netip.Addr) {
	s := &vi.stats
	switch r.Counter() {
	case "packet_len_err":
		s.PacketLenErr++
	case "advert_interval_err":
		s.AdvertIntervalErr++
	case "ip_ttl_err":
		s.IPTTLErr++
	case "invalid_type_rcvd":
		s.InvalidTypeRcvd++
	case "addr_list_err":
		s.AddrListErr++
	case "invalid_authtype":
		s.InvalidAuthType++
	case "authtype_mismatch":
		s.AuthTypeMismatch++
	case "auth_failure":
		s.AuthFailure++
	default:
		s.Drops[r.String()]++
	}
	if ok, held := vi.dropLog.allow(r, time.Now()); ok {
		vi.log.Warn(dropLine(vi, r, from), append(held, "from", from, "reason", r.String())...)
	}
}

// logLimiter lets the first log line of each cause through once a minute
// and counts the ones it holds back, so that a flood of one kind of packet
// (10,000 a second) writes one line a minute, saying how many it stands
// for. The zero value is ready to use.
type logLimiter[K comparable] struct {
	last map[K]time.Time
	held map[K]uint64
}

// allow reports whether a line for cause k may be logged at now; if so,
// held is the "suppressed" attribute to add (none when nothing was held).
func (l *logLimiter[K]) allow(k K, now time.Time) (ok bool, held []any) {
	if l.last == nil {
		l.last, l.held = map[K]time.Time{}, map[K]uint64{}
	}
	if last, seen := l.last[k]; seen && now.Sub(last) < time.Minute && !now.Before(last) {
		l.held[k]++
		return false, nil
	}
	l.last[k] = now
	if n := l.held[k]; n > 0 {
		held = []any{"suppressed", n}
	}
	l.held[k] = 0
	return true, held
}

// unknownVRID counts an advert for a VRID no instance has on that
// interface and, with log_unknown_vrids, logs it once a minute per VRID.
func (d *Daemon) unknownVRID(p rxPacket) {
	d.unknownRx++
	if !d.conf.Global.LogUnknownVRIDs {
		return
	}
	if ok, held := d.unknownLog.allow(rxKey{p.key, p.data[1]}, time.Now()); ok {
		d.log.Info(fmt.Sprintf("Unknown VRID(%d) received on interface(%s) from %s. ignoring...", p.data[1], d.ifName(p.key.ifindex), p.meta.Src),
			append(held, "vrid", p.data[1], "from", p.meta.Src, "ifindex", p.key.ifindex)...)
	}
}
