package sim

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/instance"
)

// syncWorld is w with a second instance (VRID 2, same priority) on every
// node, and VRIDs 1 and 2 in one sync group on every node.
func (w *world) syncSim(seed uint64, net Network) *Sim {
	s := New(seed, net)
	for i, c := range w.cfgs {
		c2 := c
		c2.VRID = 2
		n := s.AddNode(w.names[i], c, c2)
		if err := n.SyncGroup(1, 2); err != nil {
			panic(err)
		}
	}
	return s
}

// checkSyncCauses is checkCauses allowing any event to move a member
// through its sync group.
func checkSyncCauses(t *testing.T, seed uint64, s *Sim) {
	t.Helper()
	last := map[string]instance.State{}
	for _, tr := range s.Transitions() {
		key := fmt.Sprintf("%s/%d", tr.Node, tr.VRID)
		verb, _, _ := strings.Cut(tr.Event, " ")
		if tr.Reason != instance.ReasonSyncGroup && !slices.Contains(allowedReasons[verb], tr.Reason) {
			t.Fatalf("seed %d: %s at %s: transition %s caused by %q has no fitting cause", seed, key, tr.At, tr.Transition, tr.Event)
		}
		if p, ok := last[key]; ok && tr.From != p && tr.From != instance.Init {
			t.Fatalf("seed %d: %s at %s: transition %s does not follow %s", seed, key, tr.At, tr.Transition, p)
		}
		last[key] = tr.To
	}
}

// TestPropertySyncGroup: every node has VRIDs 1 and 2 in one sync group,
// with one priority for both. After a random stretch of crashes, restarts,
// stops, weight changes, faults on one member (in half the seeds one of
// them lasting), partitions, loss and duplication, once the network has been stable for one
// Master_Down_Interval the members of each node are never split (both
// MASTER, both BACKUP or both FAULT), and each VRID has exactly one master,
// the live router with the highest (priority, address).
func TestPropertySyncGroup(t *testing.T) {
	seeds := uint64(propertySeeds / 5)
	if testing.Short() {
		seeds = 500
	}
	for seed := range seeds {
		w := newWorld(seed, 2, 4, seed%2 == 0)
		iv := w.iv
		s := w.syncSim(seed, w.chaosNetwork())
		chaosEnd := 30 * iv
		w.chaos(s, chaosEnd, func(e chaosEvent, name string) {
			switch e.kind {
			case 2:
				if sum, ok := w.pickWeights(e.i, e.at); ok {
					s.At(e.at, Weights{Node: name, Sum: sum})
				}
			default:
				vrid := uint8(1 + w.rng.IntN(2))
				s.At(e.at, Fault{Node: name, VRID: vrid, Cause: "link", On: true})
				s.At(e.at+time.Duration(w.rng.Int64N(int64(5*iv))), Fault{Node: name, VRID: vrid, Cause: "link"})
			}
		})
		// In half the seeds one member of one node keeps a fault to the
		// end (set once every restart is done), which must hold the
		// whole group out.
		if seed%2 == 1 {
			s.At(chaosEnd+6*iv, Fault{Node: w.names[w.rng.IntN(len(w.names))], VRID: uint8(1 + w.rng.IntN(2)), Cause: "lasting", On: true})
		}
		stable, settle := w.stabilise(s, chaosEnd)
		s.RunUntil(settle)
		for k := range 10 {
			s.RunUntil(settle + time.Duration(k)*iv/3)
			for _, n := range s.Nodes() {
				m1, m2 := n.Machine(1), n.Machine(2)
				if m1 != nil && m1.State() != m2.State() {
					t.Fatalf("seed %d at %s (stable since %s): %s's group is split: VRID 1 %s, VRID 2 %s\n%s", seed, s.Now(), stable, n.Name, m1.State(), m2.State(), dump(s))
				}
			}
			for _, vrid := range []uint8{1, 2} {
				want := wantMaster(s, vrid)
				got := s.Masters(vrid)
				if (want == "" && len(got) != 0) || (want != "" && !slices.Equal(got, []string{want})) {
					t.Fatalf("seed %d at %s (stable since %s): VRID %d masters %v, want [%s]\n%s", seed, s.Now(), stable, vrid, got, want, dump(s))
				}
			}
		}
		checkSyncCauses(t, seed, s)
	}
}

// TestSyncGroupRestart: a node's groups are rebuilt over its new machines
// on every start, so a restarted node's members still move together.
func TestSyncGroupRestart(t *testing.T) {
	s := New(1, Network{Delay: time.Millisecond})
	for i, name := range []string{"A", "B"} {
		a := cfg(fmt.Sprintf("10.0.0.%d", i+1), uint8(200-50*i), 3, time.Second)
		b := a
		b.VRID = 2
		if err := s.AddNode(name, a, b).SyncGroup(1, 2); err != nil {
			t.Fatal(err)
		}
	}
	s.At(0, Start{"A"})
	s.At(0, Start{"B"})
	s.At(10*time.Second, Crash{"A"})
	s.At(20*time.Second, Start{"A"})
	s.At(30*time.Second, Fault{Node: "A", VRID: 2, Cause: "link", On: true})
	s.RunUntil(40 * time.Second)
	for _, vrid := range []uint8{1, 2} {
		if got := s.Masters(vrid); !slices.Equal(got, []string{"B"}) {
			t.Errorf("VRID %d: masters %v after A's VRID 2 faulted, want [B]\n%s", vrid, got, dump(s))
		}
	}
	if st := s.Node("A").Machine(1).State(); st != instance.Fault {
		t.Errorf("A's VRID 1 is %s, want FAULT through the group", st)
	}
	if got := s.Node("A").SyncGroups(); !slices.EqualFunc(got, [][]uint8{{1, 2}}, slices.Equal) {
		t.Errorf("SyncGroups() = %v, want [[1 2]]", got)
	}
}
