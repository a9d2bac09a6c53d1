package instance

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

// Event is an input to Machine.Step. All events are plain data.
type Event interface {
	fmt.Stringer
	isEvent()
}

// Startup starts the instance: INIT → BACKUP (or FAULT if a fault is set).
type Startup struct{}

// Shutdown stops the instance; a MASTER sends priority 0 and removes its
// addresses.
type Shutdown struct{}

// Timeout is stepped when now ≥ Deadline().
type Timeout struct{}

// AdvertReceived is an advert that passed every receive check, with the
// source address of its packet.
type AdvertReceived struct {
	From   netip.Addr
	Advert vrrp.Advertisement
}

// TrackerWeights sets the sum of the weights of the trackers that currently
// apply; the effective priority is base + Sum clamped to 1..254 (an owner
// keeps 255).
type TrackerWeights struct {
	Sum int
}

// FaultOn adds a fault cause (a weight-0 tracker failed, the interface went
// down). The instance is in FAULT while any cause is set.
type FaultOn struct {
	Cause string
}

// FaultOff clears a fault cause set by FaultOn.
type FaultOff struct {
	Cause string
}

func (Startup) isEvent()        {}
func (Shutdown) isEvent()       {}
func (Timeout) isEvent()        {}
func (AdvertReceived) isEvent() {}
func (TrackerWeights) isEvent() {}
func (FaultOn) isEvent()        {}
func (FaultOff) isEvent()       {}

func (Startup) String() string  { return "startup" }
func (Shutdown) String() string { return "shutdown" }
func (Timeout) String() string  { return "timeout" }
func (e AdvertReceived) String() string {
	return fmt.Sprintf("advert from %s prio %d int %s", e.From, e.Advert.Priority, e.Advert.Interval)
}
func (e TrackerWeights) String() string { return fmt.Sprintf("weights %+d", e.Sum) }
func (e FaultOn) String() string        { return "fault on " + e.Cause }
func (e FaultOff) String() string       { return "fault off " + e.Cause }

// Action is an output of Machine.Step for the caller to carry out, in order.
type Action interface {
	fmt.Stringer
	isAction()
}

// SendAdvert sends one advertisement with this priority and interval (to
// the multicast group or to each unicast peer).
type SendAdvert struct {
	Priority uint8
	Interval time.Duration
}

// AddAddresses adds the virtual addresses.
type AddAddresses struct {
	VIPs []netip.Prefix
}

// RemoveAddresses removes the virtual addresses.
type RemoveAddresses struct {
	VIPs []netip.Prefix
}

// SendGratuitous sends Repeat gratuitous ARPs (IPv4) or unsolicited NAs
// (IPv6) for every VIP, round-robin over the VIPs, Interval apart.
type SendGratuitous struct {
	Repeat   int
	Interval time.Duration
}

// Notify reports a transition (notify scripts, FIFO, logs, metrics).
type Notify struct {
	Transition
}

// MasterRxLowerPriority reports that the master heard a lower priority
// (keepalived's notify_master_rx_lower_pri).
type MasterRxLowerPriority struct {
	From     netip.Addr
	Priority uint8
}

func (SendAdvert) isAction()            {}
func (AddAddresses) isAction()          {}
func (RemoveAddresses) isAction()       {}
func (SendGratuitous) isAction()        {}
func (Notify) isAction()                {}
func (MasterRxLowerPriority) isAction() {}

func (a SendAdvert) String() string {
	return fmt.Sprintf("send-advert prio %d int %s", a.Priority, a.Interval)
}
func (a AddAddresses) String() string    { return fmt.Sprintf("add-addresses %v", a.VIPs) }
func (a RemoveAddresses) String() string { return fmt.Sprintf("remove-addresses %v", a.VIPs) }
func (a SendGratuitous) String() string {
	return fmt.Sprintf("send-gratuitous x%d every %s", a.Repeat, a.Interval)
}
func (a Notify) String() string { return "notify " + a.Transition.String() }
func (a MasterRxLowerPriority) String() string {
	return fmt.Sprintf("notify master-rx-lower-pri from %s prio %d", a.From, a.Priority)
}

// Transition records one state change and its cause.
type Transition struct {
	From, To State
	// Priority is the effective priority after the transition.
	Priority uint8
	Reason   Reason
	// Peer and PeerPriority are the router whose advert caused it, if any.
	Peer         netip.Addr
	PeerPriority uint8
	// Detail is the fault cause, or another free-form detail.
	Detail string
}

// String formats the transition on one line.
func (t Transition) String() string {
	s := fmt.Sprintf("%s->%s prio %d (%s", t.From, t.To, t.Priority, t.Reason)
	if t.Peer.IsValid() {
		s += fmt.Sprintf(" from %s prio %d", t.Peer, t.PeerPriority)
	}
	if t.Detail != "" {
		s += " " + t.Detail
	}
	return s + ")"
}
