package config

import (
	"fmt"
	"math/bits"
	"net/netip"
	"strings"
	"time"
)

// Scheduler is an IPVS scheduler name (lb_algo / lvs_sched). The zero
// value means "not set"; keepalived then uses wlc.
type Scheduler string

// The schedulers keepalived accepts.
const (
	SchedRR    Scheduler = "rr"
	SchedWRR   Scheduler = "wrr"
	SchedLC    Scheduler = "lc"
	SchedWLC   Scheduler = "wlc"
	SchedLBLC  Scheduler = "lblc"
	SchedSH    Scheduler = "sh"
	SchedMH    Scheduler = "mh"
	SchedDH    Scheduler = "dh"
	SchedFO    Scheduler = "fo"
	SchedOVF   Scheduler = "ovf"
	SchedLBLCR Scheduler = "lblcr"
	SchedSED   Scheduler = "sed"
	SchedNQ    Scheduler = "nq"
	SchedTWOS  Scheduler = "twos"
)

// DefaultScheduler is what keepalived uses when lb_algo is not set.
const DefaultScheduler = SchedWLC

var schedulers = []Scheduler{SchedRR, SchedWRR, SchedLC, SchedWLC, SchedLBLC, SchedSH, SchedMH,
	SchedDH, SchedFO, SchedOVF, SchedLBLCR, SchedSED, SchedNQ, SchedTWOS}

// String returns the scheduler's name.
func (s Scheduler) String() string { return string(s) }

// nftHints says, for each scheduler the nftables data plane cannot
// express (it needs per-destination connection counts or other kernel
// state), what to use instead.
var nftHints = map[Scheduler]string{
	SchedLC:    "least-connection needs IPVS's live connection counts; use lvs_backend ipvs, or lb_algo rr for an even spread",
	SchedWLC:   "weighted least-connection needs IPVS's live connection counts; use lvs_backend ipvs, or lb_algo wrr for a weighted spread",
	SchedSED:   "shortest expected delay needs IPVS's live connection counts; use lvs_backend ipvs, or lb_algo wrr",
	SchedNQ:    "never queue needs IPVS's live connection counts; use lvs_backend ipvs, or lb_algo wrr",
	SchedLBLC:  "locality-based least-connection needs IPVS's per-destination state; use lvs_backend ipvs, or lb_algo dh (destination hashing)",
	SchedLBLCR: "locality-based least-connection with replication needs IPVS's per-destination state; use lvs_backend ipvs, or lb_algo dh",
	SchedOVF:   "weighted overflow needs IPVS's live connection counts; use lvs_backend ipvs",
	SchedTWOS:  "weighted random twos choice needs IPVS's live connection counts; use lvs_backend ipvs, or lb_algo wrr",
	SchedFO:    "weighted failover needs IPVS; use lvs_backend ipvs, or give the spare real server weight 0 and inhibit_on_failure",
}

// NFTablesHint returns why the nftables data plane cannot run s, and what
// to use instead; "" when it can.
func (s Scheduler) NFTablesHint() string { return nftHints[s] }

// LBKind is a forwarding method (lb_kind / lvs_method). The zero value
// means "not set"; keepalived then uses NAT.
type LBKind string

// The forwarding methods.
const (
	KindNAT LBKind = "NAT"
	KindDR  LBKind = "DR"
	KindTUN LBKind = "TUN"
)

// String returns the method's name.
func (k LBKind) String() string { return string(k) }

// LVSBackend is our global_defs keyword lvs_backend: the data plane the
// LVS half programs. The zero value means auto.
type LVSBackend string

// The data planes.
const (
	BackendAuto     LVSBackend = "auto"
	BackendIPVS     LVSBackend = "ipvs"
	BackendNFTables LVSBackend = "nftables"
)

// SchedFlags are the scheduler flags of a virtual server, as IPVS numbers
// them (IP_VS_SVC_F_SCHED1..3); sh-fallback and mh-fallback are flag-1,
// sh-port and mh-port flag-2.
type SchedFlags uint32

// The scheduler flags.
const (
	SchedFlag1 SchedFlags = 0x08
	SchedFlag2 SchedFlags = 0x10
	SchedFlag3 SchedFlags = 0x20

	SchedFallback = SchedFlag1
	SchedPort     = SchedFlag2
)

// schedKw reads lb_algo / lvs_sched; keepalived ignores names it does not
// know, with an error.
func schedKw(l *loader, n *Node, v *VirtualServer) {
	t, ok := l.arg(n, 0)
	if !ok {
		return
	}
	for _, s := range schedulers {
		if string(s) == t.Text {
			v.Sched = s
			return
		}
	}
	l.errorf(t.Pos, "Invalid lvs_scheduler '%s' - ignoring", t.Text)
}

// parseKind reads NAT, DR or TUN [options]; keepalived's names are
// case-sensitive. The tunnel options are read into *tun for TUN.
func (l *loader) parseKind(n *Node, kind *LBKind, tun *Tunnel) {
	t, ok := l.arg(n, 0)
	if !ok {
		return
	}
	switch k := LBKind(t.Text); k {
	case KindNAT, KindDR, KindTUN:
		*kind = k
		if k == KindTUN && len(n.Args) > 1 {
			l.parseTunnel(n, n.Args[1:], tun)
		}
	default:
		l.errorf(t.Pos, "PARSER : unknown [%s] routing method", t.Text)
	}
}

// schedFlagKw reads flag-1..3, sh-port, sh-fallback, mh-port, mh-fallback.
func schedFlagKw(l *loader, n *Node, v *VirtualServer) {
	switch kw := n.Keyword.Text; kw {
	case "flag-1":
		v.SchedFlags |= SchedFlag1
	case "flag-2":
		v.SchedFlags |= SchedFlag2
	case "flag-3":
		v.SchedFlags |= SchedFlag3
	default:
		want := Scheduler(kw[:2])
		if v.Sched != want {
			l.errorf(n.Keyword.Pos, "%s only applies to %s scheduler - ignoring", kw, want)
			return
		}
		if strings.HasSuffix(kw, "-port") {
			v.SchedFlags |= SchedPort
		} else {
			v.SchedFlags |= SchedFallback
		}
	}
}

// ipvsPersistentTimeout is IPVS's default persistence (6 minutes).
const ipvsPersistentTimeout = 360 * time.Second

// persistenceKw reads persistence_timeout [SECONDS] (alone: 360 s).
func persistenceKw(l *loader, n *Node, v *VirtualServer) {
	if len(n.Args) == 0 {
		v.PersistenceTimeout = ipvsPersistentTimeout
		return
	}
	if s, ok := l.intArg(n, 0, 1, 86400*31); ok {
		v.PersistenceTimeout = time.Duration(s) * time.Second
	}
}

// granularityKw reads persistence_granularity: an IPv4 netmask or an IPv6
// prefix length. It implies persistence.
func granularityKw(l *loader, n *Node, v *VirtualServer) {
	t, ok := l.arg(n, 0)
	if !ok {
		return
	}
	if strings.Contains(t.Text, ".") {
		m, err := netip.ParseAddr(t.Text)
		if err != nil || !m.Is4() {
			l.errorf(t.Pos, "Invalid IPv4 persistence_granularity specified - %s", t.Text)
			return
		}
		b := m.As4()
		x := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
		ones := bits.LeadingZeros32(^x)
		if x<<ones != 0 {
			l.advisef(t.Pos, "IPVS takes it as written; the nftables data plane uses the leading "+fmt.Sprint(ones)+" bits",
				"persistence_granularity %s is not a contiguous netmask", t.Text)
		}
		v.PersistenceGranularity = ones
	} else if x, ok := l.intArg(n, 0, 1, 128); ok {
		v.PersistenceGranularity = int(x)
	} else {
		return
	}
	if v.PersistenceTimeout == 0 {
		v.PersistenceTimeout = ipvsPersistentTimeout
	}
}

// countKw reads quorum (at least 1) and hysteresis.
func countKw(f func(*VirtualServer) *int, lo int64) kwFunc[*VirtualServer] {
	return func(l *loader, n *Node, v *VirtualServer) {
		if x, ok := l.intArg(n, 0, lo, 1<<32-1); ok {
			*f(v) = int(x)
		}
	}
}

// completeLVS runs keepalived's checks on every virtual server once the
// whole file is read: defaults for protocol, scheduler and forwarding
// method (each reported, as keepalived does), real servers inheriting
// the virtual server's settings, ha_suspend cleared for fwmarks, and our
// own check that the chosen data plane can express each virtual server.
func (l *loader) completeLVS() {
	groups := map[string]*VirtualServerGroup{}
	for _, g := range l.cfg.VirtualServerGroups {
		groups[g.Name] = g
	}
	for _, v := range l.cfg.VirtualServers {
		var g *VirtualServerGroup
		if v.Group != "" {
			if g = groups[v.Group]; g == nil {
				l.advisef(v.Pos, "define it with virtual_server_group "+v.Group+" { ... }",
					"virtual_server group %s: no such virtual_server_group, it will not be installed", v.Group)
			}
		}
		l.completeVS(v, g)
	}
}

// completeVS completes one virtual server; g is its group, if any.
func (l *loader) completeVS(v *VirtualServer, g *VirtualServerGroup) {
	fwmarkOnly := v.Fwmark != 0 || (g != nil && !g.hasAddrs() && len(g.Entries) > 0)
	if v.HASuspend && (v.Fwmark != 0 || (g != nil && g.hasFwmarks())) {
		l.errorf(v.Pos, "Virtual server %s: cannot use ha_suspend with fwmarks - clearing ha_suspend", v)
		v.HASuspend = false
	}
	if fwmarkOnly {
		v.Protocol = 0
	} else if v.Protocol == 0 {
		l.errorf(v.Pos, "Virtual server %s: no protocol set - defaulting to UDP", v)
		v.Protocol = ProtoUDP
	}
	if v.Sched == "" {
		l.errorf(v.Pos, "Virtual server %s: no scheduler set, setting default '%s'", v, DefaultScheduler)
		v.Sched = DefaultScheduler
	}
	for _, rs := range v.RealServers {
		if rs.Method == "" {
			if v.Method == "" {
				l.errorf(v.Pos, "Virtual server %s: no forwarding method set, setting default NAT", v)
				v.Method = KindNAT
			}
			rs.Method, rs.Tunnel = v.Method, v.Tunnel
		}
		if !l.rsWritten[rsField{rs, "inhibit"}] {
			rs.Inhibit = v.Inhibit
		}
		if !l.rsWritten[rsField{rs, "alpha"}] {
			rs.Alpha = v.Alpha
		}
		if !l.rsWritten[rsField{rs, "weight"}] {
			rs.Weight = v.Weight
		}
	}
	if s := v.Sorry; s != nil && s.Method == "" {
		s.Method, s.Tunnel = v.Method, v.Tunnel
		if s.Method == "" {
			s.Method = KindNAT
		}
	}
	if l.cfg.Global.LVSBackend == BackendNFTables {
		l.checkNFTables(v)
	}
}

// checkNFTables reports what the nftables data plane cannot express: it
// would refuse to install the virtual server rather than substitute.
func (l *loader) checkNFTables(v *VirtualServer) {
	if h := v.Sched.NFTablesHint(); h != "" {
		l.errorf(v.Pos, "virtual_server %s: lvs_backend nftables cannot run scheduler %s", v, v.Sched)
		l.hintf("%s", h)
	}
	servers := v.RealServers
	if v.Sorry != nil {
		servers = append(servers[:len(servers):len(servers)], v.Sorry)
	}
	for _, rs := range servers {
		if rs.Method == KindTUN {
			l.errorf(rs.Pos, "virtual_server %s: lvs_backend nftables cannot forward by TUN (IP-in-IP encapsulation) to %s", v, rs.Addr)
			l.hintf("use lb_kind NAT or DR, or lvs_backend ipvs on a kernel with IPVS and ipip/gue/gre")
			return
		}
	}
}

// String formats the virtual server as keepalived names it in messages:
// [ADDR]:PROTO:PORT, FWM N or GROUP NAME.
func (v *VirtualServer) String() string {
	switch {
	case v.Fwmark != 0:
		return fmt.Sprintf("FWM %d", v.Fwmark)
	case v.Group != "":
		return "group " + v.Group
	}
	return fmt.Sprintf("[%s]:%s:%d", v.Addr, v.Protocol, v.Port)
}

func (g *VirtualServerGroup) hasAddrs() bool {
	for _, e := range g.Entries {
		if e.Fwmark == 0 {
			return true
		}
	}
	return false
}

func (g *VirtualServerGroup) hasFwmarks() bool {
	for _, e := range g.Entries {
		if e.Fwmark != 0 {
			return true
		}
	}
	return false
}

// lvsBackendKw reads our lvs_backend ipvs|nftables|auto.
func lvsBackendKw(l *loader, n *Node, g *GlobalDefs) {
	t, ok := l.arg(n, 0)
	if !ok {
		return
	}
	switch b := LVSBackend(t.Text); b {
	case BackendAuto, BackendIPVS, BackendNFTables:
		g.LVSBackend = b
	default:
		l.advisef(t.Pos, "use ipvs, nftables or auto", "lvs_backend: unknown data plane %q, using auto", t.Text)
	}
}

// FlushMode is lvs_flush_on_stop: how the LVS table is emptied at stop.
type FlushMode string

// The modes of lvs_flush_on_stop; empty: remove what we installed, one
// service at a time.
const (
	FlushAll FlushMode = "all" // no argument: every service of the kernel
	FlushVS  FlushMode = "VS"  // our services, without their real servers first
)

func lvsFlushOnStopKw(l *loader, n *Node, g *GlobalDefs) {
	switch {
	case len(n.Args) == 0:
		g.LVSFlushOnStop = FlushAll
	case n.Args[0].Text == "VS":
		g.LVSFlushOnStop = FlushVS
	default:
		l.advisef(n.Args[0].Pos, "write lvs_flush_on_stop alone, or lvs_flush_on_stop VS", "Unknown lvs_flush_onstop type %s", n.Args[0].Text)
	}
}

// rsField names a real server setting that inherits the virtual
// server's value unless written.
type rsField struct {
	rs   *RealServer
	name string
}

// rsSet records that a real server wrote its own value of name.
func (l *loader) rsSet(rs *RealServer, name string) {
	if l.rsWritten == nil {
		l.rsWritten = map[rsField]bool{}
	}
	l.rsWritten[rsField{rs, name}] = true
}
