package daemon

import (
	"context"
	"fmt"
	"log/slog"
	"net"
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

// logTransition logs a state change of instance name as keepalived does:
// the cause's line where keepalived has one, then "Entering ... STATE".
func logTransition(log *slog.Logger, name string, t instance.Transition) {
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
func logBackupRx(vi *vinst, from netip.Addr, prio uint8) {
	if vi.m.State() != instance.Backup {
		return
	}
	switch {
	case prio == 0:
		vi.log.Debug("(" + vi.conf.Name + ") Backup received priority 0 advertisement")
	case prio < vi.m.EffectivePriority() && !vi.conf.Nopreempt:
		// Rate-limited per cause like every per-packet line: a flood of
		// lower-priority adverts writes one line a minute (rx.go).
		if ok, held := vi.causeLog.allow("backup lower priority", time.Now()); ok {
			vi.log.Info(fmt.Sprintf("(%s) received lower priority (%d) advert from %s - discarding",
				vi.conf.Name, prio, from), append(held, "from", from, "priority", prio)...)
		}
	}
}

// masterRxLowerLine is keepalived's line for a master hearing a lower
// priority advert.
func masterRxLowerLine(vi *vinst, a instance.MasterRxLowerPriority) string {
	s := fmt.Sprintf("(%s) Received advert from %s with lower priority %d, ours %d",
		vi.conf.Name, a.From, a.Priority, vi.m.EffectivePriority())
	if !vi.conf.LowerPrioNoAdvert {
		s += ", forcing new election"
	}
	return s
}

// dropLine is keepalived's line for an advert it refuses for reason r,
// where keepalived's wording needs nothing we do not have; other reasons
// get our own line, with the reason in the "reason" attribute.
func dropLine(vi *vinst, r vrrp.Reason, from netip.Addr) string {
	p := "(" + vi.conf.Name + ") "
	if s, ok := hmacDropLine(vi, r, from); ok {
		return s
	}
	switch r {
	case vrrp.ReasonAuthFailure:
		return p + "received an invalid passwd!"
	case vrrp.ReasonBadChecksum:
		return fmt.Sprintf("%sInvalid VRRPv%d checksum", p, vi.conf.Version)
	case vrrp.ReasonUnicastSource:
		return fmt.Sprintf("%sunicast source address %s not a unicast peer", p, from)
	case vrrp.ReasonIntervalMismatch:
		return fmt.Sprintf("%sadvertisement interval mismatch mine=%d sec rcv'd=%d sec", p,
			int(vi.conf.AdvertInt.Seconds()), int(vi.rxAdv.Interval.Seconds()))
	case vrrp.ReasonAddrCount:
		return fmt.Sprintf("%sreceived an unexpected ip number count %d, expected %d!", p,
			len(vi.rxAdv.Addrs), len(vi.vips))
	}
	return p + "advert dropped"
}

// vipsLine is keepalived's -D line before it sets or removes an
// instance's addresses.
func vipsLine(vi *vinst, add bool) {
	what := "removing"
	if add {
		what = "setting"
	}
	vi.log.Debug("(" + vi.conf.Name + ") " + what + " VIPs.")
}

// upDown is keepalived's word for a link state.
func upDown(up bool) string {
	if up {
		return "up"
	}
	return "down"
}

// ifName names interface index for a log line, as keepalived does.
func (d *Daemon) ifName(index int) string {
	if ifi, err := net.InterfaceByIndex(index); err == nil {
		return ifi.Name
	}
	return fmt.Sprintf("if%d", index)
}

// garpLines writes keepalived's -D line for each address about to be
// announced.
func garpLines(vi *vinst) {
	if !vi.log.Enabled(context.Background(), slog.LevelDebug) {
		return
	}
	what := "gratuitous ARPs"
	if vi.fam == vrrp.IPv6 {
		what = "Unsolicited Neighbour Adverts"
	}
	for i, v := range vi.vips {
		vi.log.Debug(fmt.Sprintf("(%s) Sending/queueing %s on %s for %s", vi.conf.Name, what, vi.vipIf[i], v.Prefix.Addr()))
	}
}
