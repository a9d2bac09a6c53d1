package daemon

import (
	"net/netip"
	"time"
)

// owner_ignore_adverts (global default vrrp_owner_ignore_adverts): an
// address owner (priority 255) drops the adverts it receives, as the RFCs
// say an owner must. The advert is checked and counted (advert_rcvd,
// pri_zero_rcvd) like any other first; only the machine does not see it.
// keepalived's default, without the keyword, is to process them, so that
// of two owners one backs off.

// ownerIgnored logs, at most once a minute, that vi dropped an advert
// because it is the address owner.
func (d *Daemon) ownerIgnored(vi *vinst, from netip.Addr) {
	now := time.Now()
	if !vi.ownerLogAt.IsZero() && now.Sub(vi.ownerLogAt) < time.Minute {
		return
	}
	vi.ownerLogAt = now
	vi.log.Info("advert dropped: we are the address owner (owner_ignore_adverts)", "from", from)
}
