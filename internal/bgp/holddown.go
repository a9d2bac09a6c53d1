package bgp

import (
	"net/netip"
	"time"
)

// HoldDown damps anycast routes whose trackers flap faster than BGP
// converges. A route is withdrawn at once when its group turns unhealthy
// (traffic must not go to a node that cannot serve it), but once
// withdrawn it is announced again only after its group has been healthy
// without a break for the hold-down time (bgp_speaker's hold_down,
// default 5 s). The first announcement after start is not delayed, and
// routes of vrrp_instances are never damped: VRRP has its own timers
// (preempt_delay), and the new MASTER must announce at once.
//
// HoldDown is pure: the caller passes the time and re-applies at the
// returned deadline. The zero value is not usable; use NewHoldDown.
type HoldDown struct {
	d time.Duration
	// announced holds the routes last returned; true for damped ones.
	announced map[netip.Prefix]bool
	// badAt is when a damped prefix was last seen withdrawn.
	badAt map[netip.Prefix]time.Time
}

// NewHoldDown returns a HoldDown of d (0: no damping).
func NewHoldDown(d time.Duration) *HoldDown {
	return &HoldDown{d: d, announced: map[netip.Prefix]bool{}, badAt: map[netip.Prefix]time.Time{}}
}

// Apply filters desired (as Desired returns it) at time now and returns
// the routes to announce, and when to apply again (zero: no route is
// held down).
func (h *HoldDown) Apply(now time.Time, desired []Route) ([]Route, time.Time) {
	want := map[netip.Prefix]bool{}
	var out []Route
	var next time.Time
	for _, r := range desired {
		want[r.Prefix] = true
		if r.Group != "" {
			if bad, ok := h.badAt[r.Prefix]; ok {
				if until := bad.Add(h.d); now.Before(until) {
					if next.IsZero() || until.Before(next) {
						next = until
					}
					continue
				}
				delete(h.badAt, r.Prefix)
			}
		}
		out = append(out, r)
	}
	for p, damped := range h.announced {
		if damped && !want[p] {
			h.badAt[p] = now
		}
	}
	for p := range h.badAt {
		if !want[p] {
			h.badAt[p] = now
		}
	}
	clear(h.announced)
	for _, r := range out {
		h.announced[r.Prefix] = r.Group != ""
	}
	return out, next
}

// Holding reports whether a withdrawn anycast route is being damped: its
// group's last unhealthy moment is taken from the calls to Apply, so the
// caller keeps applying while it holds.
func (h *HoldDown) Holding() bool { return len(h.badAt) > 0 }
