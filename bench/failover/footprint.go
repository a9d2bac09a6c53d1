package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/gokeepalived/gokeepalived/bench/procfs"
	"github.com/gokeepalived/gokeepalived/internal/lab"
)

// footConfig is one row of the footprint part.
type footConfig struct {
	N        int
	Interval time.Duration
	Ifaces   int // VLANs the instances are spread over; 0: eth1 alone
}

// footResult is one daemon's footprint for one footConfig: its memory
// from the memory pass (every row at once), its CPU from the CPU pass
// (one row at a time).
type footResult struct {
	Daemon    daemonKind
	Config    footConfig
	Usage     usage         // memory at the end of the idle window
	MemWindow time.Duration // the idle window
	CPU       time.Duration // run time of every thread over the CPU window
	Window    time.Duration // the CPU window
	Adverts   int64         // adverts the CPU window should hold: N × window / interval
	Err       error
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

// footprintPart measures memory and CPU of both daemons at each size.
// Memory does not depend on load, so every row's daemons run at once for
// the idle window, each in namespaces of its own and from a copy of its
// binary of its own (daemons mapping one file would split its pages
// between them in PSS). CPU per advert does, so it is measured after, one
// row at a time, both daemons side by side.
func (b *bench) footprintPart(ctx context.Context, w io.Writer) error {
	cfgs := []footConfig{{2, time.Second, 0}, {50, time.Second, 0}, {255, time.Second, 0}, {1000, time.Second, 4},
		{2, 10 * time.Millisecond, 0}, {50, 10 * time.Millisecond, 0}, {255, 10 * time.Millisecond, 0}}
	if b.opt.quick {
		cfgs = []footConfig{{50, 10 * time.Millisecond, 0}}
	}
	dir, err := os.MkdirTemp("", "gkbench-foot")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	rs := make([]footResult, 0, 2*len(cfgs)) // gokeepalived, keepalived per row
	for _, c := range cfgs {
		for _, k := range bothDaemons {
			rs = append(rs, footResult{Daemon: k, Config: c})
		}
	}
	b.log.Info("footprint: memory, every row at once", "rows", len(cfgs), "window", b.opt.idle)
	var wg sync.WaitGroup
	for i := range rs {
		wg.Go(func() { b.memoryOne(ctx, &rs[i], filepath.Join(dir, fmt.Sprint("mem-", i))) })
	}
	wg.Wait()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	// One single-host lab per daemon, so both run side by side under the
	// same load without hearing each other.
	hosts := map[daemonKind]*lab.Host{}
	for _, k := range bothDaemons {
		l, err := b.labs.build(ctx, lab.Spec{Hosts: lab.Hosts("a")})
		if err != nil {
			return fmt.Errorf("footprint lab: %w", err)
		}
		defer b.labs.close(l)
		hosts[k] = l.Host("a")
	}
	for i := 0; i < len(rs); i += len(bothDaemons) {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		b.log.Info("footprint: cpu", "instances", rs[i].Config.N, "interval", rs[i].Config.Interval, "window", b.opt.cpuWin)
		for j := range bothDaemons {
			r := &rs[i+j]
			wg.Go(func() { b.cpuOne(ctx, r, hosts[r.Daemon], filepath.Join(dir, fmt.Sprint("cpu-", i+j))) })
		}
		wg.Wait()
	}
	writeFootprint(w, rs)
	return nil
}

// memoryOne runs r's daemon in a lab of its own through a reload and a
// failover, lets it idle for the window, and records its memory.
func (b *bench) memoryOne(ctx context.Context, r *footResult, dir string) {
	fail := func(err error) { r.Err = errors.Join(r.Err, err) }
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fail(err)
		return
	}
	bin, err := copyBinary(b.binary(r.Daemon), dir)
	if err != nil {
		fail(err)
		return
	}
	l, err := b.labs.build(ctx, lab.Spec{Hosts: lab.Hosts("a")})
	if err != nil {
		fail(fmt.Errorf("footprint lab: %w", err))
		return
	}
	defer b.labs.close(l)
	h := l.Host("a")
	d, err := b.startFoot(ctx, r, bin, h, dir)
	if err != nil {
		fail(err)
		return
	}
	defer d.stop(10 * time.Second)
	if err := b.reloadAndFailover(ctx, d, h, r.Config); err != nil {
		fail(err)
		return
	}
	start := time.Now()
	if !sleepCtx(ctx, b.opt.idle) {
		fail(ctx.Err())
		return
	}
	r.Usage, r.MemWindow = measure(d.pids()), time.Since(start)
	if err := d.exitedEarly(); err != nil {
		fail(err)
	}
}

// releaseSettle is how long the CPU pass waits after the warm-up: past the
// release gokeepalived makes 10 s after start-up and after its last burst
// of allocation (the GARPs at the end of the warm-up; cmd/gokeepalived
// trim.go), a one-off cost that is not the steady state's.
const releaseSettle = 12 * time.Second

// cpuOne runs r's daemon on h until it is master of every instance, has
// sent its gratuitous ARPs and given memory back, then records the run time of its threads
// over the CPU window.
func (b *bench) cpuOne(ctx context.Context, r *footResult, h *lab.Host, dir string) {
	fail := func(err error) { r.Err = errors.Join(r.Err, err) }
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fail(err)
		return
	}
	d, err := b.startFoot(ctx, r, b.binary(r.Daemon), h, dir)
	if err != nil {
		fail(err)
		return
	}
	defer func() {
		d.stop(10 * time.Second)
		h.Exec(context.WithoutCancel(ctx), "ip", "addr", "flush", "dev", h.Ifname, "to", "10.0.0.0/24")
		if r.Config.Ifaces > 0 {
			delLinks(context.WithoutCancel(ctx), h, r.Config.Ifaces)
		}
	}()
	if !sleepCtx(ctx, warmup(r.Config.Interval)+releaseSettle) {
		fail(ctx.Err())
		return
	}
	before, start := procfs.CPUTime(d.pids()), time.Now()
	if !sleepCtx(ctx, b.opt.cpuWin) {
		fail(ctx.Err())
		return
	}
	r.CPU, r.Window = procfs.CPUTime(d.pids())-before, time.Since(start)
	r.Adverts = int64(r.Config.N) * int64(r.Window/r.Config.Interval)
	if err := d.exitedEarly(); err != nil {
		fail(err)
	}
}

// startFoot starts r's daemon (binary bin) on h with r's instances, on
// interfaces of their own when the row asks for several.
func (b *bench) startFoot(ctx context.Context, r *footResult, bin string, h *lab.Host, dir string) (*daemon, error) {
	c := r.Config
	conf := manyInstances(c.N, c.Interval)
	if c.Ifaces > 0 {
		if err := addLinks(ctx, nil, []*lab.Host{h}, []int{2}, c.Ifaces); err != nil {
			return nil, err
		}
		conf = spreadInstances(c.N, c.Ifaces, c.Interval, "MASTER", prioA)
	}
	return startDaemonBin(ctx, b, r.Daemon, bin, h, dir, conf)
}

// copyBinary copies the executable at src into dir: a file of its own,
// whose pages no other daemon of the run maps.
func copyBinary(src, dir string) (string, error) {
	in, err := os.Open(src)
	if err != nil {
		return "", err
	}
	defer in.Close()
	dst := filepath.Join(dir, filepath.Base(src))
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o755)
	if err != nil {
		return "", err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return "", err
	}
	return dst, out.Close()
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
