package sim

import (
	"container/heap"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/instance"
	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

// Network is the behaviour of the simulated LAN.
type Network struct {
	// Delay is the fixed one-way delay; Jitter adds a uniform random
	// [0, Jitter) on top, which reorders packets.
	Delay, Jitter time.Duration
	// Loss and Dup are the probabilities of dropping and of duplicating
	// one delivery.
	Loss, Dup float64
}

// Node is one simulated router: one machine per configured instance.
type Node struct {
	Name  string
	cfgs  []instance.Config
	ms    []*instance.Machine
	up    bool
	index int
	// syncs are the sync groups as indexes into cfgs; grps are their
	// instance.Groups over the running machines (rebuilt on each start);
	// grpOf and memberOf map a machine index to its group and its index
	// in the group (-1: in none).
	syncs    [][]int
	grps     []*instance.Group
	grpOf    []int
	memberOf []int
}

// Up reports whether the node is running.
func (n *Node) Up() bool { return n.up }

// Machine returns the node's machine for vrid, or nil when down or absent.
func (n *Node) Machine(vrid uint8) *instance.Machine {
	for i, c := range n.cfgs {
		if c.VRID == vrid && n.up {
			return n.ms[i]
		}
	}
	return nil
}

// SyncGroup makes the node's instances with the given VRIDs a sync group
// (keepalived's vrrp_sync_group): from the node's next start, their events
// go through one instance.Group, so they move between MASTER, BACKUP and
// FAULT together. It fails when a VRID is not configured on the node or
// already in a group.
func (n *Node) SyncGroup(vrids ...uint8) error {
	var idx []int
	for _, v := range vrids {
		i := slices.IndexFunc(n.cfgs, func(c instance.Config) bool { return c.VRID == v })
		switch {
		case i < 0:
			return fmt.Errorf("sim: node %s has no VRID %d", n.Name, v)
		case slices.Contains(idx, i):
			return fmt.Errorf("sim: VRID %d is listed twice", v)
		}
		for _, g := range n.syncs {
			if slices.Contains(g, i) {
				return fmt.Errorf("sim: VRID %d of node %s is already in a sync group", v, n.Name)
			}
		}
		idx = append(idx, i)
	}
	if len(idx) > 0 {
		n.syncs = append(n.syncs, idx)
	}
	return nil
}

// SyncGroups returns the node's sync groups, each as its members' VRIDs.
func (n *Node) SyncGroups() [][]uint8 {
	var out [][]uint8
	for _, g := range n.syncs {
		var vs []uint8
		for _, i := range g {
			vs = append(vs, n.cfgs[i].VRID)
		}
		out = append(out, vs)
	}
	return out
}

// Record is one action a machine took, or an injected change (Node "*").
type Record struct {
	At     time.Duration
	Node   string
	VRID   uint8
	Event  string
	Action instance.Action // nil for injections
}

// TransitionRecord is one state change of one instance.
type TransitionRecord struct {
	At   time.Duration
	Node string
	VRID uint8
	instance.Transition
	// Event is the event that caused it.
	Event string
}

// MasterChange says that from At, Masters (sorted) are the masters of VRID.
type MasterChange struct {
	At      time.Duration
	VRID    uint8
	Masters []string
}

// Sim is a simulated LAN of nodes in virtual time.
type Sim struct {
	Net     Network
	start   time.Time
	now     time.Time
	rng     *rand.Rand
	nodes   []*Node
	q       queue
	seq     uint64
	part    map[string]int
	records []Record
	trans   []TransitionRecord
	masters []MasterChange
	cur     map[uint8][]string
	// Steps counts Machine.Step and Group.Step calls.
	Steps int
}

// New returns an empty simulation whose randomness comes from seed.
func New(seed uint64, net Network) *Sim {
	start := time.Unix(1_000_000, 0).UTC()
	return &Sim{
		Net: net, start: start, now: start,
		rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		cur: map[uint8][]string{},
	}
}

// AddNode adds a stopped node running cfgs (one per VRID); Start it with
// an injection or StartAll.
func (s *Sim) AddNode(name string, cfgs ...instance.Config) *Node {
	n := &Node{Name: name, cfgs: cfgs, index: len(s.nodes)}
	s.nodes = append(s.nodes, n)
	return n
}

// Node returns the node called name, or nil.
func (s *Sim) Node(name string) *Node {
	for _, n := range s.nodes {
		if n.Name == name {
			return n
		}
	}
	return nil
}

// Nodes returns every node in the order added.
func (s *Sim) Nodes() []*Node { return s.nodes }

// Now returns the virtual time since the start.
func (s *Sim) Now() time.Duration { return s.now.Sub(s.start) }

// Records returns every action and injection so far.
func (s *Sim) Records() []Record { return s.records }

// Transitions returns every transition so far.
func (s *Sim) Transitions() []TransitionRecord { return s.trans }

// MasterHistory returns each change of the set of masters, for all VRIDs.
func (s *Sim) MasterHistory() []MasterChange { return s.masters }

// Masters returns the nodes that are MASTER of vrid now, sorted.
func (s *Sim) Masters(vrid uint8) []string {
	var out []string
	for _, n := range s.nodes {
		if m := n.Machine(vrid); m != nil && m.State() == instance.Master {
			out = append(out, n.Name)
		}
	}
	slices.Sort(out)
	return out
}

// At schedules inj at virtual time d (from the start).
func (s *Sim) At(d time.Duration, inj Injection) {
	s.push(item{at: s.start.Add(d), inj: inj})
}

// RunUntil processes everything due up to and including virtual time d.
func (s *Sim) RunUntil(d time.Duration) {
	end := s.start.Add(d)
	for {
		dl, node, mi := s.nextDeadline()
		var head *item
		if len(s.q) > 0 {
			head = &s.q[0]
		}
		switch {
		case node != nil && !dl.After(end) && (head == nil || !head.at.Before(dl)):
			s.now = dl
			s.step(node, mi, instance.Timeout{})
		case head != nil && !head.at.After(end):
			it := heap.Pop(&s.q).(item)
			s.now = it.at
			s.handle(it)
		default:
			if end.After(s.now) {
				s.now = end
			}
			return
		}
	}
}

func (s *Sim) nextDeadline() (time.Time, *Node, int) {
	var best time.Time
	var bn *Node
	bi := -1
	for _, n := range s.nodes {
		if !n.up {
			continue
		}
		for i, m := range n.ms {
			d := m.Deadline()
			if !d.IsZero() && (bn == nil || d.Before(best)) {
				best, bn, bi = d, n, i
			}
		}
	}
	return best, bn, bi
}

func (s *Sim) handle(it item) {
	if it.inj != nil {
		s.records = append(s.records, Record{At: s.Now(), Node: "*", Event: it.inj.String()})
		it.inj.apply(s)
		return
	}
	n := s.nodes[it.to]
	if !n.up || !s.connected(s.nodes[it.from], n) || it.mi >= len(n.ms) {
		return
	}
	s.step(n, it.mi, instance.AdvertReceived{From: it.src, Advert: it.adv})
}

// step feeds ev to machine mi of n, through its sync group when it is in
// one (then every member may act; a Timeout steps every due member).
func (s *Sim) step(n *Node, mi int, ev instance.Event) {
	s.Steps++
	if g := n.grpOf[mi]; g >= 0 {
		for _, ma := range n.grps[g].Step(s.now, n.memberOf[mi], ev) {
			s.act(n, n.syncs[g][ma.Member], ev, ma.Action)
		}
		return
	}
	for _, a := range n.ms[mi].Step(s.now, ev) {
		s.act(n, mi, ev, a)
	}
}

// act records and carries out one action of machine mi of n.
func (s *Sim) act(n *Node, mi int, ev instance.Event, a instance.Action) {
	vrid := n.cfgs[mi].VRID
	s.records = append(s.records, Record{At: s.Now(), Node: n.Name, VRID: vrid, Event: ev.String(), Action: a})
	switch a := a.(type) {
	case instance.SendAdvert:
		s.broadcast(n, mi, a)
	case instance.Notify:
		s.trans = append(s.trans, TransitionRecord{At: s.Now(), Node: n.Name, VRID: vrid, Transition: a.Transition, Event: ev.String()})
		s.noteMasters(vrid)
	}
}

func (s *Sim) noteMasters(vrid uint8) {
	now := s.Masters(vrid)
	if slices.Equal(now, s.cur[vrid]) {
		return
	}
	s.cur[vrid] = now
	s.masters = append(s.masters, MasterChange{At: s.Now(), VRID: vrid, Masters: now})
}

func (s *Sim) broadcast(from *Node, mi int, a instance.SendAdvert) {
	cfg := from.cfgs[mi]
	adv := vrrp.Advertisement{Version: cfg.Version, VRID: cfg.VRID, Priority: a.Priority, Interval: a.Interval}
	for _, to := range s.nodes {
		if to == from || !to.up || !s.connected(from, to) {
			continue
		}
		for j, c := range to.cfgs {
			if c.VRID != cfg.VRID || c.PrimaryAddr.Is4() != cfg.PrimaryAddr.Is4() {
				continue
			}
			copies := 1
			if s.Net.Dup > 0 && s.rng.Float64() < s.Net.Dup {
				copies = 2
			}
			for range copies {
				if s.Net.Loss > 0 && s.rng.Float64() < s.Net.Loss {
					continue
				}
				d := s.Net.Delay
				if s.Net.Jitter > 0 {
					d += time.Duration(s.rng.Int64N(int64(s.Net.Jitter)))
				}
				s.push(item{at: s.now.Add(d), from: from.index, to: to.index, mi: j, src: cfg.PrimaryAddr, adv: adv})
			}
		}
	}
}

func (s *Sim) connected(a, b *Node) bool {
	return s.part == nil || s.part[a.Name] == s.part[b.Name]
}

func (s *Sim) start1(n *Node) {
	if n.up {
		return
	}
	n.up = true
	n.ms = n.ms[:0]
	for _, c := range n.cfgs {
		n.ms = append(n.ms, instance.New(c))
	}
	n.grps = n.grps[:0]
	n.grpOf, n.memberOf = slices.Repeat([]int{-1}, len(n.ms)), slices.Repeat([]int{-1}, len(n.ms))
	for g, idx := range n.syncs {
		members := make([]*instance.Machine, len(idx))
		for k, i := range idx {
			members[k] = n.ms[i]
			n.grpOf[i], n.memberOf[i] = g, k
		}
		n.grps = append(n.grps, instance.NewGroup(members...))
	}
	for i := range n.ms {
		s.step(n, i, instance.Startup{})
	}
}

func (s *Sim) nodeOrPanic(name string) *Node {
	n := s.Node(name)
	if n == nil {
		panic(fmt.Sprintf("sim: no node %q", name))
	}
	return n
}

// item is a queued delivery or injection.
type item struct {
	at       time.Time
	seq      uint64
	inj      Injection
	from, to int
	mi       int
	src      netip.Addr
	adv      vrrp.Advertisement
}

type queue []item

func (q queue) Len() int { return len(q) }
func (q queue) Less(i, j int) bool {
	if !q[i].at.Equal(q[j].at) {
		return q[i].at.Before(q[j].at)
	}
	return q[i].seq < q[j].seq
}
func (q queue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *queue) Push(x any)   { *q = append(*q, x.(item)) }
func (q *queue) Pop() any {
	old := *q
	it := old[len(old)-1]
	*q = old[:len(old)-1]
	return it
}

func (s *Sim) push(it item) {
	s.seq++
	it.seq = s.seq
	heap.Push(&s.q, it)
}
