package instance

import (
	"net/netip"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

// backupRx handles an advert in BACKUP (RFC 5798 §6.4.2; keepalived
// vrrp_state_backup).
func (m *Machine) backupRx(now time.Time, e AdvertReceived) {
	a := e.Advert
	if a.Priority == 0 {
		// The master is leaving: take over after Skew_Time.
		m.timer = now.Add(m.skew())
		m.timerReason, m.timerPeer, m.timerPeerPr = ReasonPriorityZero, e.From, 0
		return
	}
	lower := a.Priority < m.prio
	delaying := m.cfg.PreemptDelay > 0 && (m.preemptAt.IsZero() || m.preemptAt.After(now))
	if m.cfg.Nopreempt || !lower || delaying {
		m.accept(now, e, lower)
		return
	}
	// Preempt allowed and the advert is lower: keepalived ignores it and
	// lets the running timer expire. Fast failover takes over after
	// Skew_Time when it is our own master that dropped below us.
	m.preempting = e.From
	if m.cfg.FastFailover && e.From == m.masterAddr {
		m.armEarlier(now.Add(m.skew()), ReasonPreempt, e.From, a.Priority)
	}
}

// accept takes the advert's sender as master and restarts the
// Master_Down_Timer; a v3 backup adopts the master's interval (RFC 5798
// §6.4.2).
func (m *Machine) accept(now time.Time, e AdvertReceived, lower bool) {
	a := e.Advert
	if a.Version == vrrp.V3 || (a.Version == 0 && m.cfg.Version == vrrp.V3) {
		if iv, ok := advertInterval(a); ok {
			m.mai = iv
		}
	}
	m.masterAddr, m.masterPrio = e.From, a.Priority
	m.wantMaster = false
	m.armDown(now)
	if m.cfg.PreemptDelay <= 0 {
		return
	}
	switch {
	case !lower:
		m.preemptAt = time.Time{}
	case m.preemptAt.IsZero():
		m.preemptAt = now.Add(m.cfg.PreemptDelay)
	}
	if lower && !m.cfg.Nopreempt && m.cfg.FastFailover {
		m.armEarlier(m.preemptAt.Add(m.skew()), ReasonPreempt, e.From, a.Priority)
	}
}

// masterRx handles an advert in MASTER (RFC 5798 §6.4.3; keepalived
// vrrp_state_master_rx).
func (m *Machine) masterRx(now time.Time, e AdvertReceived) {
	a := e.Advert
	cmp := e.From.Compare(m.cfg.PrimaryAddr)
	higher := a.Priority > m.prio || (a.Priority == m.prio && cmp > 0)
	if a.Priority == 0 || (m.cfg.HigherPrioSendAdvert && higher) {
		if a.Priority != 0 || m.answerDue(now, &m.zeroAnswerAt) {
			m.advert(m.prio)
		}
		if a.Priority == 0 {
			return
		}
	}
	if a.Priority == m.prio && cmp != 0 && m.prio == OwnerPriority {
		// Two owners: keepalived backs off to 254.
		m.base, m.prio = OwnerPriority-1, OwnerPriority-1
		higher = true
	}
	switch {
	case a.Priority < m.prio || (a.Priority == m.prio && cmp < 0):
		if e.From == m.yielder && now.Before(m.yieldBy) {
			// The master we preempted, yielding to our first advert
			// (its fast-failover parting advert): our transition just
			// sent the advert and GARP burst an answer would, and
			// keepalived's old master sends nothing here, so answering
			// doubled both bursts on the wire.
			m.yielder = netip.Addr{}
			return
		}
		// RFC 9568 §6.4.3: assert MASTER at once ("forcing new election"),
		// at most once an interval (answerDue).
		if !m.answerDue(now, &m.lowerAnswerAt) {
			return
		}
		if !m.cfg.LowerPrioNoAdvert {
			m.advert(m.prio)
		}
		if m.cfg.GARP.LowerPrioRepeat > 0 {
			m.garp(m.cfg.GARP.LowerPrioRepeat)
			if m.cfg.GARP.LowerPrioDelay > 0 {
				m.lowerGarpAt = now.Add(m.cfg.GARP.LowerPrioDelay)
			}
		}
		m.emit(MasterRxLowerPriority{From: e.From, Priority: a.Priority})
	case higher:
		if m.cfg.FastFailover && !m.cfg.HigherPrioSendAdvert && !m.cfg.NoPartingAdvert {
			// Parting advert: after a split brain the winner hears a
			// lower priority and re-sends its gratuitous ARPs.
			m.advert(m.prio)
		}
		m.leaveMaster(now, Transition{Reason: ReasonHigherPriority, Peer: e.From, PeerPriority: a.Priority})
		if iv, ok := advertInterval(a); ok && m.cfg.Version == vrrp.V3 {
			m.mai = iv
			m.armDown(now)
		}
		m.masterAddr, m.masterPrio = e.From, a.Priority
	}
}

// answerDue reports whether the master may answer a received advert at
// now, and if so records it in *last: at most one answer of each kind
// (to priority 0, to a lower priority) per advertisement interval.
// RFC 5798 §6.4.3 asks for one advert per priority-0 advert and none to a
// lower priority; keepalived answers a lower priority with an advert, a
// gratuitous ARP burst and notify_master_rx_lower_pri every time
// (vrrp_state_master_rx). The first answer is all a peer needs (the
// regular adverts follow within an interval), so a flood of valid adverts
// — 10,000 a second — costs one answer an interval, not one each.
func (m *Machine) answerDue(now time.Time, last *time.Time) bool {
	if !last.IsZero() && now.Sub(*last) < m.cfg.AdvertInterval && !now.Before(*last) {
		return false
	}
	*last = now
	return true
}
