package bgp

import (
	"net/netip"
	"slices"
	"time"

	"github.com/osrg/gobgp/v4/pkg/packet/bgp"

	"github.com/gokeepalived/gokeepalived/internal/config"
)

// Status is a snapshot of a Speaker, for `gokeepalived status`, the JSON
// API and metrics.
type Status struct {
	Running   bool
	LocalAS   uint32
	RouterID  netip.Addr
	Neighbors []NeighborStatus
	// Prefixes are the routes handed to GoBGP, which sends them to every
	// established neighbor of their family.
	Prefixes []PrefixStatus
	// LastError is the last failure to announce or withdraw ("" if the
	// last change went through).
	LastError string `json:",omitempty"`
	// AppliedGen counts the SetAnnounced calls the routes reflect.
	AppliedGen uint64 `json:"-"`
}

// NeighborStatus is one neighbor's session.
type NeighborStatus struct {
	Addr     netip.Addr
	RemoteAS uint32
	// State is the session's FSM state: idle, connect, active, opensent,
	// openconfirm or established.
	State string
	Since time.Time `json:",omitzero"`
	// Flaps counts the times the session came up.
	Flaps     int
	LastError string `json:",omitempty"`
}

// PrefixStatus is one announced route.
type PrefixStatus struct {
	Prefix           netip.Prefix
	Group            string `json:",omitempty"`
	Instance         string `json:",omitempty"`
	Attrs            config.BGPAttrs
	GracefulShutdown bool `json:",omitempty"`
	Since            time.Time
}

// Status returns a snapshot; it never waits for the network.
func (s *Speaker) Status() Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.status
	st.Neighbors = slices.Clone(st.Neighbors)
	st.Prefixes = slices.Clone(st.Prefixes)
	return st
}

// sessionState names a GoBGP FSM state as RFC 4271 does, in lower case.
func sessionState(s bgp.FSMState) string {
	switch s {
	case bgp.BGP_FSM_IDLE:
		return "idle"
	case bgp.BGP_FSM_CONNECT:
		return "connect"
	case bgp.BGP_FSM_ACTIVE:
		return "active"
	case bgp.BGP_FSM_OPENSENT:
		return "opensent"
	case bgp.BGP_FSM_OPENCONFIRM:
		return "openconfirm"
	case bgp.BGP_FSM_ESTABLISHED:
		return "established"
	}
	return "unknown"
}

// routeOf is the route a prefix status reports.
func routeOf(p PrefixStatus) Route {
	return Route{Prefix: p.Prefix, Attrs: p.Attrs, Group: p.Group, Instance: p.Instance}
}

// routeEqual compares routes, attributes included.
func routeEqual(a, b Route) bool {
	return a.Prefix == b.Prefix && a.Group == b.Group && a.Instance == b.Instance &&
		slices.Equal(a.Attrs.Communities, b.Attrs.Communities) &&
		slices.Equal(a.Attrs.LargeCommunities, b.Attrs.LargeCommunities) &&
		a.Attrs.MED == b.Attrs.MED && a.Attrs.HasMED == b.Attrs.HasMED &&
		a.Attrs.LocalPref == b.Attrs.LocalPref && a.Attrs.HasLocalPref == b.Attrs.HasLocalPref &&
		a.Attrs.ASPathPrepend == b.Attrs.ASPathPrepend
}
