package plan

import (
	"fmt"
	"net/netip"
	"slices"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/instance"
	"github.com/gokeepalived/gokeepalived/internal/instance/fromconfig"
	"github.com/gokeepalived/gokeepalived/internal/track"
	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

// AddrSource says where a primary address came from.
type AddrSource uint8

// AddrSource values.
const (
	SourceUnicastSrcIP AddrSource = iota + 1 // unicast_src_ip in the config
	SourceMcastSrcIP                         // mcast_src_ip in the config
	SourceGiven                              // --addr or --node
	SourceAssumed                            // none given: a made-up address
)

// String names the source.
func (s AddrSource) String() string {
	switch s {
	case SourceUnicastSrcIP:
		return "unicast_src_ip"
	case SourceMcastSrcIP:
		return "mcast_src_ip"
	case SourceGiven:
		return "given"
	case SourceAssumed:
		return "assumed"
	}
	return fmt.Sprintf("AddrSource(%d)", uint8(s))
}

// MarshalText writes the name.
func (s AddrSource) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// groupKey identifies the routers of one virtual router: VRRP keeps IPv4
// and IPv6 VRIDs apart.
type groupKey struct {
	VRID   int
	Family vrrp.Family
}

func (k groupKey) String() string {
	if k.Family == 6 {
		return fmt.Sprintf("VRID %d (IPv6)", k.VRID)
	}
	return fmt.Sprintf("VRID %d", k.VRID)
}

// node is one loaded node.
type node struct {
	spec  NodeSpec
	index int
	cfg   *config.Config
	insts []*inst
}

// inst is one vrrp_instance of a node, with its address and trackers.
type inst struct {
	node     *node
	ci       *config.Instance
	key      groupKey
	primary  netip.Prefix
	source   AddrSource
	mc       instance.Config
	trackers []tracker
}

// tracker is one thing an instance tracks that the plan can fail.
type tracker struct {
	kind FailureKind
	name string
	w    track.Weight
	pos  config.Pos // the track_* entry (or the interface keyword)
	def  config.Pos // where the weight comes from, when not at pos
}

// loadNode reads one node's configuration; it returns the problems found
// (every error, when keepalived would refuse the configuration), and nil when the
// node cannot be planned.
func loadNode(spec NodeSpec, index int) (*node, []Problem) {
	id := spec.ConfigID
	if id == "" {
		id = spec.Name
	}
	tree, pd := config.ParseFile(spec.Path, config.Options{ConfigID: id})
	cfg, ld := config.LoadNodes(tree)
	diags := append(pd, ld...)
	// The daemon runs (with keepalived's fallbacks) unless a diagnostic is
	// fatal; when it refuses, every error is listed for context.
	var probs []Problem
	if len(tree) == 0 || config.Refuses(cfg, diags) {
		for _, d := range diags {
			if d.Severity == config.SeverityError {
				probs = append(probs, Problem{Node: spec.Name, Pos: d.Pos, Msg: d.Msg})
			}
		}
	}
	if cfg == nil && len(probs) == 0 {
		probs = append(probs, Problem{Node: spec.Name, Msg: "configuration could not be read"})
	}
	if len(probs) > 0 {
		return nil, probs
	}
	n := &node{spec: spec, index: index, cfg: cfg}
	for _, ci := range cfg.Instances {
		n.insts = append(n.insts, n.newInst(ci))
	}
	if len(n.insts) == 0 && len(cfg.AnycastGroups) == 0 {
		return nil, []Problem{{Node: spec.Name, Pos: config.Pos{File: spec.Path}, Msg: "no vrrp_instance: nothing to plan"}}
	}
	return n, nil
}

func (n *node) newInst(ci *config.Instance) *inst {
	fam := ci.Family
	if fam == 0 {
		fam = vrrp.IPv4
	}
	in := &inst{node: n, ci: ci, key: groupKey{VRID: ci.VRID, Family: fam}}
	in.primary, in.source = n.primaryFor(ci, fam)
	in.mc = fromconfig.Config(ci, in.primary.Addr())
	in.trackers = n.trackersOf(ci)
	return in
}

// primaryFor picks the instance's source address: unicast_src_ip,
// mcast_src_ip, the address given for its interface, the address given
// for every interface, else an assumed one (192.0.2.N, 2001:db8::N).
func (n *node) primaryFor(ci *config.Instance, fam vrrp.Family) (netip.Prefix, AddrSource) {
	famOK := func(a netip.Addr) bool { return a.IsValid() && (a.Is4() == (fam == 4)) }
	if famOK(ci.UnicastSrcIP) {
		return n.withLen(ci.UnicastSrcIP, ci.Interface), SourceUnicastSrcIP
	}
	if famOK(ci.McastSrcIP) {
		return n.withLen(ci.McastSrcIP, ci.Interface), SourceMcastSrcIP
	}
	for _, iface := range []string{ci.Interface, ""} {
		for _, a := range n.spec.Addrs {
			if a.Iface == iface && famOK(a.Prefix.Addr()) {
				return a.Prefix, SourceGiven
			}
		}
	}
	if fam == 6 {
		b := netip.MustParseAddr("2001:db8::").As16()
		b[15] = byte(n.index + 1)
		return netip.PrefixFrom(netip.AddrFrom16(b), 64), SourceAssumed
	}
	return netip.PrefixFrom(netip.AddrFrom4([4]byte{192, 0, 2, byte(n.index + 1)}), 24), SourceAssumed
}

// withLen gives a configured source address the prefix length of a given
// address on the same subnet, else the default.
func (n *node) withLen(a netip.Addr, iface string) netip.Prefix {
	for _, g := range n.spec.Addrs {
		if (g.Iface == iface || g.Iface == "") && g.Prefix.Contains(a) {
			return netip.PrefixFrom(a, g.Prefix.Bits())
		}
	}
	return defaultPrefix(a)
}

// trackersOf lists the scripts, processes and interfaces an instance
// tracks, its own and its sync group's (which apply to every member), with
// the weight that applies (the track_* entry's when written, else the
// tracker's own); the instance's own interface puts it in FAULT when down,
// unless dont_track_primary. Sync groups need no rule here: as for the
// daemon, the config loader has already written weight 0 on the members'
// own weighted entries (unless sync_group_tracking_weight) and kept the
// group's own weights, clearing them only when a member is an address
// owner (keepalived's rule).
func (n *node) trackersOf(ci *config.Instance) []tracker {
	var sg *config.SyncGroup
	for _, g := range n.cfg.SyncGroups {
		if g.Name == ci.SyncGroup && ci.SyncGroup != "" {
			sg = g
		}
	}
	scripts, procs, ifaces := ci.TrackScripts, ci.TrackProcesses, ci.TrackInterfaces
	if sg != nil {
		scripts = withGroupRefs(scripts, sg.TrackScripts)
		procs = withGroupRefs(procs, sg.TrackProcesses)
		ifaces = withGroupRefs(ifaces, sg.TrackInterfaces)
	}
	var ts []tracker
	for _, r := range scripts {
		t := tracker{kind: FailScript, name: r.Name, pos: r.Pos, w: track.Weight{Value: r.Weight.Value, Reverse: r.Weight.Reverse}}
		if s := n.cfg.Script(r.Name); s != nil && !r.Weight.Set {
			t.w, t.def = track.Weight{Value: s.Weight.Value, Reverse: s.Weight.Reverse}, s.Pos
		}
		ts = append(ts, t)
	}
	for _, r := range procs {
		t := tracker{kind: FailProcess, name: r.Name, pos: r.Pos, w: track.Weight{Value: r.Weight.Value, Reverse: r.Weight.Reverse}}
		for _, p := range n.cfg.TrackProcesses {
			if p.Name == r.Name && !r.Weight.Set {
				t.w, t.def = track.Weight{Value: p.Weight.Value, Reverse: p.Weight.Reverse}, p.Pos
			}
		}
		ts = append(ts, t)
	}
	if ci.Interface != "" && !ci.DontTrackPrimary {
		ts = append(ts, tracker{kind: FailInterface, name: ci.Interface, pos: ci.Pos})
	}
	for _, r := range ifaces {
		ts = append(ts, tracker{kind: FailInterface, name: r.Name, pos: r.Pos, w: track.Weight{Value: r.Weight.Value, Reverse: r.Weight.Reverse}})
	}
	return ts
}

// withGroupRefs adds a sync group's track_* entries to a member's; a group
// entry replaces the member's entry for the same tracker (the daemon keys
// effects by tracker, the group's coming last).
func withGroupRefs(own, group []config.TrackRef) []config.TrackRef {
	out := slices.Clone(own)
	for _, r := range group {
		out = slices.DeleteFunc(out, func(o config.TrackRef) bool { return o.Name == r.Name })
		out = append(out, r)
	}
	return out
}

// effect is the instance's tracker weight sum and fault with the trackers
// matched by failed down and every other one up.
func (in *inst) effect(failed func(tracker) bool) (sum int, fault bool) {
	for _, t := range in.trackers {
		s := track.StateUp
		if failed != nil && failed(t) {
			s = track.StateDown
		}
		e := t.w.Effect(s)
		sum += e.Delta
		fault = fault || e.Fault
	}
	return sum, fault
}

// priority is the effective priority with effect's trackers (0 in FAULT).
func (in *inst) priority(failed func(tracker) bool) int {
	sum, fault := in.effect(failed)
	if fault {
		return 0
	}
	prio, _, _ := track.Priority(in.ci.Priority, track.Effect{Delta: sum})
	return prio
}

// vips returns the instance's VIP addresses in configuration order.
func (in *inst) vips() []netip.Addr {
	var out []netip.Addr
	for _, v := range in.ci.VIPs {
		out = append(out, v.Prefix.Addr())
	}
	return out
}

// group is the instances of one virtual router across the nodes, in node
// order.
type group struct {
	key   groupKey
	insts []*inst
}

// groups collects the instances by VRID and family, in order of first
// appearance.
func groups(nodes []*node) []*group {
	var gs []*group
	idx := map[groupKey]*group{}
	for _, n := range nodes {
		for _, in := range n.insts {
			g := idx[in.key]
			if g == nil {
				g = &group{key: in.key}
				idx[in.key] = g
				gs = append(gs, g)
			}
			g.insts = append(g.insts, in)
		}
	}
	return gs
}

// vips returns the union of the group's VIPs, in order of appearance.
func (g *group) vips() []netip.Addr {
	var out []netip.Addr
	for _, in := range g.insts {
		for _, a := range in.vips() {
			if !slices.Contains(out, a) {
				out = append(out, a)
			}
		}
	}
	return out
}
