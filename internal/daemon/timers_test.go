package daemon

import (
	"io"
	"log/slog"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gokeepalived/gokeepalived/internal/instance"
	"github.com/gokeepalived/gokeepalived/internal/system/systemtest"
	"github.com/gokeepalived/gokeepalived/internal/vinst"
)

// timerDaemon returns a daemon whose loop runs vis (each in a unit of
// its own), with advert_int set to each machine's interval.
func timerDaemon(vis ...*vinst.Instance) *Daemon {
	d := &Daemon{log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	for _, vi := range vis {
		vi.Conf.AdvertInt = vi.M.Config().AdvertInterval
		d.units = append(d.units, vi.Unit)
	}
	return d
}

// secondMasters returns masters at 1 s sending on one recorded socket,
// VRID i+1 started offsets[i] from now.
func secondMasters(offsets ...time.Duration) (*systemtest.Conn, []*vinst.Instance) {
	c := systemtest.NewConn()
	ce := &vinst.Socket{Conn: c}
	start := time.Now()
	var vs []*vinst.Instance
	for i, off := range offsets {
		vs = append(vs, batchMaster(uint8(i+1), ce, start.Add(off), time.Second))
	}
	return c, vs
}

// TestFireTimersSharesLongIntervals: two masters at 1 s whose schedules
// are 10 ms apart share one wake-up (one WriteBatch) every round, and
// each keeps its own schedule exactly: its deadlines stay one interval
// apart, round after round.
func TestFireTimersSharesLongIntervals(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		c, vs := secondMasters(0, 10*time.Millisecond)
		v1, v2 := vs[0], vs[1]
		d := timerDaemon(v1, v2)
		c.Reset()
		due2 := v2.M.Deadline()
		for round := range 5 {
			d.armTimer()
			time.Sleep(d.loop.pass.Timers.Next().Sub(time.Now()))
			d.fireTimers(time.Now())
			if diff := cmp.Diff([]int{2}, c.Batches()); diff != "" {
				t.Fatalf("round %d: batches (-want +got):\n%s", round, diff)
			}
			c.Reset()
			due2 = due2.Add(time.Second)
			if got := v2.M.Deadline(); !got.Equal(due2) {
				t.Fatalf("round %d: VRID 2's next advert due %v after its first, want %v", round, got.Sub(start), due2.Sub(start))
			}
			if gap := v2.M.Deadline().Sub(v1.M.Deadline()); gap != 10*time.Millisecond {
				t.Fatalf("round %d: schedules %v apart, want 10ms", round, gap)
			}
		}
	})
}

// TestFireTimersLooksPastBackup: a backup inside the window is not served
// early, and does not stop a master behind it from joining the pass.
func TestFireTimersLooksPastBackup(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, vs := secondMasters(0, 0, 8*time.Millisecond)
		v1, v2, v3 := vs[0], vs[1], vs[2]
		// v2 is a backup whose Master_Down_Timer fires 2 ms after v1's
		// next advert is due.
		v2.M = instance.New(func() instance.Config {
			cfg := v2.M.Config()
			cfg.Priority = 100
			return cfg
		}())
		v2.M.Step(v1.M.Deadline().Add(2*time.Millisecond-backupDownOffset(v2)), instance.Startup{})
		d := timerDaemon(v1, v2, v3)
		c.Reset()
		if v2.M.State() != instance.Backup {
			t.Fatalf("VRID 2 is %v, want BACKUP", v2.M.State())
		}
		backupDue := v2.M.Deadline()
		d.armTimer()
		time.Sleep(v1.M.Deadline().Sub(time.Now()))
		d.fireTimers(time.Now())
		if diff := cmp.Diff([]uint8{1, 3}, vrids(t, c.Writes())); diff != "" {
			t.Errorf("adverts of the pass (-want +got):\n%s", diff)
		}
		if v2.M.State() != instance.Backup || !v2.M.Deadline().Equal(backupDue) {
			t.Errorf("backup was served early: %v, due %v, want BACKUP due %v", v2.M.State(), v2.M.Deadline(), backupDue)
		}
		if next := d.loop.pass.Timers.Next(); !next.Equal(backupDue) {
			t.Errorf("queue's next deadline %v, want the backup's %v", next, backupDue)
		}
	})
}

// backupDownOffset is how long after leaving FAULT vi's Master_Down_Timer
// fires.
func backupDownOffset(vi *vinst.Instance) time.Duration {
	cfg := vi.M.Config()
	return instance.MasterDownInterval(cfg.Version, cfg.DownTimerAdverts, 100, cfg.AdvertInterval)
}

// TestFireTimersAllocatesNothing: a timer pass that serves masters from
// the deadline queue and sends their adverts allocates nothing once its
// buffers have grown.
func TestFireTimersAllocatesNothing(t *testing.T) {
	c := &batchConn{}
	ce := &vinst.Socket{Conn: c}
	start := time.Now().Add(-time.Second)
	var vis []*vinst.Instance
	for i := range 20 {
		vi := batchMaster(uint8(1+i), ce, start, time.Millisecond)
		vi.SendTpl.Interval = 10 * time.Millisecond // the wire's shortest; the machine runs faster
		vis = append(vis, vi)
	}
	d := timerDaemon(vis...)
	pass := func() {
		c.n = 0
		d.armTimer()
		for time.Now().Before(d.loop.pass.Timers.Next()) {
		}
		d.fireTimers(time.Now())
	}
	for range 10 {
		pass()
	}
	if c.n == 0 {
		t.Fatal("a pass sent nothing")
	}
	if allocs := testing.AllocsPerRun(100, pass); allocs != 0 {
		t.Errorf("a timer pass allocates %.2f times, want 0", allocs)
	}
}

// countTimer is a LoopTimer that counts its re-arms.
type countTimer struct {
	resets []time.Duration
	c      chan struct{}
}

func (t *countTimer) C() <-chan struct{}          { return t.c }
func (t *countTimer) Reset(d time.Duration) error { t.resets = append(t.resets, d); return nil }
func (t *countTimer) Close() error                { return nil }

// TestArmTimerOnlyWhenMoved: loop events that leave the earliest deadline
// where it was (a received advert, a request) do not re-arm the timer (a
// system call each); a new earliest deadline does, and so does a timer
// that fired, even for the same deadline.
func TestArmTimerOnlyWhenMoved(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, vs := secondMasters(0, 300*time.Millisecond)
		d := timerDaemon(vs...)
		ct := &countTimer{c: make(chan struct{}, 1)}
		d.loop.timer = ct
		for range 3 {
			d.armTimer()
		}
		if len(ct.resets) != 1 {
			t.Fatalf("3 events, same deadline: %d re-arms, want 1", len(ct.resets))
		}
		time.Sleep(vs[0].M.Deadline().Sub(time.Now()))
		d.fireTimers(time.Now())
		d.armTimer()
		if len(ct.resets) != 2 || ct.resets[1] != 300*time.Millisecond {
			t.Fatalf("after VRID 1 sent: re-arms %v, want a second one for 300ms", ct.resets)
		}
		d.loop.armedAt = time.Time{} // as the loop does when C fires
		d.armTimer()
		if len(ct.resets) != 3 {
			t.Errorf("after the timer fired: %d re-arms, want 3", len(ct.resets))
		}
	})
}
