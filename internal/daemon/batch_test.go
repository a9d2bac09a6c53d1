package daemon

import (
	"errors"
	"io"
	"log/slog"
	"net/netip"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/instance"
	"github.com/gokeepalived/gokeepalived/internal/system"
	"github.com/gokeepalived/gokeepalived/internal/system/systemtest"
	"github.com/gokeepalived/gokeepalived/internal/vinst"
	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

// batchMaster returns an address owner started at start and master since
// its Master_Down_Timer fired, sending on ce, in a unit of its own.
func batchMaster(vrid uint8, ce *vinst.Socket, start time.Time, interval time.Duration) *vinst.Instance {
	group := netip.MustParseAddr("224.0.0.18")
	cfg := instance.DefaultConfig()
	cfg.VRID, cfg.Priority, cfg.PrimaryAddr, cfg.AdvertInterval = vrid, instance.OwnerPriority, netip.MustParseAddr("10.0.0.1"), interval
	cfg.GARP.MasterDelay = 0
	m := instance.New(cfg)
	m.Step(start, instance.Startup{})
	m.Step(m.Deadline(), instance.Timeout{})
	vi := &vinst.Instance{Conf: &config.Instance{Name: "V"}, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), M: m,
		Fam: vrrp.IPv4, Conn: ce, Src: cfg.PrimaryAddr, Group: group}
	vi.GroupDst[0] = group
	vi.SendTpl = vrrp.Advertisement{Version: vrrp.V3, VRID: vrid, Priority: 255, Interval: interval}
	vinst.NewUnit("", []*vinst.Instance{vi})
	return vi
}

// vrids returns the VRID of each advert written on c.
func vrids(t *testing.T, ms []system.Message) []uint8 {
	t.Helper()
	var out []uint8
	for _, m := range ms {
		a, err := vrrp.ParseAdvertisement(m.Payload, vrrp.IPv4)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, a.VRID)
	}
	return out
}

// TestFireTimersBatches: masters due together — or within batchSlack of
// the first — are served in one pass, their adverts written with one
// WriteBatch per socket; one due later is not pulled in, and one served
// early keeps its own schedule (its next advert one interval after it was
// due, not after it was sent).
func TestFireTimersBatches(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const interval = 10 * time.Millisecond
		a, b := systemtest.NewConn(), systemtest.NewConn()
		ceA, ceB := &vinst.Socket{Conn: a}, &vinst.Socket{Conn: b}
		start := time.Now()
		v1 := batchMaster(1, ceA, start, interval)
		v2 := batchMaster(2, ceA, start.Add(200*time.Microsecond), interval) // within the slack
		v3 := batchMaster(3, ceB, start, interval)                           // other socket
		v4 := batchMaster(4, ceB, start.Add(100*time.Microsecond), interval)
		v5 := batchMaster(5, ceA, start.Add(2*time.Millisecond), interval) // not within it
		d := &Daemon{log: slog.New(slog.NewTextHandler(io.Discard, nil))}
		for _, vi := range []*vinst.Instance{v1, v2, v3, v4, v5} {
			d.units = append(d.units, vi.Unit)
		}
		a.Reset()
		b.Reset()
		if v1.M.State() != instance.Master {
			t.Fatalf("VRID 1 is %v, want MASTER", v1.M.State())
		}

		time.Sleep(v1.M.Deadline().Sub(time.Now())) // v1 and v3 due
		d.fireTimers(time.Now())
		if diff := cmp.Diff([]int{2}, a.Batches()); diff != "" {
			t.Errorf("batches on a (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]uint8{1, 2}, vrids(t, a.Writes())); diff != "" {
			t.Errorf("adverts on a (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]uint8{3, 4}, vrids(t, b.Writes())); diff != "" {
			t.Errorf("adverts on b (-want +got):\n%s", diff)
		}
		if want := v1.M.Deadline().Add(200 * time.Microsecond); !v2.M.Deadline().Equal(want) {
			t.Errorf("served early, next deadline %v after VRID 1's, want 200µs", v2.M.Deadline().Sub(v1.M.Deadline()))
		}
		for _, vi := range []*vinst.Instance{v1, v2, v3, v4} {
			if vi.Stats.AdvertSent != 1 {
				t.Errorf("VRID %d: advert_sent %d, want 1", vi.SendTpl.VRID, vi.Stats.AdvertSent)
			}
		}

		a.Reset()
		time.Sleep(2 * time.Millisecond)
		d.fireTimers(time.Now())
		if got := a.Batches(); len(got) != 0 {
			t.Errorf("a lone advert went out in batches %v, want a plain Write", got)
		}
		if diff := cmp.Diff([]uint8{5}, vrids(t, a.Writes())); diff != "" {
			t.Errorf("adverts on a (-want +got):\n%s", diff)
		}
	})
}

// TestFlushAdvertsError: a message that fails in a batch is logged and
// not counted; the rest of the batch still goes out and is counted.
func TestFlushAdvertsError(t *testing.T) {
	a := systemtest.NewConn()
	ce := &vinst.Socket{Conn: a}
	start := time.Now()
	vs := []*vinst.Instance{batchMaster(1, ce, start, time.Second), batchMaster(2, ce, start, time.Second), batchMaster(3, ce, start, time.Second)}
	a.Reset()
	a.Fail("Write", nil, errors.New("ENOBUFS"))
	d := &Daemon{}
	d.loop.pass.Tx.Begin()
	for _, vi := range vs {
		d.sendAdvert(vi, 100)
	}
	if n := len(a.Writes()); n != 0 {
		t.Fatalf("%d adverts written before the flush, want 0", n)
	}
	d.loop.pass.Tx.Flush()
	var sent []uint64
	for _, vi := range vs {
		sent = append(sent, vi.Stats.AdvertSent)
	}
	if diff := cmp.Diff([]uint64{1, 0, 1}, sent); diff != "" {
		t.Errorf("advert_sent (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int{3}, a.Batches()); diff != "" {
		t.Errorf("batches (-want +got):\n%s", diff)
	}
}

// batchConn is recConn with a WriteBatch that records without allocating.
type batchConn struct {
	recConn
	batches int
}

func (c *batchConn) WriteBatch(ms []system.Message) (int, error) {
	c.batches++
	for _, m := range ms {
		c.Write(m)
	}
	return len(ms), nil
}

// TestBatchAllocatesNothing: queuing and flushing a pass of adverts
// allocates nothing once the batch's buffers have grown.
func TestBatchAllocatesNothing(t *testing.T) {
	c := &batchConn{}
	ce := &vinst.Socket{Conn: c}
	start := time.Now()
	vs := []*vinst.Instance{batchMaster(1, ce, start, time.Second), batchMaster(2, ce, start, time.Second), batchMaster(3, ce, start, time.Second)}
	d := &Daemon{}
	pass := func() {
		c.n = 0
		d.loop.pass.Tx.Begin()
		for _, vi := range vs {
			d.sendAdvert(vi, 100)
		}
		d.loop.pass.Tx.Flush()
	}
	pass()
	if c.batches != 1 || c.n != 3 {
		t.Fatalf("%d batches, %d adverts; want 1, 3", c.batches, c.n)
	}
	if allocs := testing.AllocsPerRun(100, pass); allocs != 0 {
		t.Errorf("a pass of 3 adverts allocates %.1f times, want 0", allocs)
	}
}
