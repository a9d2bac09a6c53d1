package daemon

import (
	"net/netip"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/instance"
	"github.com/gokeepalived/gokeepalived/internal/system"
	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

// keepalived's auth_type AH (IPsec AH, VRRPv2 over IPv4 only; config
// clears it elsewhere): the instance's key and sequence counter
// (vrrp.AHState), its own protocol-51 socket, and the counter updates
// keepalived makes around sending and receiving.

// setupAH gives an auth_type AH instance its AH state. The sequence
// counter of the state it replaces is kept, so a reload in place does not
// restart the numbering (keepalived copies it over a reload too).
func (vi *vinst) setupAH() {
	ci := vi.conf
	if ci.Version != 2 || ci.Auth.Type != config.AuthAH || vi.fam != vrrp.IPv4 {
		vi.ah = nil
		return
	}
	next := vrrp.NewAHState(vrrp.PassData(ci.Auth.Pass), len(ci.UnicastPeers) > 0)
	if vi.ah != nil {
		next.Seq, next.Cycled = vi.ah.Seq, vi.ah.Cycled
	}
	vi.ah = next
	vi.sendTpl.AuthType, vi.expect.AuthType, vi.expect.AH = vrrp.AuthAH, vrrp.AuthAH, next
}

// ahNextSeq returns the AH sequence number of the next advert round (0
// without AH).
func (vi *vinst) ahNextSeq() uint32 {
	if vi.ah == nil {
		return 0
	}
	return vi.ah.Next()
}

// appendAH appends the AH header of sequence number seq to b, and returns
// the sealer Write fills its ICV in with; without AH it returns b and nil.
func (vi *vinst) appendAH(b []byte, seq uint32) ([]byte, system.Sealer) {
	if vi.ah == nil {
		return b, nil
	}
	h := vrrp.NewAH(vi.src, seq)
	return h.Append(b), vi.ah
}

// connProtocol is the IP protocol of vi's socket.
func (vi *vinst) connProtocol() uint8 {
	if vi.ah != nil {
		return system.ProtocolAH
	}
	return system.Protocol
}

// connsFor returns the socket table of AH sockets (ah) or VRRP ones: an
// interface can have both, as keepalived's socket pool can.
func (d *Daemon) connsFor(ah bool) map[connKey]*connEntry {
	if !ah {
		return d.conns
	}
	if d.ahConns == nil {
		d.ahConns = map[connKey]*connEntry{}
	}
	return d.ahConns
}

// splitAH turns a packet read from an AH socket (the whole IPv4 packet)
// into its VRRP message in p.data and returns the packet for the AH
// checks. A packet too short for its headers is dropped before any
// instance is looked up (as keepalived does) and counted as unknown.
func (d *Daemon) splitAH(p *rxPacket) ([]byte, bool) {
	var h vrrp.AH
	_, msg, err := vrrp.ParseAHPacket(p.data, &h)
	if err != nil {
		d.unknownRx++
		return nil, false
	}
	pkt := p.data
	p.data = msg
	return pkt, true
}

// ahHeard applies keepalived's "Syncing seq_num" to an accepted advert: a
// master that hears a lower priority (not a priority-0 one) moves its
// counter past the sender's, so that its answer is not taken for a replay.
func (vi *vinst) ahHeard(from netip.Addr) {
	if vi.ah == nil || vi.m.State() != instance.Master {
		return
	}
	prio, ours := vi.rxAdv.Priority, vi.m.EffectivePriority()
	if prio != 0 && (prio < ours || prio == ours && from.Compare(vi.m.Config().PrimaryAddr) < 0) {
		vi.ah.HeardLower()
		vi.log.Debug("AH: master heard a lower priority, moving the sequence number past it", "from", from, "seq", vi.ah.Seq)
	}
}

// ahBecameMaster restarts a cycled sequence counter, as keepalived does
// when an instance becomes master.
func (vi *vinst) ahBecameMaster() {
	if vi.ah != nil {
		vi.ah.BecomeMaster()
	}
}
