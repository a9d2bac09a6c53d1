package plan

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/gokeepalived/gokeepalived/internal/config"
)

// FindingKind is a kind of configuration choice the plan warns about.
type FindingKind uint8

// FindingKind values.
const (
	FindEqualPriority   FindingKind = iota + 1 // peers tie on the top priority
	FindWeightTooSmall                         // a tracker failing cannot move the VIP
	FindVIPsDiffer                             // one VRID, different VIPs on different nodes
	FindVIPInTwoVRIDs                          // one VIP in two virtual routers
	FindAdvertInt                              // peers disagree on advert_int
	FindAuth                                   // peers disagree on authentication
	FindVersion                                // peers disagree on the VRRP version
	FindNopreemptMaster                        // nopreempt with state MASTER (ignored)
	FindNoBackup                               // a VIP configured on one node only
	FindStateMaster                            // state MASTER on a node that is not the top priority
	FindUnicastPeers                           // unicast peers that do not list each other
	FindSyncGroup                              // a sync group the plan cannot model (IPv4 and IPv6 members)
)

var findingNames = [...]string{"", "equal-priority", "weight-too-small", "vips-differ", "vip-in-two-vrids",
	"advert-int-mismatch", "auth-mismatch", "version-mismatch", "nopreempt-with-master", "no-backup",
	"state-master-not-top", "unicast-peers", "sync-group-not-modeled"}

// String names the kind.
func (k FindingKind) String() string {
	if int(k) < len(findingNames) && k != 0 {
		return findingNames[k]
	}
	return fmt.Sprintf("FindingKind(%d)", uint8(k))
}

// MarshalText writes the name.
func (k FindingKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// Finding is one configuration choice worth a second look, in plain words,
// at the position that makes it (Also: the other positions involved).
type Finding struct {
	Kind FindingKind  `json:"kind"`
	Pos  config.Pos   `json:"pos"`
	Also []config.Pos `json:"also,omitempty"`
	Msg  string       `json:"message"`
}

// String formats f as file:line: message.
// The other positions follow in brackets.
func (f Finding) String() string {
	s := shortPos(f.Pos) + ": " + f.Msg
	if len(f.Also) > 0 {
		ps := make([]string, len(f.Also))
		for i, p := range f.Also {
			ps[i] = shortPos(p)
		}
		s += " [also " + strings.Join(ps, ", ") + "]"
	}
	return s
}

func findings(nodes []*node, gs []*group) []Finding {
	var fs []Finding
	for _, g := range gs {
		fs = append(fs, peerFindings(g)...)
		fs = append(fs, priorityFindings(g)...)
		fs = append(fs, unicastFindings(g)...)
	}
	fs = append(fs, vipTwiceFindings(gs)...)
	for _, n := range nodes {
		fs = append(fs, nopreemptFindings(n)...)
		for _, sg := range n.cfg.SyncGroups {
			if _, ok := n.syncVRIDs(sg, 4); ok {
				continue
			}
			fs = append(fs, Finding{Kind: FindSyncGroup, Pos: sg.Pos, Msg: fmt.Sprintf(
				"vrrp_sync_group %s on %s mixes IPv4 and IPv6 instances, which the plan does not model: it moves %s independently, while the daemon moves the whole group when one member fails",
				sg.Name, n.spec.Name, strings.Join(sg.Members, ", "))})
		}
	}
	return fs
}

func vipList(vs []netip.Addr) string {
	if len(vs) == 0 {
		return "no VIP"
	}
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = v.String()
	}
	return strings.Join(s, ", ")
}

func posOrInst(p config.Pos, in *inst) config.Pos {
	if p.Line == 0 {
		return in.ci.Pos
	}
	return p
}

// peerFindings compares each peer of a VRID with the first: VIPs,
// advert_int, authentication, version; and flags a VRID with no backup.
func peerFindings(g *group) []Finding {
	var fs []Finding
	a := g.insts[0]
	if len(g.insts) == 1 {
		return []Finding{{Kind: FindNoBackup, Pos: posOrInst(a.ci.VRIDPos, a), Msg: fmt.Sprintf(
			"%s (%s) is configured only on %s: no other node takes it over when %s fails",
			g.key, vipList(a.vips()), a.node.spec.Name, a.node.spec.Name)}}
	}
	for _, b := range g.insts[1:] {
		also := []config.Pos{posOrInst(a.ci.VRIDPos, a)}
		av, bv := slices.Clone(a.vips()), slices.Clone(b.vips())
		slices.SortFunc(av, netip.Addr.Compare)
		slices.SortFunc(bv, netip.Addr.Compare)
		if !slices.Equal(av, bv) {
			fs = append(fs, Finding{Kind: FindVIPsDiffer, Pos: posOrInst(b.ci.VRIDPos, b), Also: also, Msg: fmt.Sprintf(
				"%s carries %s on %s but %s on %s: the addresses served change with the master",
				g.key, vipList(a.vips()), a.node.spec.Name, vipList(b.vips()), b.node.spec.Name)})
		}
		if a.ci.AdvertInt != b.ci.AdvertInt {
			fs = append(fs, Finding{Kind: FindAdvertInt, Pos: b.ci.Pos, Also: []config.Pos{a.ci.Pos}, Msg: fmt.Sprintf(
				"%s: advert_int is %s on %s but %s on %s; VRRPv2 routers drop adverts with another interval, so both may become master",
				g.key, a.ci.AdvertInt, a.node.spec.Name, b.ci.AdvertInt, b.node.spec.Name)})
		}
		if a.ci.Auth.Type != b.ci.Auth.Type || a.ci.Auth.Pass != b.ci.Auth.Pass {
			fs = append(fs, Finding{Kind: FindAuth, Pos: posOrInst(b.ci.Auth.Pos, b), Also: []config.Pos{posOrInst(a.ci.Auth.Pos, a)}, Msg: fmt.Sprintf(
				"%s: authentication differs between %s (%s) and %s (%s); each drops the other's adverts, so both become master",
				g.key, a.node.spec.Name, authWords(a.ci.Auth), b.node.spec.Name, authWords(b.ci.Auth))})
		}
		if a.ci.Version != b.ci.Version {
			fs = append(fs, Finding{Kind: FindVersion, Pos: b.ci.Pos, Also: []config.Pos{a.ci.Pos}, Msg: fmt.Sprintf(
				"%s: VRRP version %d on %s but %d on %s; they do not understand each other's adverts",
				g.key, a.ci.Version, a.node.spec.Name, b.ci.Version, b.node.spec.Name)})
		}
	}
	return fs
}

func authWords(a config.Auth) string {
	switch a.Type {
	case 0:
		return "none"
	case config.AuthPass:
		return "PASS " + a.Pass
	}
	return a.Type.String()
}

// priorityFindings flags ties on the top priority, state MASTER on a node
// that cannot win, and trackers whose failure cannot move the VIP.
func priorityFindings(g *group) []Finding {
	if len(g.insts) < 2 {
		return nil
	}
	var fs []Finding
	top, tied := topOf(g.insts, nil)
	vips := vipList(g.vips())
	if len(tied) > 1 {
		var names []string
		var ps []config.Pos
		hi := tied[0]
		for _, in := range tied {
			names = append(names, in.node.spec.Name)
			ps = append(ps, posOrInst(in.ci.PrioPos, in))
			if in.primary.Addr().Compare(hi.primary.Addr()) > 0 {
				hi = in
			}
		}
		fs = append(fs, Finding{Kind: FindEqualPriority, Pos: ps[0], Also: ps[1:], Msg: fmt.Sprintf(
			"%s (%s): %s %s priority %d, so the VIP stays on whichever node starts first (started together, %s wins with the higher address %s); give the intended master a higher priority",
			g.key, vips, strings.Join(names, " and "), bothAll(len(names)), top, hi.node.spec.Name, hi.primary.Addr())})
	}
	for _, in := range g.insts {
		if in.ci.State == config.StateMaster && in.priority(nil) < top {
			fs = append(fs, Finding{Kind: FindStateMaster, Pos: posOrInst(in.ci.StatePos, in), Msg: fmt.Sprintf(
				"%s: %s says state MASTER but its priority %d is below %s's %d, so it will be backup (state only shortens the first wait)",
				g.key, in.node.spec.Name, in.priority(nil), tied[0].node.spec.Name, top)})
		}
	}
	if len(tied) == 1 {
		fs = append(fs, weightFindings(g, tied[0])...)
	}
	return fs
}

// topOf returns the top effective priority among ins (holder's trackers as
// failed says, the others healthy) and the instances that have it.
func topOf(ins []*inst, prio func(*inst) int) (int, []*inst) {
	if prio == nil {
		prio = func(in *inst) int { return in.priority(nil) }
	}
	top := -1
	var tied []*inst
	for _, in := range ins {
		switch p := prio(in); {
		case p > top:
			top, tied = p, []*inst{in}
		case p == top:
			tied = append(tied, in)
		}
	}
	return top, tied
}

// weightFindings checks each weighted tracker of the holder h: when it
// fails, does some peer's priority overtake h's?
func weightFindings(g *group, h *inst) []Finding {
	var fs []Finding
	var others []*inst
	for _, in := range g.insts {
		if in != h {
			others = append(others, in)
		}
	}
	best, bests := topOf(others, nil)
	for _, t := range h.trackers {
		if t.w.Value == 0 {
			continue
		}
		was := h.priority(nil)
		now := h.priority(func(x tracker) bool { return x.kind == t.kind && x.name == t.name })
		keeps := now > best
		if now == best {
			keeps = true
			for _, o := range bests {
				if o.primary.Addr().Compare(h.primary.Addr()) > 0 {
					keeps = false
				}
			}
		}
		if !keeps {
			continue
		}
		also := []config.Pos(nil)
		if t.def.Line != 0 {
			also = []config.Pos{t.def}
		}
		hint := ""
		if t.w.Value < 0 && !t.w.Reverse {
			hint = fmt.Sprintf("; a weight of %d or lower would move it", -(was - best + 1))
		}
		fs = append(fs, Finding{Kind: FindWeightTooSmall, Pos: t.pos, Also: also, Msg: fmt.Sprintf(
			"%s (%s): weight %+d of %s %s cannot move the VIP off %s: when it fails %s's priority goes from %d to %d, not below %s's %d%s",
			g.key, vipList(g.vips()), t.w.Value, t.kind, t.name, h.node.spec.Name, h.node.spec.Name, was, now, bests[0].node.spec.Name, best, hint)})
	}
	return fs
}

// unicastFindings checks that unicast peers list each other, and that
// unicast and multicast peers are not mixed.
func unicastFindings(g *group) []Finding {
	var fs []Finding
	for _, a := range g.insts {
		for _, b := range g.insts {
			if a.node == b.node {
				continue
			}
			switch {
			case len(a.ci.UnicastPeers) > 0 && len(b.ci.UnicastPeers) == 0:
				fs = append(fs, Finding{Kind: FindUnicastPeers, Pos: a.ci.Pos, Also: []config.Pos{b.ci.Pos}, Msg: fmt.Sprintf(
					"%s: %s uses unicast_peer but %s multicast; they never hear each other", g.key, a.node.spec.Name, b.node.spec.Name)})
			case len(a.ci.UnicastPeers) > 0 && b.source != SourceAssumed && !hasPeer(a, b.primary.Addr()):
				fs = append(fs, Finding{Kind: FindUnicastPeers, Pos: a.ci.UnicastPeers[0].Pos, Msg: fmt.Sprintf(
					"%s: %s's unicast_peer list does not include %s's address %s, so %s never hears %s",
					g.key, a.node.spec.Name, b.node.spec.Name, b.primary.Addr(), b.node.spec.Name, a.node.spec.Name)})
			}
		}
	}
	return fs
}

func hasPeer(in *inst, a netip.Addr) bool {
	for _, p := range in.ci.UnicastPeers {
		if p.Addr == a {
			return true
		}
	}
	return false
}

// vipTwiceFindings flags a VIP carried by two virtual routers.
func vipTwiceFindings(gs []*group) []Finding {
	var fs []Finding
	first := map[netip.Addr]*group{}
	for _, g := range gs {
		for _, v := range g.vips() {
			f := first[v]
			if f == nil {
				first[v] = g
				continue
			}
			if f == g {
				continue
			}
			in := g.insts[0]
			fs = append(fs, Finding{Kind: FindVIPInTwoVRIDs, Pos: posOrInst(in.ci.VRIDPos, in), Also: []config.Pos{posOrInst(f.insts[0].ci.VRIDPos, f.insts[0])}, Msg: fmt.Sprintf(
				"%s is in %s and in %s: two masters may hold it at once", v, f.key, g.key)})
		}
	}
	return fs
}

// nopreemptFindings reports nopreempt next to state MASTER, which
// keepalived (and the config loader) ignore.
func nopreemptFindings(n *node) []Finding {
	var fs []Finding
	for _, ci := range n.cfg.Instances {
		if ci.IgnoredNopreemptPos.Line == 0 {
			continue
		}
		fs = append(fs, Finding{Kind: FindNopreemptMaster, Pos: ci.IgnoredNopreemptPos, Also: []config.Pos{ci.StatePos}, Msg: fmt.Sprintf(
			"%s on %s: nopreempt is ignored with state MASTER, so %s takes its VIPs back when it recovers; use state BACKUP on every node with nopreempt",
			ci.Name, n.spec.Name, n.spec.Name)})
	}
	return fs
}

func bothAll(n int) string {
	if n == 2 {
		return "both have"
	}
	return "all have"
}
