package instance

import (
	"net/netip"
	"slices"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

// Machine is the state machine of one VRRP instance. It is not safe for
// concurrent use; the caller serialises Step calls.
type Machine struct {
	cfg     Config
	state   State
	base    uint8 // base priority; a rogue owner drops it to 254
	weights int
	prio    uint8         // effective priority
	mai     time.Duration // Master_Adver_Interval
	sendAdv Action        // the last SendAdvert emitted, boxed once (advert)

	masterAddr netip.Addr
	masterPrio uint8

	// timer is the Master_Down_Timer in BACKUP and the Adver_Timer in MASTER.
	timer       time.Time
	timerReason Reason // why the BACKUP timer will fire
	timerPeer   netip.Addr
	timerPeerPr uint8
	preemptAt   time.Time
	garpAt      time.Time // the garp_master_delay burst
	lowerGarpAt time.Time // the garp_lower_prio_delay burst
	refreshAt   time.Time // the next garp_master_refresh burst

	// zeroAnswerAt and lowerAnswerAt are when the master last answered a
	// priority-0 advert and a lower-priority one (answerDue).
	zeroAnswerAt, lowerAnswerAt time.Time

	// preempting is the lower-priority master this BACKUP ignores to
	// preempt it. On becoming master it moves to yielder until yieldBy:
	// that master's parting advert (fast failover) as it yields to our
	// first one is not a rival to answer (masterRx).
	preempting, yielder netip.Addr
	yieldBy             time.Time

	faults     []string
	wantMaster bool // a sync group holds this member in BACKUP
	hold       func(*Machine) bool
	last       Transition
	out        []Action
}

// New returns a machine in INIT for cfg. Zero Version, Priority,
// AdvertInterval and DownTimerAdverts get keepalived's defaults.
func New(cfg Config) *Machine {
	cfg = cfg.normalize()
	m := &Machine{cfg: cfg, state: Init, base: cfg.Priority, mai: cfg.AdvertInterval}
	m.prio = m.effective()
	return m
}

// Config returns the configuration in use (after defaults).
func (m *Machine) Config() Config { return m.cfg }

// State returns the current state.
func (m *Machine) State() State { return m.state }

// EffectivePriority returns base priority plus tracker weights, clamped to
// 1..254; an owner's stays 255.
func (m *Machine) EffectivePriority() uint8 { return m.prio }

// MasterAddr returns the address of the master as last accepted (our own
// address while we are master); invalid when none is known.
func (m *Machine) MasterAddr() netip.Addr { return m.masterAddr }

// MasterPriority returns the priority of the master as last accepted.
func (m *Machine) MasterPriority() uint8 { return m.masterPrio }

// MasterAdverInterval returns Master_Adver_Interval (v3 backups adopt the
// master's).
func (m *Machine) MasterAdverInterval() time.Duration { return m.mai }

// LastTransition returns the most recent transition.
func (m *Machine) LastTransition() Transition { return m.last }

// IgnoresAdverts reports whether Step drops received adverts: the
// machine is the address owner (base priority 255) with
// owner_ignore_adverts. The caller still checks and counts them.
func (m *Machine) IgnoresAdverts() bool {
	return m.cfg.OwnerIgnoreAdverts && m.base == OwnerPriority
}

// Faults returns the fault causes currently set.
func (m *Machine) Faults() []string { return slices.Clone(m.faults) }

// Deadline returns when Step must next be called with Timeout; zero means
// no timer is running.
func (m *Machine) Deadline() time.Time {
	if m.state != Backup && m.state != Master {
		return time.Time{}
	}
	d := m.timer
	if m.state == Master {
		d = earliest(d, m.garpAt)
		d = earliest(d, m.lowerGarpAt)
	}
	return d
}

// Step feeds one event at time now and returns the actions to carry out,
// in order. The returned slice is reused by the next Step.
func (m *Machine) Step(now time.Time, ev Event) []Action {
	m.out = m.out[:0]
	switch e := ev.(type) {
	case Startup:
		m.startup(now)
	case Shutdown:
		m.shutdown()
	case Timeout:
		m.timeout(now)
	case AdvertReceived:
		if m.IgnoresAdverts() {
			break
		}
		switch m.state {
		case Backup:
			m.backupRx(now, e)
		case Master:
			m.masterRx(now, e)
		}
	case *AdvertReceived:
		return m.Step(now, *e)
	case TrackerWeights:
		m.setWeights(now, e.Sum)
	case FaultOn:
		m.faultOn(e.Cause, ReasonFault)
	case FaultOff:
		m.faultOff(now, e.Cause, ReasonFaultCleared)
	}
	return m.out
}

func (m *Machine) effective() uint8 {
	if m.base == OwnerPriority {
		return OwnerPriority
	}
	return uint8(min(max(int(m.base)+m.weights, 1), OwnerPriority-1))
}

func (m *Machine) skew() time.Duration { return Skew(m.cfg.Version, m.prio, m.mai) }

func (m *Machine) downInterval() time.Duration {
	return MasterDownInterval(m.cfg.Version, m.cfg.DownTimerAdverts, m.prio, m.mai)
}

func (m *Machine) emit(a Action) { m.out = append(m.out, a) }

// advert emits a SendAdvert, reusing the boxed one of the last advert
// when it is the same: a master's steady rounds allocate nothing.
func (m *Machine) advert(prio uint8) {
	a := SendAdvert{Priority: prio, Interval: m.cfg.AdvertInterval}
	if last, ok := m.sendAdv.(SendAdvert); !ok || last != a {
		m.sendAdv = a
	}
	m.emit(m.sendAdv)
}

func (m *Machine) garp(repeat int) {
	if repeat > 0 {
		m.emit(SendGratuitous{Repeat: repeat, Interval: m.cfg.GARP.Interval})
	}
}

func (m *Machine) transition(to State, t Transition) {
	t.From, t.To, t.Priority = m.state, to, m.prio
	m.state = to
	m.last = t
	m.emit(Notify{t})
}

// armDown (re)starts the Master_Down_Timer (RFC 5798 §6.4.2).
func (m *Machine) armDown(now time.Time) {
	m.timer = now.Add(m.downInterval())
	m.timerReason, m.timerPeer, m.timerPeerPr = ReasonMasterDown, netip.Addr{}, 0
}

// armEarlier moves the BACKUP timer to t if that is sooner.
func (m *Machine) armEarlier(t time.Time, r Reason, from netip.Addr, prio uint8) {
	if m.timer.IsZero() || t.Before(m.timer) {
		m.timer, m.timerReason, m.timerPeer, m.timerPeerPr = t, r, from, prio
	}
}

func (m *Machine) clearTimers() {
	m.timer, m.preemptAt, m.garpAt, m.lowerGarpAt, m.refreshAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}, time.Time{}
	m.preempting = netip.Addr{}
}

// enterBackup starts listening: keepalived's initial state and the state a
// cleared fault returns to. An owner with `state MASTER` takes over after
// one interval plus skew instead of Master_Down_Interval.
func (m *Machine) enterBackup(now time.Time, t Transition) {
	m.clearTimers()
	m.mai = m.cfg.AdvertInterval
	m.masterAddr, m.masterPrio = netip.Addr{}, 0
	m.wantMaster = false
	m.armDown(now)
	if m.base == OwnerPriority && m.cfg.WantMaster {
		m.timer = now.Add(m.cfg.AdvertInterval + m.skew())
	}
	m.transition(Backup, t)
}

func (m *Machine) startup(now time.Time) {
	if m.state != Init {
		return
	}
	if len(m.faults) > 0 {
		m.transition(Fault, Transition{Reason: ReasonStartup, Detail: m.faults[0]})
		return
	}
	if m.base == OwnerPriority && m.cfg.WantMaster && m.hold == nil {
		// keepalived's vrrp_init_state: an address owner that wants
		// MASTER passes through BACKUP silently, with a 1 µs down timer,
		// so it is MASTER at once and its only notify is MASTER.
		m.becomeMaster(now, Transition{Reason: ReasonStartup})
		return
	}
	m.enterBackup(now, Transition{Reason: ReasonStartup})
}

func (m *Machine) shutdown() {
	if m.state == Stop {
		return
	}
	if m.state == Master {
		m.advert(0)
		m.emit(RemoveAddresses{VIPs: m.cfg.VIPs})
	}
	m.clearTimers()
	m.transition(Stop, Transition{Reason: ReasonShutdown})
}

func (m *Machine) timeout(now time.Time) {
	switch m.state {
	case Backup:
		if !m.timer.IsZero() && !now.Before(m.timer) {
			m.backupExpired(now)
		}
	case Master:
		if !m.garpAt.IsZero() && !now.Before(m.garpAt) {
			m.garpAt = time.Time{}
			m.garp(m.cfg.GARP.MasterRepeat)
		}
		if !m.lowerGarpAt.IsZero() && !now.Before(m.lowerGarpAt) {
			m.lowerGarpAt = time.Time{}
			m.garp(m.cfg.GARP.LowerPrioRepeat)
		}
		if !now.Before(m.timer) {
			m.masterTick(now)
		}
	}
}

// backupExpired: Master_Down_Timer fired (RFC 5798 §6.4.2, "If the
// Master_Down_Timer fires").
func (m *Machine) backupExpired(now time.Time) {
	if m.hold != nil && m.hold(m) {
		m.wantMaster = true
		m.armDown(now)
		return
	}
	m.becomeMaster(now, Transition{Reason: m.timerReason, Peer: m.timerPeer, PeerPriority: m.timerPeerPr})
}

// becomeMaster sends an advert first (so the old master drops the VIPs
// before our gratuitous ARPs), adds the VIPs, sends the first GARP burst and
// arms the delayed and refresh bursts.
func (m *Machine) becomeMaster(now time.Time, t Transition) {
	m.yielder, m.yieldBy = m.preempting, now.Add(m.cfg.AdvertInterval)
	m.clearTimers()
	m.zeroAnswerAt, m.lowerAnswerAt = time.Time{}, time.Time{}
	m.wantMaster = false
	m.mai = m.cfg.AdvertInterval
	m.advert(m.prio)
	m.emit(AddAddresses{VIPs: m.cfg.VIPs})
	m.garp(m.cfg.GARP.MasterRepeat)
	if m.cfg.GARP.MasterDelay > 0 && m.cfg.GARP.MasterRepeat > 0 {
		m.garpAt = now.Add(m.cfg.GARP.MasterDelay)
	}
	if m.cfg.GARP.MasterRefresh > 0 {
		m.refreshAt = now.Add(m.cfg.GARP.MasterRefresh)
	}
	m.timer = now.Add(m.cfg.AdvertInterval)
	m.masterAddr, m.masterPrio = m.cfg.PrimaryAddr, m.prio
	m.transition(Master, t)
}

// masterTick: Adver_Timer fired (RFC 5798 §6.4.3): advertise, refresh GARP
// when due (keepalived checks the refresh at advert time).
func (m *Machine) masterTick(now time.Time) {
	m.advert(m.prio)
	if !m.refreshAt.IsZero() && now.After(m.refreshAt) {
		m.garp(m.cfg.GARP.MasterRefreshRepeat)
		m.refreshAt = now.Add(m.cfg.GARP.MasterRefresh)
	}
	// Keep the adverts on their schedule (RFC 5798 §6.4.3 Adver_Timer):
	// the next one is due one interval after this one was due, not after
	// the caller got round to stepping, so a late wake-up does not push
	// every later advert back. After a stall longer than an interval, start
	// afresh from now.
	next := m.timer.Add(m.cfg.AdvertInterval)
	if !next.After(now) {
		next = now.Add(m.cfg.AdvertInterval)
	}
	m.timer = next
}

// leaveMaster goes back to BACKUP without priority 0 (a higher priority
// took over, or the sync group moved).
func (m *Machine) leaveMaster(now time.Time, t Transition) {
	m.emit(RemoveAddresses{VIPs: m.cfg.VIPs})
	m.clearTimers()
	m.armDown(now)
	m.transition(Backup, t)
}

func (m *Machine) setWeights(now time.Time, sum int) {
	m.weights = sum
	old := m.prio
	m.prio = m.effective()
	if m.prio == old || m.state != Master || !m.cfg.FastFailover {
		return
	}
	// Fast failover: tell the backups now rather than at the next tick.
	m.advert(m.prio)
	m.timer = now.Add(m.cfg.AdvertInterval)
	m.masterPrio = m.prio
}

func (m *Machine) faultOn(cause string, r Reason) {
	if slices.Contains(m.faults, cause) {
		return
	}
	m.faults = append(m.faults, cause)
	if len(m.faults) > 1 || (m.state != Backup && m.state != Master) {
		return
	}
	if m.state == Master {
		// keepalived sends priority 0 twice going MASTER → FAULT
		// (vrrp_state_leave_master, then vrrp_restore_interface).
		m.advert(0)
		m.advert(0)
		m.emit(RemoveAddresses{VIPs: m.cfg.VIPs})
	}
	m.clearTimers()
	m.transition(Fault, Transition{Reason: r, Detail: cause})
}

func (m *Machine) faultOff(now time.Time, cause string, r Reason) {
	i := slices.Index(m.faults, cause)
	if i < 0 {
		return
	}
	m.faults = slices.Delete(m.faults, i, i+1)
	if len(m.faults) > 0 || m.state != Fault {
		return
	}
	m.enterBackup(now, Transition{Reason: r, Detail: cause})
}

func earliest(a, b time.Time) time.Time {
	switch {
	case a.IsZero():
		return b
	case b.IsZero() || a.Before(b):
		return a
	}
	return b
}

// interval returns the interval an advert carries, if it is usable.
func advertInterval(a vrrp.Advertisement) (time.Duration, bool) {
	return a.Interval, a.Interval > 0
}
