package plan

import (
	"fmt"
	"net/netip"
	"slices"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/instance"
	"github.com/gokeepalived/gokeepalived/internal/instance/sim"
)

// New loads every node's configuration and computes the plan. Problems
// with the input (configs that fail the config test, nodes that cannot
// share a LAN) end up in Plan.Problems, and then nothing is simulated.
func New(specs []NodeSpec) *Plan {
	p := &Plan{}
	var nodes []*node
	seen := map[string]bool{}
	for i, s := range specs {
		if seen[s.Name] {
			p.Problems = append(p.Problems, Problem{Node: s.Name, Msg: fmt.Sprintf("node name %s is used twice", s.Name)})
			continue
		}
		seen[s.Name] = true
		n, probs := loadNode(s, i)
		p.Problems = append(p.Problems, probs...)
		if n != nil {
			nodes = append(nodes, n)
		}
	}
	p.Nodes = nodeInfos(nodes)
	if len(p.Problems) > 0 {
		return p
	}
	gs := groups(nodes)
	p.Problems = lanProblems(nodes, gs)
	p.Findings = findings(nodes, gs)
	if len(p.Problems) > 0 {
		return p
	}
	p.VIPs = vipInfos(gs)
	settle := settleTime(nodes)
	p.steady(nodes, gs, settle)
	p.failures(nodes, gs, settle)
	p.bgpRows(nodes) // bgp.go
	return p
}

func nodeInfos(nodes []*node) []NodeInfo {
	var out []NodeInfo
	for _, n := range nodes {
		id := n.spec.ConfigID
		if id == "" {
			id = n.spec.Name
		}
		ni := NodeInfo{Name: n.spec.Name, File: n.spec.Path, ConfigID: id}
		for _, in := range n.insts {
			ni.Addrs = append(ni.Addrs, AddrInfo{Instance: in.ci.Name, Iface: in.ci.Interface, Addr: in.primary, Source: in.source})
		}
		out = append(out, ni)
	}
	return out
}

func vipInfos(gs []*group) []VIPInfo {
	var out []VIPInfo
	for _, g := range gs {
		for _, v := range g.vips() {
			vi := VIPInfo{VIP: v, VRID: g.key.VRID}
			for _, in := range g.insts {
				if slices.Contains(in.vips(), v) {
					vi.Nodes = append(vi.Nodes, in.node.spec.Name)
				}
			}
			out = append(out, vi)
		}
	}
	return out
}

// lanProblems finds nodes that cannot be one VRRP LAN: a VRID twice on one
// node, peers of one VRID only on different families, peers without a
// common subnet, two peers with one address.
func lanProblems(nodes []*node, gs []*group) []Problem {
	var probs []Problem
	for _, g := range gs {
		byNode := map[string]*inst{}
		for _, in := range g.insts {
			if prev := byNode[in.node.spec.Name]; prev != nil {
				probs = append(probs, Problem{Node: in.node.spec.Name, Pos: in.ci.VRIDPos,
					Msg: fmt.Sprintf("%s is also used by %s at %s on the same node; the plan models one LAN", g.key, prev.ci.Name, shortPos(prev.ci.VRIDPos))})
				continue
			}
			byNode[in.node.spec.Name] = in
		}
		probs = append(probs, subnetProblems(g)...)
	}
	for _, g4 := range gs {
		if g4.key.Family != 4 {
			continue
		}
		for _, g6 := range gs {
			if g6.key.Family != 6 || g6.key.VRID != g4.key.VRID || sharesNode(g4, g6) {
				continue
			}
			probs = append(probs, Problem{Node: g6.insts[0].node.spec.Name, Pos: g6.insts[0].ci.VRIDPos,
				Msg: fmt.Sprintf("VRID %d is IPv4 on %s (%s) but IPv6 on %s: peers on different address families never hear each other",
					g4.key.VRID, nodeNames(g4.insts), shortPos(g4.insts[0].ci.VRIDPos), nodeNames(g6.insts))})
		}
	}
	return probs
}

func subnetProblems(g *group) []Problem {
	var probs []Problem
	for i, a := range g.insts {
		for _, b := range g.insts[i+1:] {
			if a.node == b.node {
				continue
			}
			if a.primary.Addr() == b.primary.Addr() {
				probs = append(probs, Problem{Node: b.node.spec.Name, Pos: b.ci.Pos,
					Msg: fmt.Sprintf("%s: %s and %s both use the address %s", g.key, a.node.spec.Name, b.node.spec.Name, a.primary.Addr())})
				continue
			}
			if a.source == SourceAssumed || b.source == SourceAssumed || len(a.ci.UnicastPeers) > 0 || len(b.ci.UnicastPeers) > 0 {
				continue
			}
			if !a.primary.Masked().Contains(b.primary.Addr()) && !b.primary.Masked().Contains(a.primary.Addr()) {
				probs = append(probs, Problem{Node: b.node.spec.Name, Pos: b.ci.Pos,
					Msg: fmt.Sprintf("%s: %s (%s) and %s (%s) share no subnet, so their multicast adverts never meet; give addresses on one LAN or use unicast_peer",
						g.key, a.node.spec.Name, a.primary, b.node.spec.Name, b.primary)})
			}
		}
	}
	return probs
}

func sharesNode(a, b *group) bool {
	for _, x := range a.insts {
		for _, y := range b.insts {
			if x.node == y.node {
				return true
			}
		}
	}
	return false
}

func nodeNames(ins []*inst) string {
	s := ""
	for i, in := range ins {
		if i > 0 {
			s += ", "
		}
		s += in.node.spec.Name
	}
	return s
}

// shortPos formats a position as file:line.
func shortPos(p config.Pos) string {
	if p.Line == 0 {
		return p.File
	}
	return fmt.Sprintf("%s:%d", p.File, p.Line)
}

// steady fills Orders and Steady: who holds each VIP after each start
// order.
func (p *Plan) steady(nodes []*node, gs []*group, settle time.Duration) {
	for _, vi := range p.VIPs {
		p.Steady = append(p.Steady, SteadyRow{VIP: vi.VIP, VRID: vi.VRID})
	}
	for _, order := range startOrders(nodes) {
		name := orderName(order)
		p.Orders = append(p.Orders, name)
		w := newWorld(nodes)
		end := boot(w, nodes, order, settle)
		w.runUntil(end)
		k := 0
		for _, g := range gs {
			ms := w.masters(g)
			for _, v := range g.vips() {
				p.Steady[k].Placements = append(p.Steady[k].Placements, Placement{Order: name, Holders: nonNil(w.holders(g, v, ms))})
				k++
			}
		}
	}
	for i := range p.Steady {
		r := &p.Steady[i]
		for _, pl := range r.Placements[1:] {
			if !slices.Equal(pl.Holders, r.Placements[0].Holders) {
				r.OrderDeps = true
			}
		}
	}
}

// failures fills Baseline and Failures: every single failure, from the
// steady state after starting the nodes in the given order.
func (p *Plan) failures(nodes []*node, gs []*group, settle time.Duration) {
	p.Baseline = orderName(nodes)
	if len(nodes) == 1 {
		p.Baseline = nodes[0].spec.Name
	}
	phases := failureMoments(nodes, settle)
	for _, f := range failureList(nodes) {
		row := runFailure(nodes, gs, f, settle, phases[0])
		for _, ph := range phases[1:] {
			row.merge(runFailure(nodes, gs, f, settle, ph))
		}
		p.Failures = append(p.Failures, row)
	}
}

// failureMoments returns the offsets, after the nodes have settled, at
// which each failure is tried: evenly over one advert interval, and at
// each moment a master sends an advert and just before it (a failure
// right after an advert gives the longest takeover, just before the
// shortest).
func failureMoments(nodes []*node, settle time.Duration) []time.Duration {
	ai := maxAdvertInt(nodes)
	var out []time.Duration
	for k := range failurePhases {
		out = append(out, time.Duration(k)*ai/failurePhases)
	}
	w := newWorld(nodes)
	t0 := boot(w, nodes, nodes, settle)
	w.runUntil(t0 + ai)
	for _, s := range w.sims {
		for _, r := range s.Records() {
			if _, ok := r.Action.(instance.SendAdvert); !ok || r.At <= t0 || r.At >= t0+ai {
				continue
			}
			for _, ph := range []time.Duration{r.At - t0, r.At - t0 - 1} {
				if !slices.Contains(out, ph) {
					out = append(out, ph)
				}
			}
		}
	}
	return out
}

// failurePhases is how many moments within one advert interval each
// failure is tried at: takeover times depend on when the failure falls
// between two adverts, and the plan gives their range.
const failurePhases = 64

func maxAdvertInt(nodes []*node) time.Duration {
	var d time.Duration
	for _, n := range nodes {
		for _, in := range n.insts {
			d = max(d, in.mc.AdvertInterval)
		}
	}
	return d
}

// merge widens r's time ranges with the same failure tried at another
// moment; outcomes with other holders are ignored (they do not happen on a
// lossless LAN).
func (r *FailureRow) merge(o FailureRow) {
	for i := range r.VIPs {
		a, b := &r.VIPs[i], o.VIPs[i]
		if !slices.Equal(a.Before, b.Before) || !slices.Equal(a.After, b.After) || !slices.Equal(a.Recovered, b.Recovered) {
			continue
		}
		a.Takeover, a.TakeoverMin = widen(a.Takeover, a.TakeoverMin, b.Takeover)
		a.ReturnAfter, a.ReturnMin = widen(a.ReturnAfter, a.ReturnMin, b.ReturnAfter)
	}
}

func widen(hi, lo, x *Seconds) (*Seconds, *Seconds) {
	if x == nil || hi == nil {
		return hi, lo
	}
	if *x > *hi {
		hi = x
	}
	if *x < *lo {
		lo = x
	}
	return hi, lo
}

// failureList is every single failure: each node crashing, each node
// stopping, each tracked script, process and interface of each node.
func failureList(nodes []*node) []Failure {
	var out []Failure
	for _, n := range nodes {
		out = append(out, Failure{Kind: FailCrash, Node: n.spec.Name}, Failure{Kind: FailStop, Node: n.spec.Name})
	}
	for _, n := range nodes {
		var fs []Failure
		for _, in := range n.insts {
			for _, t := range in.trackers {
				f := Failure{Kind: t.kind, Node: n.spec.Name, Target: t.name}
				if !slices.Contains(fs, f) {
					fs = append(fs, f)
				}
			}
		}
		slices.SortStableFunc(fs, func(a, b Failure) int { return int(a.Kind) - int(b.Kind) })
		out = append(out, fs...)
	}
	return out
}

// runFailure boots the nodes in order, injects f once settled, repairs it
// a settle time later, and reads who holds each VIP at each stage.
func runFailure(nodes []*node, gs []*group, f Failure, settle, phase time.Duration) FailureRow {
	w := newWorld(nodes)
	t0 := boot(w, nodes, nodes, settle) + phase
	t1 := t0 + settle + phase
	end := t1 + settle
	var n *node
	for _, x := range nodes {
		if x.spec.Name == f.Node {
			n = x
		}
	}
	failed := func(t tracker) bool { return t.kind == f.Kind && t.name == f.Target }
	switch f.Kind {
	case FailCrash:
		w.at(t0, sim.Crash{Node: f.Node})
		w.start(t1, n, nil)
	case FailStop:
		w.at(t0, sim.Stop{Node: f.Node})
		w.start(t1, n, nil)
	default:
		w.setTrackers(t0, n, nil, failed, false)
		w.setTrackers(t1, n, failed, nil, false)
	}
	row := FailureRow{Failure: f}
	before := map[netip.Addr][]string{}
	after := map[netip.Addr][]string{}
	w.runUntil(t0 - 1)
	for _, g := range gs {
		for _, v := range g.vips() {
			before[v] = w.holders(g, v, w.masters(g))
		}
	}
	w.runUntil(t1 - 1)
	for _, g := range gs {
		for _, v := range g.vips() {
			after[v] = w.holders(g, v, w.masters(g))
		}
	}
	w.runUntil(end)
	for _, g := range gs {
		for _, v := range g.vips() {
			row.VIPs = append(row.VIPs, outcome(w, g, v, before[v], after[v], t0, t1, end))
		}
	}
	return row
}

func outcome(w *world, g *group, v netip.Addr, before, after []string, t0, t1, end time.Duration) FailureVIP {
	fv := FailureVIP{VIP: v, Before: nonNil(before), After: nonNil(after), Recovered: nonNil(w.holders(g, v, w.masters(g)))}
	moved := !slices.Equal(before, after)
	if d, ok := w.lastChange(g, v, t0, t1, before); ok && moved && len(after) > 0 {
		fv.Takeover, fv.TakeoverMin = secs(d), secs(d)
	}
	fv.Back = slices.Equal(fv.Recovered, before)
	if d, ok := w.lastChange(g, v, t1, end+1, after); ok && moved && fv.Back {
		fv.ReturnAfter, fv.ReturnMin = secs(d), secs(d)
	}
	switch {
	case len(after) == 0 && len(before) > 0:
		fv.Why = "no other node can take it"
	case !fv.Back:
		fv.Why = stayReason(g, before, fv.Recovered)
	}
	return fv
}

// stayReason explains why a VIP did not return to the nodes in before:
// nopreempt on them, or a tie with the node that holds it now.
func stayReason(g *group, before, now []string) string {
	var was, is *inst
	for _, in := range g.insts {
		if slices.Contains(before, in.node.spec.Name) {
			was = in
		}
		if slices.Contains(now, in.node.spec.Name) {
			is = in
		}
	}
	switch {
	case was != nil && was.ci.Nopreempt:
		return fmt.Sprintf("nopreempt on %s (%s)", was.node.spec.Name, shortPos(was.ci.Pos))
	case was != nil && is != nil && was.priority(nil) == is.priority(nil):
		return fmt.Sprintf("equal priority %d: the holder keeps it", is.priority(nil))
	}
	return ""
}
