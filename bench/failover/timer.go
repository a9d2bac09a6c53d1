package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"syscall"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/lab"
)

const (
	timerInstances = 255
	timerInterval  = 10 * time.Millisecond
)

// timerResult is the advert-interval spread of one daemon under one load.
type timerResult struct {
	Daemon    daemonKind
	Hog       bool
	Realtime  bool // vrrp_rt_priority 50 and vrrp_no_swap
	Intervals int
	P50, P99  time.Duration // of the intervals
	Max       time.Duration
	JitterP99 time.Duration // p99 of |interval - 10 ms|
	Drops     uint32        // packets the capture socket lost
	Err       error
}

func (b *bench) timerPart(ctx context.Context, w io.Writer) error {
	l, err := b.labs.build(ctx, lab.Spec{Hosts: lab.Hosts("a", "client")})
	if err != nil {
		return fmt.Errorf("timer lab: %w", err)
	}
	defer b.labs.close(l)
	a, cl := l.Host("a"), l.Host("client")
	var macA [6]byte
	copy(macA[:], a.Spec().MAC)
	var c *capture
	if err := cl.Do(func() error {
		var err error
		c, err = openCapture(cl.Ifname, func(fi frameInfo) bool { return fi.Kind == kindAdvert && fi.SrcMAC == macA })
		return err
	}); err != nil {
		return err
	}
	defer c.close()
	dir, err := os.MkdirTemp("", "gkbench-timer")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	var rs []timerResult
	for _, rt := range []bool{false, true} {
		for _, k := range bothDaemons {
			b.log.Info("timer accuracy", "daemon", k, "realtime", rt, "window", b.opt.timerWin)
			rs = append(rs, b.timerOne(ctx, k, rt, a, cl, c, filepath.Join(dir, fmt.Sprintf("%s-rt%v", k, rt)))...)
			if ctx.Err() != nil {
				return ctx.Err()
			}
		}
	}
	writeTimer(w, rs, b.opt.timerWin)
	return nil
}

// timerOne runs k with the timer part's instances (rt: with the real-time
// keywords) and measures its adverts idle, then under a CPU hog.
func (b *bench) timerOne(ctx context.Context, k daemonKind, rt bool, a, cl *lab.Host, c *capture, dir string) []timerResult {
	fail := func(err error) []timerResult { return []timerResult{{Daemon: k, Realtime: rt, Err: err}} }
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fail(err)
	}
	conf := manyInstances(timerInstances, timerInterval)
	conf.realtime = rt
	d, err := startDaemon(ctx, b, k, a, dir, conf)
	if err != nil {
		return fail(err)
	}
	defer func() {
		d.stop(10 * time.Second)
		a.Exec(ctx, "ip", "addr", "flush", "dev", a.Ifname, "to", "10.0.0.0/24")
	}()
	if !sleepCtx(ctx, warmup(timerInterval)) {
		return fail(ctx.Err())
	}
	var rs []timerResult
	for _, hog := range []bool{false, true} {
		var hogs []*lab.Proc
		if hog {
			for range runtime.NumCPU() {
				p, err := cl.Run(context.WithoutCancel(ctx), b.self, "hog")
				if err != nil {
					return append(rs, timerResult{Daemon: k, Realtime: rt, Hog: true, Err: err})
				}
				hogs = append(hogs, p)
			}
			sleepCtx(ctx, 500*time.Millisecond)
		}
		c.drops() // reset the kernel's counter
		c.reset()
		ok := sleepCtx(ctx, b.opt.timerWin)
		evs := c.snapshot()
		drops := c.drops()
		for _, p := range hogs {
			p.Signal(syscall.SIGKILL)
			<-p.Done()
		}
		if !ok {
			return append(rs, timerResult{Daemon: k, Realtime: rt, Hog: hog, Err: ctx.Err()})
		}
		r := spread(evs)
		r.Daemon, r.Realtime, r.Hog, r.Drops = k, rt, hog, drops
		select {
		case <-d.proc.Done():
			r.Err = fmt.Errorf("%s exited:\n%s", k, d.logTail(15))
		default:
		}
		rs = append(rs, r)
	}
	return rs
}

// spread computes the interval statistics of each VRID's adverts.
func spread(evs []event) timerResult { return spreadAt(evs, timerInterval) }

// spreadAt is spread for adverts due every interval.
func spreadAt(evs []event, interval time.Duration) timerResult {
	last := map[uint8]time.Time{}
	var iv []time.Duration
	for _, e := range evs {
		if t, ok := last[e.VRID]; ok {
			iv = append(iv, e.at.Sub(t))
		}
		last[e.VRID] = e.at
	}
	r := timerResult{Intervals: len(iv)}
	if len(iv) == 0 {
		r.Err = fmt.Errorf("no adverts captured")
		return r
	}
	jit := make([]time.Duration, len(iv))
	for i, d := range iv {
		j := d - interval
		if j < 0 {
			j = -j
		}
		jit[i] = j
	}
	slices.Sort(iv)
	slices.Sort(jit)
	r.P50, r.P99, r.Max = quantile(iv, 0.50), quantile(iv, 0.99), iv[len(iv)-1]
	r.JitterP99 = quantile(jit, 0.99)
	return r
}

// quantile returns the q-quantile of sorted (nearest rank).
func quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted))+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}
