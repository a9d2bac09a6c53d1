package sim

import (
	"fmt"
	"strings"

	"github.com/gokeepalived/gokeepalived/internal/instance"
)

// Injection is a change made to the simulation at a virtual time (Sim.At).
type Injection interface {
	fmt.Stringer
	apply(*Sim)
}

// Start boots a stopped node (also after Crash or Stop): every instance
// steps Startup.
type Start struct{ Node string }

// Crash kills a node silently: no priority 0, packets in flight still land.
type Crash struct{ Node string }

// Stop shuts a node down gracefully: every instance steps Shutdown (a master
// sends priority 0), then the node is down.
type Stop struct{ Node string }

// Weights sets the tracker weight sum of an instance (VRID 0: all of the
// node's instances).
type Weights struct {
	Node string
	VRID uint8
	Sum  int
}

// Fault sets (On) or clears a fault cause on an instance (VRID 0: all of the
// node's instances), e.g. interface down or a weight-0 tracker.
type Fault struct {
	Node  string
	VRID  uint8
	Cause string
	On    bool
}

// Partition splits the LAN: nodes in different groups cannot hear each
// other; nodes in no group form one more group together.
type Partition struct{ Groups [][]string }

// Heal reconnects every node.
type Heal struct{}

// SetNetwork changes the network behaviour from now on.
type SetNetwork struct{ Net Network }

func (i Start) String() string { return "start " + i.Node }
func (i Crash) String() string { return "crash " + i.Node }
func (i Stop) String() string  { return "stop " + i.Node }
func (i Weights) String() string {
	return fmt.Sprintf("weights %s vrid %d %+d", i.Node, i.VRID, i.Sum)
}
func (i Fault) String() string {
	if i.On {
		return fmt.Sprintf("fault %s vrid %d %s", i.Node, i.VRID, i.Cause)
	}
	return fmt.Sprintf("clear %s vrid %d %s", i.Node, i.VRID, i.Cause)
}
func (i Partition) String() string {
	parts := make([]string, len(i.Groups))
	for k, g := range i.Groups {
		parts[k] = strings.Join(g, " ")
	}
	return "partition " + strings.Join(parts, " | ")
}
func (Heal) String() string         { return "heal" }
func (i SetNetwork) String() string { return fmt.Sprintf("network %+v", i.Net) }

func (i Start) apply(s *Sim) { s.start1(s.nodeOrPanic(i.Node)) }
func (i Crash) apply(s *Sim) {
	n := s.nodeOrPanic(i.Node)
	n.up = false
	for _, c := range n.cfgs {
		s.noteMasters(c.VRID)
	}
}
func (i Stop) apply(s *Sim) {
	n := s.nodeOrPanic(i.Node)
	if !n.up {
		return
	}
	for k := range n.ms {
		s.step(n, k, instance.Shutdown{})
	}
	n.up = false
}
func (i Weights) apply(s *Sim) {
	s.each(i.Node, i.VRID, instance.TrackerWeights{Sum: i.Sum})
}
func (i Fault) apply(s *Sim) {
	if i.On {
		s.each(i.Node, i.VRID, instance.FaultOn{Cause: i.Cause})
	} else {
		s.each(i.Node, i.VRID, instance.FaultOff{Cause: i.Cause})
	}
}
func (i Partition) apply(s *Sim) {
	s.part = map[string]int{}
	for k, g := range i.Groups {
		for _, name := range g {
			s.part[name] = k + 1
		}
	}
}
func (Heal) apply(s *Sim)         { s.part = nil }
func (i SetNetwork) apply(s *Sim) { s.Net = i.Net }

func (s *Sim) each(node string, vrid uint8, ev instance.Event) {
	n := s.nodeOrPanic(node)
	if !n.up {
		return
	}
	for k, c := range n.cfgs {
		if vrid == 0 || c.VRID == vrid {
			s.step(n, k, ev)
		}
	}
}
