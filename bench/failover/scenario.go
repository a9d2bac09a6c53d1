package main

import (
	"net/netip"
	"time"
)

// setting is one timer configuration of the failover part.
type setting struct {
	Name     string
	Version  int
	Interval time.Duration
}

var (
	settingV2  = setting{"VRRPv2 advert 1 s", 2, time.Second}
	settingV3a = setting{"VRRPv3 advert 0.1 s", 3, 100 * time.Millisecond}
	settingV3b = setting{"VRRPv3 advert 0.05 s", 3, 50 * time.Millisecond}
)

// scenario is one failover case.
type scenario uint8

const (
	s1HostDies scenario = iota + 1
	s2GracefulStop
	s3ServiceDies
	s4Outage // the master returns: gap in answers during the switch back
	s4Back   // the master returns: from its return to its first answer
)

// String names the scenario as the tables do.
func (s scenario) String() string {
	switch s {
	case s1HostDies:
		return "S1 master host dies"
	case s2GracefulStop:
		return "S2 graceful stop"
	case s3ServiceDies:
		return "S3 checked service dies"
	case s4Outage:
		return "S4 master returns: outage"
	case s4Back:
		return "S4 master returns: VIP back"
	}
	return "unknown"
}

var allScenarios = []scenario{s1HostDies, s2GracefulStop, s3ServiceDies, s4Outage, s4Back}

// Priorities of the two servers; the check's weight is -20.
const (
	prioA = 100
	prioB = 90
)

// skew is Skew_Time for prio (RFC 3768 §6.1 for v2, RFC 5798 §6.1 for v3),
// in nanoseconds, multiplying before dividing.
func skew(version int, prio int, interval time.Duration) time.Duration {
	if version == 2 {
		return time.Duration(256-prio) * time.Second / 256
	}
	return time.Duration(256-prio) * interval / 256
}

// masterDown is Master_Down_Interval = 3 × interval + Skew_Time.
func masterDown(version, prio int, interval time.Duration) time.Duration {
	return 3*interval + skew(version, prio, interval)
}

// measurement is one failover observation. Times of the timeline are
// relative to the fault; ok flags say whether the capture saw them.
type measurement struct {
	Daemon  daemonKind
	Setting setting
	Scen    scenario
	Value   time.Duration // the outage (or, for s4Back, the time to the VIP's return)
	Bound   time.Duration // what the protocol allows in this run
	HasB    bool

	LastOld, FirstAdv, FirstGARP       time.Duration
	HasLastOld, HasFirstAdv, HasFirstG bool
	CheckLatency                       time.Duration // S3: fault to the first failed check
	DropAdv                            time.Duration // S3: the old master's first advert of its lowered priority
	HasDropAdv                         bool
}

// timeline fills the capture columns of m from events: the old master's
// last advert before the new one's first, and the new master's first
// advert and first gratuitous ARP for vip after t0.
func timeline(m *measurement, evs []event, t0 time.Time, vrid uint8, oldMAC, newMAC [6]byte, vip netip.Addr) {
	var firstNew time.Time
	for _, e := range evs {
		if e.at.Before(t0) || e.SrcMAC != newMAC {
			continue
		}
		switch {
		case e.Kind == kindAdvert && e.VRID == vrid && e.Priority > 0 && !m.HasFirstAdv:
			m.FirstAdv, m.HasFirstAdv, firstNew = e.at.Sub(t0), true, e.at
		case e.Kind == kindGARP && e.IP == vip && !m.HasFirstG:
			m.FirstGARP, m.HasFirstG = e.at.Sub(t0), true
		}
	}
	for _, e := range evs {
		if e.Kind != kindAdvert || e.VRID != vrid || e.SrcMAC != oldMAC {
			continue
		}
		if !firstNew.IsZero() && e.at.After(firstNew) {
			break
		}
		if e.at.After(t0.Add(-10 * time.Second)) {
			m.LastOld, m.HasLastOld = e.at.Sub(t0), true
		}
	}
}

// lastAdvertBefore returns the last advert from mac for vrid at or before t
// (with priority prio when prio >= 0).
func lastAdvertBefore(evs []event, t time.Time, vrid uint8, mac [6]byte, prio int) (time.Time, bool) {
	var last time.Time
	for _, e := range evs {
		if e.Kind != kindAdvert || e.VRID != vrid || e.SrcMAC != mac || e.at.After(t) {
			continue
		}
		if prio >= 0 && int(e.Priority) != prio {
			continue
		}
		last = e.at
	}
	return last, !last.IsZero()
}
