package sim

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/instance"
	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

const propertySeeds = 10_000

// world is a randomly built set of routers for one seed.
type world struct {
	rng   *rand.Rand
	iv    time.Duration
	v     vrrp.Version
	cfgs  []instance.Config
	names []string
	sums  []int // current tracker weight sum per node
	// downUntil is, per node, the latest (re)start scheduled so far:
	// weights sent to a node that is down are lost, and a restarted node
	// starts with none.
	downUntil []time.Duration
}

func newWorld(seed uint64, minNodes, maxNodes int, fast bool) *world {
	w := &world{rng: rand.New(rand.NewPCG(seed, 7))}
	n := minNodes + w.rng.IntN(maxNodes-minNodes+1)
	w.v = vrrp.V3
	w.iv = []time.Duration{10 * time.Millisecond, 100 * time.Millisecond, time.Second}[w.rng.IntN(3)]
	if w.rng.IntN(3) == 0 {
		w.v, w.iv = vrrp.V2, time.Second
	}
	used := map[int]bool{}
	for i := range n {
		p := 1 + w.rng.IntN(254)
		if i == 0 && w.rng.IntN(8) == 0 {
			p = 255
		}
		for used[p] {
			p = 1 + w.rng.IntN(254)
		}
		used[p] = true
		c := cfg(fmt.Sprintf("10.0.0.%d", i+1), uint8(p), w.v, w.iv)
		c.FastFailover = fast
		w.cfgs = append(w.cfgs, c)
		w.names = append(w.names, string(rune('A'+i)))
		w.sums = append(w.sums, 0)
		w.downUntil = append(w.downUntil, 0)
	}
	return w
}

func (w *world) sim(seed uint64, net Network) *Sim {
	s := New(seed, net)
	for i, c := range w.cfgs {
		s.AddNode(w.names[i], c)
	}
	return s
}

func effective(base uint8, sum int) int {
	if base == instance.OwnerPriority {
		return instance.OwnerPriority
	}
	return min(max(int(base)+sum, 1), 254)
}

// pickWeights returns a weight sum for node i at time at keeping effective
// priorities distinct, so that "the highest priority" names one router. It
// picks none while the node may be down, since the sum would then be lost.
func (w *world) pickWeights(i int, at time.Duration) (int, bool) {
	if at <= w.downUntil[i] {
		return 0, false
	}
	for range 20 {
		sum := w.rng.IntN(120) - 80
		e := effective(w.cfgs[i].Priority, sum)
		clash := false
		for j := range w.cfgs {
			if j != i && effective(w.cfgs[j].Priority, w.sums[j]) == e {
				clash = true
			}
		}
		if !clash {
			w.sums[i] = sum
			return sum, true
		}
	}
	return 0, false
}

// chaosNetwork is the lossy, duplicating, jittery LAN of the property
// runs.
func (w *world) chaosNetwork() Network {
	return Network{
		Delay: time.Duration(w.rng.Int64N(int64(w.iv / 20))), Jitter: time.Duration(w.rng.Int64N(int64(w.iv/10)) + 1),
		Loss: w.rng.Float64() * 0.3, Dup: w.rng.Float64() * 0.2,
	}
}

// chaosEvent is one random disruption: what kind (chaos decides what each
// kind means), when, and to which node.
type chaosEvent struct {
	at      time.Duration
	kind, i int
}

// chaos starts every node within two intervals, then schedules 4–11
// random disruptions before chaosEnd, in time order. Crashes (kind 0) and
// stops (kind 1) are followed by a restart, partitions (kinds 5 and 6) by a
// heal; other kinds go to other(e, name).
func (w *world) chaos(s *Sim, chaosEnd time.Duration, other func(e chaosEvent, name string)) {
	iv := w.iv
	for i, name := range w.names {
		w.downUntil[i] = time.Duration(w.rng.Int64N(int64(2 * iv)))
		s.At(w.downUntil[i], Start{name})
	}
	var evs []chaosEvent
	for range 4 + w.rng.IntN(8) {
		evs = append(evs, chaosEvent{time.Duration(w.rng.Int64N(int64(chaosEnd))), w.rng.IntN(7), w.rng.IntN(len(w.names))})
	}
	// Weights are picked in time order so effective priorities stay distinct.
	slices.SortStableFunc(evs, func(a, b chaosEvent) int { return int(a.at - b.at) })
	for _, e := range evs {
		at, name := e.at, w.names[e.i]
		switch e.kind {
		case 0, 1:
			if e.kind == 0 {
				s.At(at, Crash{name})
			} else {
				s.At(at, Stop{name})
			}
			restart := at + time.Duration(w.rng.Int64N(int64(5*iv)))
			s.At(restart, Start{name})
			w.sums[e.i], w.downUntil[e.i] = 0, max(w.downUntil[e.i], restart)
		case 5, 6:
			cut := 1 + w.rng.IntN(len(w.names)-1)
			perm := w.rng.Perm(len(w.names))
			var g1, g2 []string
			for k, p := range perm {
				if k < cut {
					g1 = append(g1, w.names[p])
				} else {
					g2 = append(g2, w.names[p])
				}
			}
			s.At(at, Partition{Groups: [][]string{g1, g2}})
			s.At(at+time.Duration(w.rng.Int64N(int64(8*iv))), Heal{})
		default:
			other(e, name)
		}
	}
}

// stabilise makes the network connected and lossless 14 intervals after
// chaosEnd (past every restart and heal) and returns that moment and the
// one, a Master_Down_Interval later, from which the election must hold.
func (w *world) stabilise(s *Sim, chaosEnd time.Duration) (stable, settle time.Duration) {
	stable = chaosEnd + 14*w.iv
	s.At(stable, Heal{})
	s.At(stable, SetNetwork{Network{Delay: w.iv / 100, Jitter: w.iv / 100}})
	mdi := instance.MasterDownInterval(w.v, 3, 1, w.iv)
	return stable, stable + mdi + w.iv/10 // + in-flight delivery
}

// wantMaster returns the live, unfaulted node with the highest (priority,
// address), or "" when none is.
func wantMaster(s *Sim, vrid uint8) string {
	best, bestPrio, bestAddr := "", -1, netip.Addr{}
	for _, n := range s.Nodes() {
		m := n.Machine(vrid)
		if m == nil || m.State() == instance.Fault || m.State() == instance.Stop {
			continue
		}
		p := int(m.EffectivePriority())
		if p > bestPrio || (p == bestPrio && m.Config().PrimaryAddr.Compare(bestAddr) > 0) {
			best, bestPrio, bestAddr = n.Name, p, m.Config().PrimaryAddr
		}
	}
	return best
}

var allowedReasons = map[string][]instance.Reason{
	"startup":  {instance.ReasonStartup},
	"timeout":  {instance.ReasonMasterDown, instance.ReasonPriorityZero, instance.ReasonPreempt},
	"advert":   {instance.ReasonHigherPriority},
	"shutdown": {instance.ReasonShutdown},
	"fault":    {instance.ReasonFault, instance.ReasonFaultCleared},
}

// checkCauses: every transition has a reason that fits the event that
// caused it, and each instance's transitions chain (From = previous To,
// INIT after a restart).
func checkCauses(t *testing.T, seed uint64, s *Sim) {
	t.Helper()
	last := map[string]instance.State{}
	for _, tr := range s.Transitions() {
		key := fmt.Sprintf("%s/%d", tr.Node, tr.VRID)
		verb, _, _ := strings.Cut(tr.Event, " ")
		if !slices.Contains(allowedReasons[verb], tr.Reason) {
			t.Fatalf("seed %d: %s at %s: transition %s caused by %q has no fitting cause", seed, key, tr.At, tr.Transition, tr.Event)
		}
		if p, ok := last[key]; ok && tr.From != p && tr.From != instance.Init {
			t.Fatalf("seed %d: %s at %s: transition %s does not follow %s", seed, key, tr.At, tr.Transition, p)
		}
		last[key] = tr.To
	}
}

// TestPropertyStableElection: after a random stretch of crashes, restarts,
// stops, weight changes, faults, partitions, loss and duplication, once the
// network has been stable for one Master_Down_Interval there is exactly
// one master, the live router with the highest (priority, address); and no
// transition is without a cause.
func TestPropertyStableElection(t *testing.T) {
	seeds := uint64(propertySeeds)
	if testing.Short() {
		seeds = 1000
	}
	for seed := range seeds {
		w := newWorld(seed, 2, 4, seed%2 == 0)
		s := w.sim(seed, w.chaosNetwork())
		chaosEnd := 30 * w.iv
		w.chaos(s, chaosEnd, func(e chaosEvent, name string) {
			switch e.kind {
			case 2, 3:
				if sum, ok := w.pickWeights(e.i, e.at); ok {
					s.At(e.at, Weights{Node: name, Sum: sum})
				}
			default:
				s.At(e.at, Fault{Node: name, Cause: "link", On: true})
				s.At(e.at+time.Duration(w.rng.Int64N(int64(5*w.iv))), Fault{Node: name, Cause: "link"})
			}
		})
		stable, settle := w.stabilise(s, chaosEnd)
		iv := w.iv
		s.RunUntil(settle)
		for k := range 10 {
			s.RunUntil(settle + time.Duration(k)*iv/3)
			want := wantMaster(s, 1)
			got := s.Masters(1)
			if (want == "" && len(got) != 0) || (want != "" && !slices.Equal(got, []string{want})) {
				t.Fatalf("seed %d at %s (stable since %s): masters %v, want [%s]\n%s", seed, s.Now(), stable, got, want, dump(s))
			}
		}
		checkCauses(t, seed, s)
	}
}

// TestPropertyPartitionHeal: after a partition heals there is one master
// within one advert interval plus skew (plus delivery), and the winner
// re-sends gratuitous ARP and re-notifies.
func TestPropertyPartitionHeal(t *testing.T) {
	seeds := uint64(propertySeeds)
	if testing.Short() {
		seeds = 1000
	}
	for seed := range seeds {
		w := newWorld(seed, 2, 4, true)
		iv := w.iv
		delay := iv / 200
		s := w.sim(seed, Network{Delay: delay, Jitter: delay})
		for _, name := range w.names {
			s.At(0, Start{name})
		}
		perm := w.rng.Perm(len(w.names))
		cut := 1 + w.rng.IntN(len(w.names)-1)
		var g1, g2 []string
		for k, p := range perm {
			if k < cut {
				g1 = append(g1, w.names[p])
			} else {
				g2 = append(g2, w.names[p])
			}
		}
		s.At(iv, Partition{Groups: [][]string{g1, g2}})
		heal := 10*iv + time.Duration(w.rng.Int64N(int64(iv)))
		s.At(heal, Heal{})
		s.RunUntil(heal - 1)
		if got := s.Masters(1); len(got) != 2 {
			t.Fatalf("seed %d: before heal masters %v, want one per side", seed, got)
		}
		want := wantMaster(s, 1)
		skew := instance.Skew(w.v, s.Node(want).Machine(1).EffectivePriority(), iv)
		s.RunUntil(heal + iv + skew + 3*delay)
		if got := s.Masters(1); !slices.Equal(got, []string{want}) {
			t.Fatalf("seed %d: %s after heal masters %v, want [%s]\n%s", seed, s.Now()-heal, got, want, dump(s))
		}
		var garp, notify bool
		for _, r := range s.Records() {
			if r.At < heal || r.Node != want {
				continue
			}
			switch r.Action.(type) {
			case instance.SendGratuitous:
				garp = true
			case instance.MasterRxLowerPriority:
				notify = true
			}
		}
		if !garp || !notify {
			t.Fatalf("seed %d: winner %s after heal: gratuitous %v, re-notify %v\n%s", seed, want, garp, notify, dump(s))
		}
		checkCauses(t, seed, s)
	}
}

// TestPropertyFastFailoverNoExtraTransitions: with three or more routers,
// fast failover makes the same number of transitions as keepalived timing
// when the master's priority drops (to any value) and later recovers.
func TestPropertyFastFailoverNoExtraTransitions(t *testing.T) {
	seeds := uint64(propertySeeds / 5)
	var faster int
	for seed := range seeds {
		counts := [2]int{}
		var took [2]time.Duration
		for k, fast := range []bool{false, true} {
			w := newWorld(seed, 3, 5, fast)
			iv := w.iv
			// Delays well under the smallest skew difference (iv/256).
			s := w.sim(seed, Network{Delay: iv / 4096, Jitter: iv / 4096})
			for _, name := range w.names {
				s.At(0, Start{name})
			}
			s.RunUntil(10 * iv)
			first := s.Masters(1)[0]
			i := slices.Index(w.names, first)
			drop := 10*iv + time.Duration(w.rng.Int64N(int64(iv)))
			sum, ok := w.pickWeights(i, drop)
			if !ok {
				break
			}
			s.At(drop, Weights{Node: first, Sum: sum})
			s.At(30*iv, Weights{Node: first, Sum: 0})
			s.RunUntil(50 * iv)
			counts[k] = len(s.Transitions())
			for _, tr := range s.Transitions() {
				if tr.At > drop && tr.To == instance.Master {
					took[k] = tr.At - drop
					break
				}
			}
			checkCauses(t, seed, s)
		}
		if counts[0] != counts[1] {
			t.Fatalf("seed %d: %d transitions with fast failover, %d without", seed, counts[1], counts[0])
		}
		if took[1] < took[0] {
			faster++
		}
	}
	t.Logf("fast failover took over sooner in %d of %d seeds", faster, seeds)
}

func dump(s *Sim) string {
	var b strings.Builder
	for _, r := range s.Records() {
		if a, ok := r.Action.(instance.SendAdvert); ok && a.Priority != 0 {
			continue
		}
		fmt.Fprintf(&b, "  %12s %s/%d %s", r.At, r.Node, r.VRID, r.Event)
		if r.Action != nil {
			fmt.Fprintf(&b, " -> %s", r.Action)
		}
		b.WriteString("\n")
	}
	return b.String()
}
