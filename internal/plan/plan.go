package plan

import (
	"fmt"
	"net/netip"
	"strconv"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/config"
)

// Plan is the prediction for a set of nodes: where each VIP lands, after
// each start order and each single failure, and what in the configurations
// makes that surprising. When Problems is not empty the nodes could not be
// simulated and only Nodes, Problems and Findings are filled.
type Plan struct {
	Nodes    []NodeInfo   `json:"nodes"`
	VIPs     []VIPInfo    `json:"vips"`
	Orders   []string     `json:"start_orders"`
	Steady   []SteadyRow  `json:"steady_state"`
	Baseline string       `json:"failures_after_start_order"`
	Failures []FailureRow `json:"failures"`
	BGP      []BGPRow     `json:"bgp_announcements,omitempty"` // bgp.go
	Findings []Finding    `json:"findings"`
	Problems []Problem    `json:"problems"`
}

// NodeInfo describes a node as planned.
type NodeInfo struct {
	Name     string     `json:"name"`
	File     string     `json:"file"`
	ConfigID string     `json:"config_id"`
	Addrs    []AddrInfo `json:"addresses"`
}

// AddrInfo is the source address the plan uses for one instance.
type AddrInfo struct {
	Instance string       `json:"instance"`
	Iface    string       `json:"interface,omitempty"`
	Addr     netip.Prefix `json:"address"`
	Source   AddrSource   `json:"source"`
}

// VIPInfo is one virtual address and the nodes that configure it.
type VIPInfo struct {
	VIP   netip.Addr `json:"vip"`
	VRID  int        `json:"vrid"`
	Nodes []string   `json:"nodes"`
}

// SteadyRow is where one VIP lands for each start order (Placements in
// the order of Plan.Orders).
type SteadyRow struct {
	VIP        netip.Addr  `json:"vip"`
	VRID       int         `json:"vrid"`
	Placements []Placement `json:"by_start_order"`
	OrderDeps  bool        `json:"depends_on_start_order"`
}

// Placement is who holds a VIP once the nodes have started in Order
// ("A first", "A, B, C", "together"): one node, none, or several (a split
// brain).
type Placement struct {
	Order   string   `json:"order"`
	Holders []string `json:"holders"`
}

// FailureKind is a kind of single failure.
type FailureKind uint8

// FailureKind values.
const (
	FailCrash     FailureKind = iota + 1 // the node dies: no priority-0 advert
	FailStop                             // the daemon stops gracefully: priority 0
	FailScript                           // a vrrp_script fails
	FailProcess                          // a vrrp_track_process loses its process
	FailInterface                        // an interface goes down
)

// String names the kind.
func (k FailureKind) String() string {
	switch k {
	case FailCrash:
		return "crash"
	case FailStop:
		return "stop"
	case FailScript:
		return "script"
	case FailProcess:
		return "process"
	case FailInterface:
		return "interface"
	}
	return fmt.Sprintf("FailureKind(%d)", uint8(k))
}

// MarshalText writes the name.
func (k FailureKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// Failure is one single failure on one node; Target names the script,
// process or interface (empty for crash and stop).
type Failure struct {
	Kind   FailureKind `json:"kind"`
	Node   string      `json:"node"`
	Target string      `json:"target,omitempty"`
}

// String describes f in words.
func (f Failure) String() string {
	switch f.Kind {
	case FailCrash:
		return f.Node + " down (crash)"
	case FailStop:
		return f.Node + " stopped (graceful)"
	case FailScript:
		return "script " + f.Target + " fails on " + f.Node
	case FailProcess:
		return "process " + f.Target + " gone on " + f.Node
	case FailInterface:
		return "interface " + f.Target + " down on " + f.Node
	}
	return f.Kind.String() + " " + f.Node + " " + f.Target
}

// FailureRow is what one failure does to every VIP.
type FailureRow struct {
	Failure Failure      `json:"failure"`
	VIPs    []FailureVIP `json:"vips"`
}

// FailureVIP is what one failure does to one VIP: who held it, who holds it
// after the failure and how long that took, and what happens on recovery.
type FailureVIP struct {
	VIP    netip.Addr `json:"vip"`
	Before []string   `json:"before"`
	After  []string   `json:"after"`
	// Takeover is the longest time from the failure until the new holder
	// is master, over failures falling anywhere between two adverts, and
	// TakeoverMin the shortest; nil when the holder does not change or
	// nobody takes over.
	Takeover    *Seconds `json:"takeover_s,omitempty"`
	TakeoverMin *Seconds `json:"takeover_min_s,omitempty"`
	// Recovered is the holder set once the failure is repaired.
	Recovered []string `json:"recovered"`
	// Back says the VIP returns to Before after the repair, ReturnAfter
	// how long after the repair (nil when it did not move or does not
	// return); ReturnAfter is the longest such time, ReturnMin the
	// shortest.
	Back        bool     `json:"back"`
	ReturnAfter *Seconds `json:"return_after_s,omitempty"`
	ReturnMin   *Seconds `json:"return_after_min_s,omitempty"`
	// Why explains a VIP that stays away (nopreempt) or is held by no one.
	Why string `json:"why,omitempty"`
}

// Seconds is a duration written as seconds with millisecond precision.
type Seconds time.Duration

// String formats s as e.g. 6.648s.
func (s Seconds) String() string {
	return strconv.FormatFloat(time.Duration(s).Seconds(), 'f', 3, 64) + "s"
}

// MarshalJSON writes s as a number of seconds.
func (s Seconds) MarshalJSON() ([]byte, error) {
	return []byte(strconv.FormatFloat(time.Duration(s).Seconds(), 'f', 3, 64)), nil
}

func secs(d time.Duration) *Seconds { s := Seconds(d); return &s }

// Problem is a reason the nodes cannot be simulated: a configuration that
// fails the config test, or nodes that cannot share a LAN.
type Problem struct {
	Node string     `json:"node,omitempty"`
	Pos  config.Pos `json:"pos,omitzero"`
	Msg  string     `json:"message"`
}

// String formats p as file:line:col: message.
func (p Problem) String() string {
	if p.Pos.File == "" {
		return p.Node + ": " + p.Msg
	}
	return p.Pos.String() + ": " + p.Msg
}

// Takeover returns the predicted time from failure f until the new holder
// of vip is master (the longest, whenever between two adverts f happens;
// FailureVIP.TakeoverMin is the shortest), and false when f does not move vip (or f or vip are not
// in the plan). It is what a lab test compares with a measured takeover.
func (p *Plan) Takeover(f Failure, vip netip.Addr) (time.Duration, bool) {
	for _, r := range p.Failures {
		if r.Failure != f {
			continue
		}
		for _, v := range r.VIPs {
			if v.VIP == vip && v.Takeover != nil {
				return time.Duration(*v.Takeover), true
			}
		}
	}
	return 0, false
}

// Row returns the failure table row of f.
func (p *Plan) Row(f Failure) (FailureRow, bool) {
	for _, r := range p.Failures {
		if r.Failure == f {
			return r, true
		}
	}
	return FailureRow{}, false
}
