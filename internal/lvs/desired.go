package lvs

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/config"
)

// Protocol is an IP protocol number of a service (0 for fwmark services).
type Protocol uint8

// The protocols IPVS balances.
const (
	TCP  Protocol = 6
	UDP  Protocol = 17
	SCTP Protocol = 132
)

// String names the protocol as keepalived does.
func (p Protocol) String() string {
	switch p {
	case TCP:
		return "tcp"
	case UDP:
		return "udp"
	case SCTP:
		return "sctp"
	}
	return "none"
}

// ServiceKey identifies one kernel virtual service: an address, protocol
// and port, or a firewall mark.
type ServiceKey struct {
	Fwmark   uint32     `json:",omitempty"`
	Addr     netip.Addr `json:",omitzero"`
	Protocol Protocol   `json:",omitempty"`
	Port     uint16     `json:",omitempty"`
	// IPv6 is set for an IPv6 fwmark service (the family of its real
	// servers); for address services it follows Addr.
	IPv6 bool `json:",omitempty"`
}

// String formats the key as keepalived does: [ADDR]:PROTO:PORT or FWM N.
func (k ServiceKey) String() string {
	if k.Fwmark != 0 {
		return fmt.Sprintf("FWM %d", k.Fwmark)
	}
	return fmt.Sprintf("[%s]:%s:%d", k.Addr, k.Protocol, k.Port)
}

func compareKeys(a, b ServiceKey) int {
	return cmp.Or(cmp.Compare(a.Fwmark, b.Fwmark), a.Addr.Compare(b.Addr),
		cmp.Compare(a.Protocol, b.Protocol), cmp.Compare(a.Port, b.Port))
}

// Service is one virtual service to install.
type Service struct {
	Key ServiceKey
	// VS names the virtual_server it comes from (VirtualServer.String).
	VS    string
	Sched config.Scheduler
	Flags config.SchedFlags `json:",omitempty"`
	OPS   bool              `json:",omitempty"`
	// Persistence is 0 for a service without it; Granularity is the
	// prefix length of the client address it covers (0: all of it).
	Persistence time.Duration `json:",omitempty"`
	Granularity int           `json:",omitempty"`
	// Dests are in configuration order, the sorry server last.
	Dests []Dest `json:",omitempty"`
}

// Dest is one destination (real or sorry server) of a service.
type Dest struct {
	Addr netip.Addr
	// Port 0 keeps the client's destination port.
	Port uint16 `json:",omitempty"`
	Kind config.LBKind
	// Weight 0 keeps the destination for established connections only.
	Weight     int
	UThreshold int  `json:",omitempty"`
	LThreshold int  `json:",omitempty"`
	Sorry      bool `json:",omitempty"`
}

// State is the whole desired balancer state, services sorted by key.
type State struct {
	Services []Service `json:",omitempty"`
}

// RSKey names a real server of a virtual server.
type RSKey struct {
	VS   string // VirtualServer.String()
	Addr netip.AddrPort
}

// Health is what the checkers found about one real server: whether it is
// alive and its effective weight (the configured one unless a checker
// such as MISC_CHECK with misc_dynamic changed it).
type Health struct {
	Alive  bool
	Weight int
}

// Input is everything Desired depends on.
type Input struct {
	Config *config.Config
	// Health maps each real server to its checkers' verdict. A server
	// missing from it is alive with its configured weight, unless alpha
	// is set (then it starts failed, as keepalived's alpha mode does).
	Health map[RSKey]Health
	// HasAddr reports whether this host holds an address, for
	// ha_suspend; nil means every address is held.
	HasAddr func(netip.Addr) bool
	// Quorum is the previous quorum state of each virtual server (true:
	// up), as Desired returned it; nil or missing means "starting".
	Quorum map[string]bool
}

// QuorumEvent is a quorum change of a virtual server: it runs
// quorum_up or quorum_down and writes `VS NAME UP|DOWN` to the FIFO.
type QuorumEvent struct {
	VS string
	Up bool
	// Init is set for keepalived's "Starting with quorum down".
	Init bool
	// WeightSum is the live weight; Threshold what it was compared with.
	WeightSum, Threshold int
	// Script is quorum_up or quorum_down (nil when not configured).
	Script *config.Script `json:",omitempty"`
}

// Output is what Desired computes.
type Output struct {
	State State
	// Quorum is the new quorum state of each virtual server; pass it
	// back as Input.Quorum next time.
	Quorum map[string]bool
	Events []QuorumEvent `json:",omitempty"`
}

// Desired computes the balancer state for in. It is a pure function.
func Desired(in Input) Output {
	out := Output{Quorum: map[string]bool{}}
	if in.Config == nil {
		return out
	}
	groups := map[string]*config.VirtualServerGroup{}
	for _, g := range in.Config.VirtualServerGroups {
		groups[g.Name] = g
	}
	for _, v := range in.Config.VirtualServers {
		name := v.String()
		up, ev := quorum(v, in, name)
		out.Quorum[name] = up
		if ev != nil {
			out.Events = append(out.Events, *ev)
		}
		dests := destinations(v, in, name, up)
		for _, k := range serviceKeys(v, groups[v.Group]) {
			if v.HASuspend && k.Fwmark == 0 && in.HasAddr != nil && !in.HasAddr(k.Addr) {
				continue
			}
			out.State.Services = append(out.State.Services, Service{
				Key: k, VS: name, Sched: v.Sched, Flags: v.SchedFlags, OPS: v.OPS,
				Persistence: v.PersistenceTimeout, Granularity: v.PersistenceGranularity,
				Dests: slices.Clone(dests),
			})
		}
	}
	slices.SortStableFunc(out.State.Services, func(a, b Service) int { return compareKeys(a.Key, b.Key) })
	return out
}

// health returns a real server's state and effective weight.
func health(rs *config.RealServer, in Input, vs string) Health {
	if h, ok := in.Health[RSKey{vs, netip.AddrPortFrom(rs.Addr, uint16(rs.Port))}]; ok {
		return Health{Alive: h.Alive, Weight: max(h.Weight, 0)}
	}
	return Health{Alive: !rs.Alpha, Weight: rs.Weight}
}

// liveWeight is keepalived's weigh_live_realservers.
func liveWeight(v *config.VirtualServer, in Input, name string) int {
	sum := 0
	for _, rs := range v.RealServers {
		if h := health(rs, in, name); h.Alive {
			sum += h.Weight
		}
	}
	return sum
}

// quorum applies keepalived's quorum rule with hysteresis: a service goes
// down when its live weight is 0 or below quorum - hysteresis, and up
// again at quorum + hysteresis. At start it is up at quorum + hysteresis,
// and only a sorry server makes a start below it an event.
func quorum(v *config.VirtualServer, in Input, name string) (bool, *QuorumEvent) {
	sum := liveWeight(v, in, name)
	prev, known := in.Quorum[name]
	ev := func(up, init bool, threshold int) *QuorumEvent {
		s := v.QuorumDown
		if up {
			s = v.QuorumUp
		}
		return &QuorumEvent{VS: name, Up: up, Init: init, WeightSum: sum, Threshold: threshold, Script: s}
	}
	if !known {
		up := sum >= v.Quorum+v.Hysteresis
		if !up && v.Sorry != nil {
			return false, ev(false, true, v.Quorum+v.Hysteresis)
		}
		return up, nil
	}
	if prev {
		if t := v.Quorum - v.Hysteresis; sum == 0 || sum < t {
			return false, ev(false, false, t)
		}
		return true, nil
	}
	if t := v.Quorum + v.Hysteresis; sum >= t {
		return true, ev(true, false, t)
	}
	return false, nil
}

// destinations lists the destinations of a virtual server: live real
// servers with their weights, failed ones kept at weight 0 under
// inhibit_on_failure, and the sorry server in place of the pool while the
// quorum is down (kept at weight 0 otherwise under sorry_server_inhibit).
func destinations(v *config.VirtualServer, in Input, name string, up bool) []Dest {
	sorryOn := !up && v.Sorry != nil
	var ds []Dest
	for _, rs := range v.RealServers {
		h := health(rs, in, name)
		d := dest(rs, h.Weight)
		switch {
		case h.Alive && !sorryOn:
		case rs.Inhibit:
			d.Weight = 0
		default:
			continue
		}
		ds = append(ds, d)
	}
	if s := v.Sorry; s != nil && (sorryOn || s.Inhibit) {
		d := dest(s, s.Weight)
		d.Sorry = true
		if !sorryOn {
			d.Weight = 0
		}
		if i := slices.IndexFunc(ds, func(x Dest) bool { return x.Addr == d.Addr && x.Port == d.Port }); i >= 0 {
			if sorryOn {
				ds[i] = d
			}
		} else {
			ds = append(ds, d)
		}
	}
	return ds
}

func dest(rs *config.RealServer, weight int) Dest {
	return Dest{Addr: rs.Addr, Port: uint16(rs.Port), Kind: rs.Method, Weight: weight,
		UThreshold: rs.UThreshold, LThreshold: rs.LThreshold}
}

// serviceKeys lists the kernel services of a virtual server: one, or one
// per address, range member and fwmark of its group.
func serviceKeys(v *config.VirtualServer, g *config.VirtualServerGroup) []ServiceKey {
	proto := Protocol(v.Protocol) // both are the IANA number
	v6 := false
	for _, rs := range v.RealServers {
		v6 = rs.Addr.Is6()
		break
	}
	switch {
	case v.Fwmark != 0:
		return []ServiceKey{{Fwmark: uint32(v.Fwmark), IPv6: v6}}
	case v.Group == "":
		return []ServiceKey{{Addr: v.Addr, Protocol: proto, Port: uint16(v.Port)}}
	case g == nil:
		return nil
	}
	var keys []ServiceKey
	for _, e := range g.Entries {
		if e.Fwmark != 0 {
			keys = append(keys, ServiceKey{Fwmark: uint32(e.Fwmark), IPv6: v6})
			continue
		}
		last := e.Addr
		if e.RangeTo.IsValid() {
			last = e.RangeTo
		}
		for a := e.Addr; a.IsValid() && a.Compare(last) <= 0; a = a.Next() {
			keys = append(keys, ServiceKey{Addr: a, Protocol: proto, Port: uint16(e.Port)})
		}
	}
	return keys
}

// DataPlane installs a State in the kernel. Apply replaces whatever the
// plane installed before with s, in one step where the kernel allows it,
// and never touches state it did not install; it fails closed, saying
// why, when it cannot install s as given. Close removes what it
// installed and releases the plane.
type DataPlane interface {
	Apply(s State) error
	Close() error
}

// Releaser is a DataPlane that can let go of the kernel while leaving
// what it installed in place: keepalived's -I (--dont-release-ipvs), so
// that the balancer goes on forwarding after the daemon exits. The plane
// is not used after it (a later Close removes nothing).
type Releaser interface {
	Release() error
}

// Flusher is a DataPlane that can empty the kernel's whole LVS table,
// not only what it installed (keepalived's lvs_flush and
// lvs_flush_on_stop). The IPVS plane is one; the nftables plane owns
// only its own tables, which it always empties at start and stop.
type Flusher interface {
	Flush() error
}
