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
	Ifaces   int // VLANs the instances are spread over; 0: eth1 alone
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
	cfgs := []footConfig{{2, time.Second, 0}, {50, time.Second, 0}, {255, time.Second, 0}, {1000, time.Second, 4},
		{2, 10 * time.Millisecond, 0}, {50, 10 * time.Millisecond, 0}, {255, 10 * time.Millisecond, 0}}
	if b.opt.quick {
		cfgs = []footConfig{{50, 10 * time.Millisecond, 0}}
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
	conf := manyInstances(c.N, c.Interval)
	if c.Ifaces > 0 {
		if err := addLinks(ctx, nil, []*lab.Host{h}, []int{2}, c.Ifaces); err != nil {
			r.Err = err
			return r
		}
		defer delLinks(context.WithoutCancel(ctx), h, c.Ifaces)
		conf = spreadInstances(c.N, c.Ifaces, c.Interval, "MASTER", prioA)
	}
	d, err := startDaemon(ctx, b, k, h, dir, conf)
	if err != nil {
		r.Err = err
		return r
	}
	defer func() {
		d.stop(10 * time.Second)
		h.Exec(ctx, "ip", "addr", "flush", "dev", h.Ifname, "to", "10.0.0.0/24")
	}()
	if err := b.reloadAndFailover(ctx, d, h, c); err != nil {
		r.Err = err
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

// reloadAndFailover takes the daemon through what a real one sees before
// its idle window: it settles, reloads (SIGHUP, same config), then every
// instance fails and comes back (its interfaces down and up: FAULT, VIPs
// removed, then MASTER again with GARPs), and it settles again.
func (b *bench) reloadAndFailover(ctx context.Context, d *daemon, h *lab.Host, c footConfig) error {
	if !sleepCtx(ctx, warmup(c.Interval)) {
		return ctx.Err()
	}
	if err := d.reload(); err != nil {
		return fmt.Errorf("reload: %w", err)
	}
	if !sleepCtx(ctx, 5*time.Second) {
		return ctx.Err()
	}
	links := []string{h.Ifname}
	if c.Ifaces > 0 {
		links = links[:0]
		for i := range c.Ifaces {
			links = append(links, vlanName(i))
		}
	}
	for _, how := range []string{"down", "up"} {
		for _, l := range links {
			if _, err := h.Exec(ctx, "ip", "link", "set", l, how); err != nil {
				return err
			}
		}
		if !sleepCtx(ctx, 2*time.Second) {
			return ctx.Err()
		}
	}
	if !sleepCtx(ctx, warmup(c.Interval)) {
		return ctx.Err()
	}
	return nil
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
