package vinst

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
func (vi *Instance) SetupAH() {
	ci := vi.Conf
	if ci.Version != 2 || ci.Auth.Type != config.AuthAH || vi.Fam != vrrp.IPv4 {
		vi.AH = nil
		return
	}
	next := vrrp.NewAHState(vrrp.PassData(ci.Auth.Pass), len(ci.UnicastPeers) > 0)
	if vi.AH != nil {
		next.Seq, next.Cycled = vi.AH.Seq, vi.AH.Cycled
	}
	vi.AH = next
	vi.SendTpl.AuthType, vi.Expect.AuthType, vi.Expect.AH = vrrp.AuthAH, vrrp.AuthAH, next
}

// ahNextSeq returns the AH sequence number of the next advert round (0
// without AH).
func (vi *Instance) AHNextSeq() uint32 {
	if vi.AH == nil {
		return 0
	}
	return vi.AH.Next()
}

// appendAH appends the AH header of sequence number seq to b, and returns
// the sealer Write fills its ICV in with; without AH it returns b and nil.
func (vi *Instance) AppendAH(b []byte, seq uint32) ([]byte, system.Sealer) {
	if vi.AH == nil {
		return b, nil
	}
	h := vrrp.NewAH(vi.Src, seq)
	return h.Append(b), vi.AH
}

// connProtocol is the IP protocol of vi's socket.
func (vi *Instance) ConnProtocol() uint8 {
	if vi.AH != nil {
		return system.ProtocolAH
	}
	return system.Protocol
}

// ahHeard applies keepalived's "Syncing seq_num" to an accepted advert: a
// master that hears a lower priority (not a priority-0 one) moves its
// counter past the sender's, so that its answer is not taken for a replay.
func (vi *Instance) AHHeard(from netip.Addr) {
	if vi.AH == nil || vi.M.State() != instance.Master {
		return
	}
	prio, ours := vi.RxAdv.Priority, vi.M.EffectivePriority()
	if prio != 0 && (prio < ours || prio == ours && from.Compare(vi.M.Config().PrimaryAddr) < 0) {
		vi.AH.HeardLower()
		vi.Log.Debug("AH: master heard a lower priority, moving the sequence number past it", "from", from, "seq", vi.AH.Seq)
	}
}

// ahBecameMaster restarts a cycled sequence counter, as keepalived does
// when an instance becomes master.
func (vi *Instance) AHBecameMaster() {
	if vi.AH != nil {
		vi.AH.BecomeMaster()
	}
}
