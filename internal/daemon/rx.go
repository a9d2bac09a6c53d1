package daemon

import (
	"errors"
	"fmt"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/instance"
	"github.com/gokeepalived/gokeepalived/internal/system"
	"github.com/gokeepalived/gokeepalived/internal/vinst"
	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

// rxPacket is one packet handed from a reader goroutine to the loop.
type rxPacket struct {
	key  vinst.ConnKey
	meta system.Meta
	data []byte
	ah   bool // from an AH socket: data is the whole IPv4 packet
}

// attachConn opens (or shares) the socket of vi's interface and family.
func (d *Daemon) attachConn(vi *vinst.Instance) error {
	key := vinst.ConnKey{Ifindex: vi.Link.Index, Fam: vi.Fam}
	conns := d.connsFor(vi.AH != nil)
	if ce, ok := conns[key]; ok {
		ce.Refs++
		vi.Conn = ce
		return nil
	}
	c, err := d.sys.OpenConn(system.ConnConfig{
		Ifindex: vi.Link.Index, Ifname: vi.Link.Name, Family: vi.Fam,
		Group: vi.Group, Logger: vi.Log, Protocol: vi.ConnProtocol(),
	})
	if err != nil {
		return err
	}
	ce := &vinst.Socket{Key: key, Conn: c, Refs: 1, AH: vi.AH != nil}
	conns[key] = ce
	vi.Conn = ce
	go d.readLoop(ce)
	return nil
}

// detachConn drops vi's reference and closes the socket with the last one.
func (d *Daemon) detachConn(vi *vinst.Instance) {
	ce := vi.Conn
	if ce == nil {
		return
	}
	vi.Conn = nil
	ce.Refs--
	if ce.Refs == 0 {
		delete(d.connsFor(ce.AH), ce.Key)
		ce.Conn.Close()
	}
}

// readLoop reads one socket until it is closed.
func (d *Daemon) readLoop(ce *vinst.Socket) {
	buf := make([]byte, 65536)
	for {
		n, meta, err := ce.Conn.Read(buf)
		if err != nil {
			if errors.Is(err, system.ErrClosed) {
				return
			}
			d.log.Debug("read", "err", err)
			time.Sleep(10 * time.Millisecond)
			continue
		}
		p := rxPacket{key: ce.Key, meta: meta, data: append([]byte(nil), buf[:n]...), ah: ce.AH}
		select {
		case d.rxCh <- p:
		case <-d.runCtx.Done():
			return
		}
	}
}

// receive checks one packet and feeds it to its instance.
func (d *Daemon) receive(p rxPacket) {
	var ahPkt []byte // an AH advert's whole IPv4 packet (an interface may have both)
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
	vi := d.byKey[vinst.RxKey{ConnKey: p.key, VRID: p.data[1]}]
	if vi == nil {
		d.unknownVRID(p)
		return
	}
	if err := vrrp.Parse(p.data, vi.Fam, &vi.RxAdv); err != nil {
		var r vrrp.Reason
		if errors.As(err, &r) {
			vi.Drop(r, p.meta.Src)
		}
		return
	}
	v := vrrp.Check(&vi.RxAdv, p.data, vrrp.RxInfo{Src: p.meta.Src, Dst: p.meta.Dst, TTL: int(p.meta.TTL), Packet: ahPkt}, &vi.Expect)
	if !v.OK() {
		vi.Drop(v.Reason, p.meta.Src)
		return
	}
	if v.Form == vrrp.FormPseudoGroup && vi.Mode == vrrp.ChecksumDefault {
		if ok, held := vi.CauseLog.Allow("old unicast checksum", time.Now()); ok {
			vi.Log.Info("peer uses the old unicast checksum; accepting it", append(held, "from", p.meta.Src)...)
		}
	}
	vi.Stats.AdvertRcvd++
	if vi.RxAdv.Priority == 0 {
		vi.Stats.PriZeroRcvd++
	}
	if vi.M.IgnoresAdverts() { // owner_adverts.go
		d.ownerIgnored(vi, p.meta.Src)
		return
	}
	vi.AHHeard(p.meta.Src)
	vi.LogBackupRx(p.meta.Src, vi.RxAdv.Priority)
	d.stepUnit(time.Now(), vi.Unit, vi.Idx, instance.AdvertReceived{From: p.meta.Src, Advert: vi.RxAdv})
}

// unknownVRID counts an advert for a VRID no instance has on that
// interface and, with log_unknown_vrids, logs it once a minute per VRID.
func (d *Daemon) unknownVRID(p rxPacket) {
	d.unknownRx++
	if !d.conf.Global.LogUnknownVRIDs {
		return
	}
	if ok, held := d.unknownLog.Allow(vinst.RxKey{ConnKey: p.key, VRID: p.data[1]}, time.Now()); ok {
		d.log.Info(fmt.Sprintf("Unknown VRID(%d) received on interface(%s) from %s. ignoring...", p.data[1], d.ifName(p.key.Ifindex), p.meta.Src),
			append(held, "vrid", p.data[1], "from", p.meta.Src, "ifindex", p.key.Ifindex)...)
	}
}
