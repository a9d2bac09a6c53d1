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
}

// rxPacket is one packet handed from a reader goroutine to the loop.
type rxPacket struct {
	key  connKey
	meta system.Meta
	data []byte
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
	if ce, ok := d.conns[key]; ok {
		ce.refs++
		vi.conn = ce
		return nil
	}
	fam := system.IPv4
	if vi.fam == vrrp.IPv6 {
		fam = system.IPv6
	}
	c, err := d.sys.open(system.ConnConfig{
		Ifindex: vi.link.Index, Ifname: vi.link.Name, Family: fam,
		Group: vi.group, Logger: vi.log,
	})
	if err != nil {
		return err
	}
	ce := &connEntry{key: key, conn: c, refs: 1}
	d.conns[key] = ce
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
		delete(d.conns, ce.key)
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
		p := rxPacket{key: ce.key, meta: meta, data: append([]byte(nil), buf[:n]...)}
		select {
		case d.rxCh <- p:
		case <-d.runCtx.Done():
			return
		}
	}
}

// receive checks one packet and feeds it to its instance.
func (d *Daemon) receive(p rxPacket) {
	if len(p.data) < 2 {
		d.unknownRx++
		return
	}
	vi := d.byKey[rxKey{p.key, p.data[1]}]
	if vi == nil {
		d.unknownVRID(p)
		return
	}
	if err := vrrp.Parse(p.data, vi.fam, &vi.rxAdv); err != nil {
		var r vrrp.Reason
		if errors.As(err, &r) {
			d.drop(vi, r, p.meta.Src)
		}
		return
	}
	v := vrrp.Check(&vi.rxAdv, p.data, vrrp.RxInfo{Src: p.meta.Src, Dst: p.meta.Dst, TTL: int(p.meta.TTL)}, &vi.expect)
	if !v.OK() {
		d.drop(vi, v.Reason, p.meta.Src)
		return
	}
	if v.Form == vrrp.FormPseudoGroup && vi.mode == vrrp.ChecksumDefault {
		vi.log.Info("peer uses the old unicast checksum; accepting it", "from", p.meta.Src)
	}
	vi.stats.AdvertRcvd++
	if vi.rxAdv.Priority == 0 {
		vi.stats.PriZeroRcvd++
	}
	if vi.m.IgnoresAdverts() { // owner_adverts.go
		d.ownerIgnored(vi, p.meta.Src)
		return
	}
	logBackupRx(vi, p.meta.Src, vi.rxAdv.Priority) // loglines.go
	d.stepUnit(time.Now(), vi.unit, vi.idx, instance.AdvertReceived{From: p.meta.Src, Advert: vi.rxAdv})
}

// drop counts a refused advert as keepalived's stats do and logs the
// first of each reason per minute.
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
	now := time.Now()
	if last, ok := vi.logLimit[r]; ok && now.Sub(last) < time.Minute {
		return
	}
	vi.logLimit[r] = now
	vi.log.Warn(dropLine(vi, r, from), "from", from, "reason", r.String())
}

// unknownVRID counts an advert for a VRID no instance has on that
// interface and, with log_unknown_vrids, logs it once a minute per VRID.
func (d *Daemon) unknownVRID(p rxPacket) {
	d.unknownRx++
	if !d.conf.Global.LogUnknownVRIDs {
		return
	}
	if d.unknownLog == nil {
		d.unknownLog = map[rxKey]time.Time{}
	}
	k := rxKey{p.key, p.data[1]}
	now := time.Now()
	if last, ok := d.unknownLog[k]; ok && now.Sub(last) < time.Minute {
		return
	}
	d.unknownLog[k] = now
	d.log.Info(fmt.Sprintf("Unknown VRID(%d) received on interface(%s) from %s. ignoring...", p.data[1], d.ifName(p.key.ifindex), p.meta.Src),
		"vrid", p.data[1], "from", p.meta.Src, "ifindex", p.key.ifindex)
}
