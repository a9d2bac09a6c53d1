package vinst

import (
	"net/netip"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

// Drop counts a refused advert as keepalived's stats do and logs the
// first of each reason per minute (LogLimiter).
func (vi *Instance) Drop(r vrrp.Reason, from netip.Addr) {
	s := &vi.Stats
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
	if ok, held := vi.DropLog.Allow(r, time.Now()); ok {
		vi.Log.Warn(vi.dropLine(r, from), append(held, "from", from, "reason", r.String())...)
	}
}
