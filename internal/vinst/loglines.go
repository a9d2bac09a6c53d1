package vinst

import (
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/instance"
	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

// This file holds keepalived 2.2.7's wording of the events it logs, so
// that an alert written for keepalived's log fires for ours
// (docs/log-lines.md lists them side by side). The structured attributes
// stay as they were; only the message text is keepalived's. Lines that
// keepalived writes only with -D are at Debug, which -D turns on.

// LogTransition logs a state change of instance name as keepalived does:
// the cause's line where keepalived has one, then "Entering ... STATE".
func LogTransition(log *slog.Logger, name string, t instance.Transition) {
	p := "(" + name + ") "
	switch {
	case t.From == instance.Master && t.Reason == instance.ReasonHigherPriority && t.Peer.IsValid():
		if t.PeerPriority > t.Priority {
			log.Info(fmt.Sprintf("%sMaster received advert from %s with higher priority %d, ours %d",
				p, t.Peer, t.PeerPriority, t.Priority))
		} else {
			log.Info(fmt.Sprintf("%sMaster received advert from %s with same priority %d but higher IP address than ours",
				p, t.Peer, t.PeerPriority))
		}
	case t.From == instance.Backup && t.To == instance.Master:
		log.Debug(p + "Receive advertisement timeout")
	}
	msg, level := "", slog.LevelInfo
	switch t.To {
	case instance.Master:
		msg = "Entering MASTER STATE"
	case instance.Backup:
		msg = "Entering BACKUP STATE"
	case instance.Fault:
		msg = "Entering FAULT STATE"
	case instance.Stop:
		// keepalived says nothing on stopping but for a master's parting
		// advert, and that only with -D.
		msg, level = "Entering STOP STATE", slog.LevelDebug
		if t.From == instance.Master {
			msg = "sent 0 priority"
		}
	default:
		msg = "Entering " + t.To.String() + " STATE"
	}
	if t.Reason == instance.ReasonStartup && t.To != instance.Master {
		msg += " (init)"
	}
	log.Log(context.Background(), level, p+msg, "from", t.From, "to", t.To, "priority", t.Priority, "cause", t.String())
}

// logBackupRx logs, as keepalived does, an advert a BACKUP hears with
// priority 0 (only with -D) or with a lower priority it will preempt.
func (vi *Instance) LogBackupRx(from netip.Addr, prio uint8) {
	if vi.M.State() != instance.Backup {
		return
	}
	switch {
	case prio == 0:
		vi.Log.Debug("(" + vi.Conf.Name + ") Backup received priority 0 advertisement")
	case prio < vi.M.EffectivePriority() && !vi.Conf.Nopreempt:
		// Rate-limited per cause like every per-packet line: a flood of
		// lower-priority adverts writes one line a minute (LogLimiter).
		if ok, held := vi.CauseLog.Allow("backup lower priority", time.Now()); ok {
			vi.Log.Info(fmt.Sprintf("(%s) received lower priority (%d) advert from %s - discarding",
				vi.Conf.Name, prio, from), append(held, "from", from, "priority", prio)...)
		}
	}
}

// masterRxLowerLine is keepalived's line for a master hearing a lower
// priority advert.
func (vi *Instance) MasterRxLowerLine(a instance.MasterRxLowerPriority) string {
	s := fmt.Sprintf("(%s) Received advert from %s with lower priority %d, ours %d",
		vi.Conf.Name, a.From, a.Priority, vi.M.EffectivePriority())
	if !vi.Conf.LowerPrioNoAdvert {
		s += ", forcing new election"
	}
	return s
}

// dropLine is keepalived's line for an advert it refuses for reason r,
// where keepalived's wording needs nothing we do not have; other reasons
// get our own line, with the reason in the "reason" attribute.
func (vi *Instance) dropLine(r vrrp.Reason, from netip.Addr) string {
	p := "(" + vi.Conf.Name + ") "
	if s, ok := vi.hmacDropLine(r, from); ok {
		return s
	}
	switch r {
	case vrrp.ReasonAuthFailure:
		return p + "received an invalid passwd!"
	case vrrp.ReasonBadChecksum:
		return fmt.Sprintf("%sInvalid VRRPv%d checksum", p, vi.Conf.Version)
	case vrrp.ReasonUnicastSource:
		return fmt.Sprintf("%sunicast source address %s not a unicast peer", p, from)
	case vrrp.ReasonIntervalMismatch:
		return fmt.Sprintf("%sadvertisement interval mismatch mine=%d sec rcv'd=%d sec", p,
			int(vi.Conf.AdvertInt.Seconds()), int(vi.RxAdv.Interval.Seconds()))
	case vrrp.ReasonAddrCount:
		return fmt.Sprintf("%sreceived an unexpected ip number count %d, expected %d!", p,
			len(vi.RxAdv.Addrs), len(vi.VIPs))
	}
	return p + "advert dropped"
}

// vipsLine is keepalived's -D line before it sets or removes an
// instance's addresses.
func (vi *Instance) LogVIPs(add bool) {
	what := "removing"
	if add {
		what = "setting"
	}
	vi.Log.Debug("(" + vi.Conf.Name + ") " + what + " VIPs.")
}

// garpLines writes keepalived's -D line for each address about to be
// announced.
func (vi *Instance) LogGARPs() {
	if !vi.Log.Enabled(context.Background(), slog.LevelDebug) {
		return
	}
	what := "gratuitous ARPs"
	if vi.Fam == vrrp.IPv6 {
		what = "Unsolicited Neighbour Adverts"
	}
	for i, v := range vi.VIPs {
		vi.Log.Debug(fmt.Sprintf("(%s) Sending/queueing %s on %s for %s", vi.Conf.Name, what, vi.VIPIf[i], v.Prefix.Addr()))
	}
}
