package vinst

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/control"
	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

// keepalived 2.4's auth_hmac (issue 18): the instance's signing and
// verifying state is a vrrp.HMAC; here it is built from the config,
// carried over a reload in place, and hooked into the send path
// (SendAdvert) and the receive path (package demux). Refusals are counted
// and logged by Drop under keepalived's auth_ext_* counter names
// (vrrp.Reason).

// SetupHMAC gives an auth_hmac instance its state, taking over the send
// sequence and replay marks of the one it replaces (a reload in place:
// key rotation, mode change), so that no peer sees the sequence go back
// and no recent advert can be replayed through the reload.
func (vi *Instance) SetupHMAC() {
	a := vi.Conf.AuthHMAC
	if a == nil {
		vi.HMAC = nil
		return
	}
	h := &vrrp.HMAC{Active: a.ActiveKey, Mode: hmacMode(a.Mode), Monotonic: a.Monotonic, Window: a.TimeWindow}
	for _, k := range a.Keys {
		h.Keys = append(h.Keys, vrrp.HMACKey{ID: k.ID, Key: k.Key})
	}
	if len(vi.Peers) > 0 {
		h.SetPeers(vi.Peers)
	}
	h.Carry(vi.HMAC)
	vi.HMAC, vi.Expect.HMAC = h, h
	for _, r := range hmacReasons { // exported from the start, at zero
		if _, ok := vi.Stats.Drops[r.String()]; !ok && vi.Stats.Drops != nil {
			vi.Stats.Drops[r.String()] = 0
		}
	}
}

var hmacReasons = []vrrp.Reason{vrrp.ReasonHMACMissing, vrrp.ReasonHMACMalformed, vrrp.ReasonHMACUnknownKey,
	vrrp.ReasonHMACBadMAC, vrrp.ReasonHMACStale, vrrp.ReasonHMACReplay}

func hmacMode(m config.HMACMode) vrrp.HMACMode {
	switch m {
	case config.HMACPermissive:
		return vrrp.HMACPermissive
	case config.HMACReceiveOnly:
		return vrrp.HMACReceiveOnly
	}
	return vrrp.HMACEnforce
}

// SignHMAC appends the auth_hmac trailer to b, one encoded advert from
// vi (receive-only and instances without auth_hmac append nothing).
func (vi *Instance) SignHMAC(b []byte) []byte {
	if vi.HMAC == nil {
		return b
	}
	return vi.HMAC.Sign(b, len(b), vi.Fam, vi.Src, time.Now())
}

// SplitHMAC returns the VRRP message of a received payload and, for an
// auth_hmac instance, the whole payload for Check to verify (nil
// otherwise).
func (vi *Instance) SplitHMAC(payload []byte) (msg, signed []byte) {
	if vi.HMAC == nil {
		return payload, nil
	}
	msg, _ = vrrp.SplitHMAC(payload, vi.Fam)
	return msg, payload
}

// hmacDropLine is keepalived 2.4.3's log line for an auth_hmac refusal.
func (vi *Instance) hmacDropLine(r vrrp.Reason, from netip.Addr) (string, bool) {
	p := "(" + vi.Conf.Name + ") "
	switch r {
	case vrrp.ReasonHMACMissing:
		return fmt.Sprintf("%smissing authentication trailer from %s", p, from), true
	case vrrp.ReasonHMACMalformed:
		return fmt.Sprintf("%smalformed authentication trailer from %s", p, from), true
	case vrrp.ReasonHMACUnknownKey:
		var id uint8
		if vi.HMAC != nil {
			id = vi.HMAC.LastKeyID
		}
		return fmt.Sprintf("%sunknown authentication key id %d from %s", p, id, from), true
	case vrrp.ReasonHMACBadMAC:
		return fmt.Sprintf("%sinvalid authentication HMAC from %s", p, from), true
	case vrrp.ReasonHMACStale:
		var w uint32
		var skew int32
		if vi.HMAC != nil {
			w, skew = vi.HMAC.Window, vi.HMAC.LastSkew
		}
		return fmt.Sprintf("%sstale authentication trailer from %s, clock skew %d sec exceeds window %d sec", p, from, skew, w), true
	case vrrp.ReasonHMACReplay:
		return fmt.Sprintf("%sreplayed authentication trailer from %s", p, from), true
	}
	return "", false
}

// HMACAccepted warns, rate-limited as keepalived 2.4.3 does, when an
// advert it accepted was sent more than half the time window away from
// our clock: the peers' clocks drift towards refusing each other.
func (vi *Instance) HMACAccepted(from netip.Addr) {
	h := vi.HMAC
	if h == nil || !h.SkewWarns() {
		return
	}
	if ok, held := vi.CauseLog.Allow("auth_hmac clock skew", time.Now()); ok {
		vi.Log.Warn(fmt.Sprintf("(%s) authentication clock skew %d sec from %s approaching window %d sec",
			vi.Conf.Name, h.LastSkew, from, h.Window), append(held, "from", from, "skew", h.LastSkew)...)
	}
}

// hmacStatus is the auth_hmac part of an instance's status: settings,
// never the keys, and keepalived's auth_ext_* counters.
func (vi *Instance) hmacStatus() *control.AuthHMAC {
	if vi.HMAC == nil {
		return nil
	}
	h := vi.HMAC
	s := &control.AuthHMAC{Mode: h.Mode.String(), ActiveKey: int(h.Active), AntiReplay: "time", TimeWindow: int(h.Window),
		Signing: h.Signs()}
	if h.Monotonic {
		s.AntiReplay = "monotonic"
	}
	for _, k := range h.Keys {
		s.KeyIDs = append(s.KeyIDs, int(k.ID))
	}
	d := vi.Stats.Drops
	s.Missing, s.Malformed = d[vrrp.ReasonHMACMissing.String()], d[vrrp.ReasonHMACMalformed.String()]
	s.UnknownKey, s.InvalidHMAC = d[vrrp.ReasonHMACUnknownKey.String()], d[vrrp.ReasonHMACBadMAC.String()]
	s.Stale, s.Replay = d[vrrp.ReasonHMACStale.String()], d[vrrp.ReasonHMACReplay.String()]
	return s
}
