package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/lab"
)

// footConfig is one row of the footprint part.
type footConfig struct {
	N        int
	Interval time.Duration
}

// footResult is one daemon's footprint for one footConfig.
type footResult struct {
	Daemon  daemonKind
	Config  footConfig
	Usage   usage         // at the end of the window
	CPU     time.Duration // CPU time spent in the window
	Window  time.Duration
	Adverts int64 // adverts the window should hold: N × window / interval
	Err     error
}

// manyInstances is a config of n masters on one host: VRIDs 1..n, VIPs
// 10.0.0.1..10.0.0.n, VRRPv3.
func manyInstances(n int, interval time.Duration) confSpec {
	c := confSpec{routerID: "a", version: 3, interval: interval}
	for i := 1; i <= n; i++ {
		c.insts = append(c.insts, instSpec{vrid: i, state: "MASTER", priority: prioA, vip: fmt.Sprintf("10.0.0.%d/32", i)})
	}
	return c
}

// warmup is how long a lone daemon with these instances needs to become
// master of all of them and send both gratuitous ARP bursts (the second
// comes garp_master_delay, 5 s, after the first).
func warmup(interval time.Duration) time.Duration {
	return masterDown(3, prioA, interval) + 6*time.Second
}

func (b *bench) footprintPart(ctx context.Context, w io.Writer) error {
	cfgs := []footConfig{{2, time.Second}, {50, time.Second}, {255, time.Second},
		{2, 10 * time.Millisecond}, {50, 10 * time.Millisecond}, {255, 10 * time.Millisecond}}
	if b.opt.quick {
		cfgs = []footConfig{{50, 10 * time.Millisecond}}
	}
	// One single-host lab per daemon, so both run side by side under the
	// same load without hearing each other.
	labs := map[daemonKind]*lab.Lab{}
	for _, k := range bothDaemons {
		l, err := b.labs.build(ctx, lab.Spec{Hosts: lab.Hosts("a")})
		if err != nil {
			return fmt.Errorf("footprint lab: %w", err)
		}
		defer b.labs.close(l)
		labs[k] = l
	}
	dir, err := os.MkdirTemp("", "gkbench-foot")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	var rs []footResult
	for _, c := range cfgs {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		b.log.Info("footprint", "instances", c.N, "interval", c.Interval, "window", b.opt.idle)
		var wg sync.WaitGroup
		got := make([]footResult, len(bothDaemons))
		for i, k := range bothDaemons {
			wg.Go(func() {
				d := filepath.Join(dir, fmt.Sprintf("%s-%d-%s", k, c.N, c.Interval))
				got[i] = b.footprintOne(ctx, k, labs[k].Host("a"), d, c)
			})
		}
		wg.Wait()
		rs = append(rs, got...)
	}
	writeFootprint(w, rs)
	return nil
}

func (b *bench) footprintOne(ctx context.Context, k daemonKind, h *lab.Host, dir string, c footConfig) footResult {
	r := footResult{Daemon: k, Config: c, Window: b.opt.idle}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		r.Err = err
		return r
	}
	d, err := startDaemon(ctx, b, k, h, dir, manyInstances(c.N, c.Interval))
	if err != nil {
		r.Err = err
		return r
	}
	defer func() {
		d.stop(10 * time.Second)
		h.Exec(ctx, "ip", "addr", "flush", "dev", h.Ifname, "to", "10.0.0.0/24")
	}()
	if !sleepCtx(ctx, warmup(c.Interval)) {
		r.Err = ctx.Err()
		return r
	}
	before := measure(d.pids())
	start := time.Now()
	if !sleepCtx(ctx, b.opt.idle) {
		r.Err = ctx.Err()
		return r
	}
	after := measure(d.pids())
	r.Window = time.Since(start)
	select {
	case <-d.proc.Done():
		r.Err = fmt.Errorf("%s exited during the window:\n%s", k, d.logTail(15))
		return r
	default:
	}
	r.Usage, r.CPU = after, after.CPU-before.CPU
	r.Adverts = int64(c.N) * int64(r.Window/c.Interval)
	return r
}

// sleepCtx sleeps d or until ctx ends; it reports whether d passed.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
