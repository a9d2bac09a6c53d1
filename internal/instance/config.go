package instance

import (
	"net/netip"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

// OwnerPriority is the priority of the address owner (RFC 5798 §5.2.4).
const OwnerPriority = 255

// Config is the settings of one instance, mapped by the daemon from a parsed
// vrrp_instance. Start from DefaultConfig: some zero values (FastFailover,
// the GARP counts) are not keepalived's defaults.
type Config struct {
	// Name is the vrrp_instance name, for notifications only.
	Name string
	// VRID is virtual_router_id, 1..255.
	VRID uint8
	// Version is 2 or 3 (vrrp.V2, vrrp.V3).
	Version vrrp.Version
	// Priority is the base priority, 1..255; 255 is the address owner.
	Priority uint8
	// AdvertInterval is advert_int.
	AdvertInterval time.Duration
	// PrimaryAddr is our source address, compared against the sender of an
	// equal-priority advert (the higher address wins).
	PrimaryAddr netip.Addr
	// VIPs are the virtual addresses, carried by AddAddresses and
	// RemoveAddresses.
	VIPs []netip.Prefix
	// UnicastPeers, when not empty, are where SendAdvert goes instead of the
	// multicast group. The machine does not use them; they ride along for
	// the daemon.
	UnicastPeers []netip.Addr
	// WantMaster is `state MASTER`. It only matters for an owner
	// (priority 255), which then takes over after one interval plus skew.
	WantMaster bool
	// Nopreempt is `nopreempt`.
	Nopreempt bool
	// PreemptDelay is `preempt_delay`.
	PreemptDelay time.Duration
	// DownTimerAdverts is `down_timer_adverts` (the 3 in
	// Master_Down_Interval); 0 means 3.
	DownTimerAdverts int
	// GARP is the gratuitous ARP / unsolicited NA schedule.
	GARP GARPConfig
	// LowerPrioNoAdvert is `lower_prio_no_advert`: a master hearing a
	// lower priority does not re-advertise.
	LowerPrioNoAdvert bool
	// HigherPrioSendAdvert is `higher_prio_send_advert`: a master hearing a
	// higher priority sends one advert of its own before yielding.
	HigherPrioSendAdvert bool
	// OwnerIgnoreAdverts is `owner_ignore_adverts` (global default
	// vrrp_owner_ignore_adverts): while the base priority is 255 the
	// machine drops every received advert, as RFC 3768, RFC 5798 and
	// RFC 9568 tell an address owner to. Off (keepalived's default), an
	// owner reacts to adverts: it answers priority 0 and lower priorities,
	// and a second owner with a higher address makes it back off to 254.
	OwnerIgnoreAdverts bool
	// FastFailover is ours, on in DefaultConfig. A master whose effective
	// priority drops advertises it at once; a preempting backup that hears
	// its master advertise a priority below its own takes over after
	// Skew_Time (honouring preempt_delay); a master yielding to a higher
	// priority sends a parting advert so that, after a split brain heals,
	// the winner re-sends gratuitous ARP (a master that has just preempted
	// it does not: masterRx). Off, timing is keepalived's.
	FastFailover bool
	// NoPartingAdvert drops FastFailover's parting advert. With auth_type
	// AH it would be refused: the new master has already moved the shared
	// sequence number past the yielding one's, so the parting advert is a
	// replay and counted as an authentication failure.
	NoPartingAdvert bool
}

// GARPConfig is the gratuitous ARP / unsolicited NA schedule, keepalived's
// vrrp_garp_* and garp_* keywords.
type GARPConfig struct {
	// Interval is vrrp_garp_interval: the gap the daemon leaves between the
	// messages of one burst.
	Interval time.Duration
	// MasterDelay is garp_master_delay: a second burst this long after
	// becoming master (0: none).
	MasterDelay time.Duration
	// MasterRepeat is garp_master_repeat: messages per VIP per burst.
	MasterRepeat int
	// MasterRefresh is garp_master_refresh: a burst every so often while
	// master (0: none), checked at each advert.
	MasterRefresh time.Duration
	// MasterRefreshRepeat is garp_master_refresh_repeat.
	MasterRefreshRepeat int
	// LowerPrioDelay is garp_lower_prio_delay: a second burst this long
	// after hearing a lower priority as master (0: none).
	LowerPrioDelay time.Duration
	// LowerPrioRepeat is garp_lower_prio_repeat: the burst sent when a
	// master hears a lower priority (0: none).
	LowerPrioRepeat int
}

// DefaultConfig returns keepalived's defaults (priority 100, advert_int 1 s,
// version 2, down_timer_adverts 3, GARP 5 at once and 5 more after 5 s,
// lower-priority bursts as the master ones) with FastFailover on.
func DefaultConfig() Config {
	return Config{
		Version:          vrrp.V2,
		Priority:         100,
		AdvertInterval:   time.Second,
		DownTimerAdverts: 3,
		GARP: GARPConfig{
			MasterDelay:         5 * time.Second,
			MasterRepeat:        5,
			MasterRefreshRepeat: 1,
			LowerPrioDelay:      5 * time.Second,
			LowerPrioRepeat:     5,
		},
		FastFailover: true,
	}
}

// normalize fills the values whose zero is never meaningful.
func (c Config) normalize() Config {
	if c.Version == 0 {
		c.Version = vrrp.V2
	}
	if c.Priority == 0 {
		c.Priority = 100
	}
	if c.AdvertInterval <= 0 {
		c.AdvertInterval = time.Second
	}
	if c.DownTimerAdverts <= 0 {
		c.DownTimerAdverts = 3
	}
	return c
}

// Skew returns Skew_Time for priority prio and master advertisement
// interval mai, in nanoseconds, multiplying before dividing.
// v2: RFC 3768 §6.1, (256 − Priority) / 256 seconds.
// v3: RFC 5798 §6.1 / RFC 9568 §6.1, ((256 − Priority) × Master_Adver_Interval) / 256.
func Skew(v vrrp.Version, prio uint8, mai time.Duration) time.Duration {
	if v == vrrp.V3 {
		return time.Duration((256 - int64(prio)) * int64(mai) / 256)
	}
	return time.Duration((256 - int64(prio)) * int64(time.Second) / 256)
}

// MasterDownInterval returns Master_Down_Interval = n × mai + Skew_Time
// (RFC 3768 §6.1, RFC 5798 §6.1; keepalived replaces 3 with
// down_timer_adverts).
func MasterDownInterval(v vrrp.Version, n int, prio uint8, mai time.Duration) time.Duration {
	return time.Duration(n)*mai + Skew(v, prio, mai)
}
