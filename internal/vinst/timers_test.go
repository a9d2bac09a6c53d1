package vinst

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/instance"
	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

// testUnits returns n units of fresh machines (every third a sync group
// of two), each with its own priority and interval.
func testUnits(r *rand.Rand, n int) []*Unit {
	var us []*Unit
	vrid := 0
	member := func() *Instance {
		vrid++
		cfg := instance.DefaultConfig()
		cfg.VRID = uint8(vrid)
		cfg.Priority = uint8(1 + r.IntN(254))
		cfg.PrimaryAddr = netip.AddrFrom4([4]byte{10, 0, 0, byte(vrid)})
		cfg.AdvertInterval = time.Duration(1+r.IntN(100)) * time.Millisecond
		return &Instance{Conf: &config.Instance{Name: fmt.Sprint("V", vrid), AdvertInt: cfg.AdvertInterval}, M: instance.New(cfg)}
	}
	for i := range n {
		if i%3 == 2 {
			us = append(us, NewUnit(fmt.Sprint("G", i), []*Instance{member(), member()}))
			continue
		}
		us = append(us, NewUnit("", []*Instance{member()}))
	}
	return us
}

// scanNext is the first unit of us with the earliest deadline, and that
// deadline, found by visiting each: what the queue replaces.
func scanNext(us []*Unit) (*Unit, time.Time) {
	var first *Unit
	var next time.Time
	for _, u := range us {
		if dl := u.Deadline(); !dl.IsZero() && (next.IsZero() || dl.Before(next)) {
			first, next = u, dl
		}
	}
	return first, next
}

// randomEvent is one event a running daemon could feed a member.
func randomEvent(r *rand.Rand, u *Unit) instance.Event {
	switch r.IntN(9) {
	case 0:
		return instance.Startup{}
	case 1:
		return instance.Shutdown{}
	case 2, 3:
		return instance.Timeout{}
	case 4:
		return instance.FaultOn{Cause: "if"}
	case 5:
		return instance.FaultOff{Cause: "if"}
	case 6:
		return instance.TrackerWeights{Sum: r.IntN(60) - 30}
	default:
		m := u.Members[0].M
		return instance.AdvertReceived{From: netip.AddrFrom4([4]byte{10, 0, 1, byte(r.IntN(4))}),
			Advert: vrrp.Advertisement{Version: vrrp.V3, VRID: m.Config().VRID, Priority: uint8(r.IntN(256)),
				Interval: m.Config().AdvertInterval}}
	}
}

// TestTimersNextMatchesScan: over random sequences of steps, set changes
// (start, reload, stop) and Hold/Restore, the queue's earliest deadline
// is always the one a scan of every unit finds, and its top is a unit
// with that deadline.
func TestTimersNextMatchesScan(t *testing.T) {
	for seed := range uint64(300) {
		r := rand.New(rand.NewPCG(seed, 17))
		all := testUnits(r, 1+r.IntN(12))
		live := append([]*Unit(nil), all[:1+r.IntN(len(all))]...)
		var q Timers
		q.Sync(live)
		now := time.Unix(1000, 0)
		for step := range 400 {
			switch k := r.IntN(20); {
			case k == 0: // a reload: a new slice of some units
				live = nil
				for _, u := range all {
					if r.IntN(3) > 0 {
						live = append(live, u)
					}
				}
			case k == 1: // a start appends a unit not running
				for _, u := range all {
					if !slices.Contains(live, u) {
						live = append(live, u)
						break
					}
				}
			case k == 2: // stopped
				live = nil
			case k == 3 && q.Len() > 0:
				q.Hold()
				q.Restore()
			default:
				if len(live) == 0 {
					break
				}
				if nx := q.Next(); !nx.IsZero() && r.IntN(2) == 0 {
					now = nx // served at its deadline
				} else {
					now = now.Add(time.Duration(r.IntN(50)) * time.Millisecond)
				}
				// Units outside the set are stepped too (a stopping unit
				// is shut down before the set changes): they must not
				// disturb the queue.
				u := all[r.IntN(len(all))]
				u.Step(now, r.IntN(len(u.Members)), randomEvent(r, u))
			}
			q.Sync(live)
			wantU, want := scanNext(live)
			if got := q.Next(); !got.Equal(want) {
				t.Fatalf("seed %d step %d: queue's next deadline %v, scan's %v", seed, step, got, want)
			}
			if u, at := q.Peek(); u != nil && !u.Deadline().Equal(at) {
				t.Fatalf("seed %d step %d: top unit's deadline %v, queued at %v", seed, step, u.Deadline(), at)
			} else if wantU != nil && u != wantU {
				t.Fatalf("seed %d step %d: top unit %s, scan's first due %s", seed, step, u.Members[0].Conf.Name, wantU.Members[0].Conf.Name)
			}
		}
	}
}

// TestTimersHoldLooksPast: Hold takes the earliest unit out so the next
// one can be seen; Restore puts it back in its place.
func TestTimersHoldLooksPast(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	us := testUnits(r, 4)
	now := time.Unix(1000, 0)
	for i, u := range us {
		u.Step(now.Add(time.Duration(i)*time.Millisecond), 0, instance.Startup{})
	}
	var q Timers
	q.Sync(us)
	first, at := q.Peek()
	q.Hold()
	second, at2 := q.Peek()
	if second == first || at2.Before(at) {
		t.Fatalf("after Hold the top is %v at %v, want another unit at or after %v", second.Members[0].Conf.Name, at2, at)
	}
	q.Restore()
	if u, _ := q.Peek(); u != first || q.Len() != len(us) {
		t.Errorf("after Restore the top is %s of %d, want %s of %d", u.Members[0].Conf.Name, q.Len(), first.Members[0].Conf.Name, len(us))
	}
}

// TestTimersAllocateNothing: stepping units through their timers and
// serving them from the queue allocates nothing once it has grown.
func TestTimersAllocateNothing(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	us := testUnits(r, 50)
	now := time.Unix(1000, 0)
	for _, u := range us {
		for i := range u.Members {
			u.Step(now, i, instance.Startup{})
		}
	}
	var q Timers
	q.Sync(us)
	pass := func() {
		u, at := q.Peek()
		now = at
		u.Step(now, -1, instance.Timeout{})
		q.Sync(us)
		if q.Len() > 1 {
			q.Hold()
			q.Restore()
		}
	}
	for range 1000 { // every unit master, GARPs done
		pass()
	}
	if allocs := testing.AllocsPerRun(1000, pass); allocs != 0 {
		t.Errorf("a timer pass allocates %.2f times, want 0", allocs)
	}
}
