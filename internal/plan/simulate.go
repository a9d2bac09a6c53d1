package plan

import (
	"net/netip"
	"slices"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/instance"
	"github.com/gokeepalived/gokeepalived/internal/instance/sim"
	"github.com/gokeepalived/gokeepalived/internal/track"
	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

// failedFn says whether a tracker is failing; nil means none is.
type failedFn func(tracker) bool

// world is one simulated run: one sim.Sim per address family (VRRP keeps
// IPv4 and IPv6 VRIDs apart, the simulator keys machines by VRID alone).
type world struct {
	sims  map[vrrp.Family]*sim.Sim
	nodes []*node
}

func newWorld(nodes []*node) *world {
	w := &world{sims: map[vrrp.Family]*sim.Sim{}, nodes: nodes}
	for _, fam := range []vrrp.Family{vrrp.IPv4, vrrp.IPv6} {
		var any bool
		s := sim.New(1, sim.Network{})
		for _, n := range nodes {
			var cfgs []instance.Config
			for _, in := range n.insts {
				if in.key.Family == fam {
					cfgs = append(cfgs, in.mc)
				}
			}
			any = any || len(cfgs) > 0
			sn := s.AddNode(n.spec.Name, cfgs...)
			for _, sg := range n.cfg.SyncGroups {
				vrids, ok := n.syncVRIDs(sg, fam)
				if !ok || len(vrids) == 0 {
					continue
				}
				// Cannot fail: lanProblems rules out a VRID twice on a
				// node, and the config loader a member in two groups.
				_ = sn.SyncGroup(vrids...)
			}
		}
		if any {
			w.sims[fam] = s
		}
	}
	return w
}

// syncVRIDs returns the VRIDs of sg's members on n that are of family
// fam; ok is false when sg mixes IPv4 and IPv6 members, which the plan
// cannot model (it simulates each family on its own).
func (n *node) syncVRIDs(sg *config.SyncGroup, fam vrrp.Family) (vrids []uint8, ok bool) {
	fams := map[vrrp.Family]bool{}
	for _, in := range n.insts {
		if !slices.Contains(sg.Members, in.ci.Name) {
			continue
		}
		fams[in.key.Family] = true
		if in.key.Family == fam {
			vrids = append(vrids, uint8(in.key.VRID))
		}
	}
	return vrids, len(fams) <= 1
}

func (w *world) at(d time.Duration, inj sim.Injection) {
	for _, s := range w.sims {
		s.At(d, inj)
	}
}

func (w *world) runUntil(d time.Duration) {
	for _, s := range w.sims {
		s.RunUntil(d)
	}
}

// start boots n at d with its trackers as failed says.
func (w *world) start(d time.Duration, n *node, failed failedFn) {
	w.at(d, sim.Start{Node: n.spec.Name})
	w.setTrackers(d, n, nil, failed, true)
}

// setTrackers moves n's instances from the tracker states of prev to
// those of next: the weight sum, and the fault causes on and off. fresh
// means the node has just started (no cause is set yet).
func (w *world) setTrackers(d time.Duration, n *node, prev, next failedFn, fresh bool) {
	for _, in := range n.insts {
		s := w.sims[in.key.Family]
		sum, _ := in.effect(next)
		if psum, _ := in.effect(prev); sum != psum || (fresh && sum != 0) {
			s.At(d, sim.Weights{Node: n.spec.Name, VRID: uint8(in.key.VRID), Sum: sum})
		}
		was, now := in.causes(prev), in.causes(next)
		if fresh {
			was = nil
		}
		for _, c := range now {
			if !slices.Contains(was, c) {
				s.At(d, sim.Fault{Node: n.spec.Name, VRID: uint8(in.key.VRID), Cause: c, On: true})
			}
		}
		for _, c := range was {
			if !slices.Contains(now, c) {
				s.At(d, sim.Fault{Node: n.spec.Name, VRID: uint8(in.key.VRID), Cause: c, On: false})
			}
		}
	}
}

// causes names the trackers that put in into FAULT.
func (in *inst) causes(failed failedFn) []string {
	var out []string
	for _, t := range in.trackers {
		s := track.StateUp
		if failed != nil && failed(t) {
			s = track.StateDown
		}
		if t.w.Effect(s).Fault {
			c := t.kind.String() + " " + t.name
			if !slices.Contains(out, c) {
				out = append(out, c)
			}
		}
	}
	return out
}

// holders returns the nodes that are master of g's VRID and configure vip.
func (w *world) holders(g *group, vip netip.Addr, masters []string) []string {
	var out []string
	for _, in := range g.insts {
		if slices.Contains(masters, in.node.spec.Name) && slices.Contains(in.vips(), vip) {
			out = append(out, in.node.spec.Name)
		}
	}
	return out
}

func (w *world) masters(g *group) []string {
	return w.sims[g.key.Family].Masters(uint8(g.key.VRID))
}

// lastChange returns when the holders of vip last changed within
// [from, to), and whether they did.
func (w *world) lastChange(g *group, vip netip.Addr, from, to time.Duration, initial []string) (time.Duration, bool) {
	var at time.Duration
	var changed bool
	cur := initial
	for _, mc := range w.sims[g.key.Family].MasterHistory() {
		if int(mc.VRID) != g.key.VRID || mc.At < from || mc.At >= to {
			continue
		}
		h := w.holders(g, vip, mc.Masters)
		if !slices.Equal(h, cur) {
			at, changed, cur = mc.At, true, h
		}
	}
	return at - from, changed
}

// settleTime is how long the slowest instance needs to settle after any
// change: (down_timer_adverts + 2) advert intervals, its preempt_delay and
// a second more.
func settleTime(nodes []*node) time.Duration {
	var d time.Duration
	for _, n := range nodes {
		for _, in := range n.insts {
			c := in.mc
			d = max(d, time.Duration(c.DownTimerAdverts+2)*c.AdvertInterval+c.PreemptDelay+time.Second)
		}
	}
	return d
}

// startOrders returns the orders to try: every permutation for up to three
// nodes, else the given order and its reverse; then all together (nil).
func startOrders(nodes []*node) [][]*node {
	var out [][]*node
	if len(nodes) <= 3 {
		out = permutations(nodes)
	} else {
		rev := slices.Clone(nodes)
		slices.Reverse(rev)
		out = [][]*node{slices.Clone(nodes), rev}
	}
	if len(nodes) > 1 {
		out = append(out, nil)
	}
	return out
}

func permutations(ns []*node) [][]*node {
	if len(ns) <= 1 {
		return [][]*node{slices.Clone(ns)}
	}
	var out [][]*node
	for i, first := range ns {
		rest := append(slices.Clone(ns[:i]), ns[i+1:]...)
		for _, p := range permutations(rest) {
			out = append(out, append([]*node{first}, p...))
		}
	}
	return out
}

func orderName(order []*node) string {
	if order == nil {
		return "together"
	}
	s := ""
	for i, n := range order {
		if i > 0 {
			s += ", "
		}
		s += n.spec.Name
	}
	if len(order) == 2 {
		return order[0].spec.Name + " first"
	}
	return s
}

// boot starts the nodes in order (together when order is nil), a settle
// time apart, and returns when the last one has settled.
func boot(w *world, all, order []*node, settle time.Duration) time.Duration {
	var t time.Duration
	if order == nil {
		for _, n := range all {
			w.start(0, n, nil)
		}
		return settle
	}
	for i, n := range order {
		if i > 0 {
			t += settle
		}
		w.start(t, n, nil)
	}
	return t + settle
}
