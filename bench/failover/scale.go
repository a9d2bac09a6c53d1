package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/lab"
)

// The scale part: 1,000 instances on 4 interfaces (VLANs), 100 ms adverts,
// a master (a) and a backup (b) running the same daemon. It measures the
// master's schedule (jitter of each instance's adverts, per interface) and
// then takes one interface down on a: its 250 instances must all be
// master on b within Master_Down_Interval(b) + 10 ms of a's last advert.
const (
	scaleInstances = 1000
	scaleIfaces    = 4
	scaleInterval  = 100 * time.Millisecond
	scaleSlack     = 10 * time.Millisecond
	// scaleWatch is how long the capture watches after the interface goes
	// down: long enough to see a late takeover, not only a timely one.
	scaleWatch = 5 * time.Second
)

// scaleResult is one daemon's run of the scale part.
type scaleResult struct {
	Daemon   daemonKind
	Timer    timerResult
	Moved    int           // instances of the downed interface b took over
	Want     int           // instances on it
	P50, Max time.Duration // a's last advert → b's first, per instance
	Bound    time.Duration // Master_Down_Interval(b) + scaleSlack
	DualB    int           // instances b advertised for while a was master
	Drops    uint32        // frames the captures lost
	RxDropsB uint64        // adverts b's kernel dropped on its VRRP sockets during the capture window
	InBound  int           // instances b took over within Bound
	Err      error
}

func (b *bench) scalePart(ctx context.Context, w io.Writer) error {
	if b.opt.quick {
		return nil // the smoke test keeps to one setting
	}
	dir, err := os.MkdirTemp("", "gkbench-scale")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	var rs []scaleResult
	for _, k := range bothDaemons {
		b.log.Info("scale", "daemon", k, "instances", scaleInstances, "interfaces", scaleIfaces)
		rs = append(rs, b.scaleOne(ctx, k, filepath.Join(dir, k.String())))
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	writeScale(w, rs, b.opt.timerWin)
	return nil
}

func (b *bench) scaleOne(ctx context.Context, k daemonKind, dir string) scaleResult {
	r := scaleResult{Daemon: k, Want: scaleInstances / scaleIfaces,
		Bound: masterDown(3, prioB, scaleInterval) + scaleSlack}
	l, err := b.labs.build(ctx, lab.Spec{Hosts: lab.Hosts("a", "b", "client")})
	if err != nil {
		r.Err = fmt.Errorf("scale lab: %w", err)
		return r
	}
	defer b.labs.close(l)
	a, bh, cl := l.Host("a"), l.Host("b"), l.Host("client")
	if err := addLinks(ctx, cl, []*lab.Host{a, bh}, []int{2, 3}, scaleIfaces); err != nil {
		r.Err = err
		return r
	}
	var macA, macB [6]byte
	copy(macA[:], a.Spec().MAC)
	copy(macB[:], bh.Spec().MAC)
	caps := make([]*capture, scaleIfaces)
	for i := range caps {
		if err := cl.Do(func() error {
			var err error
			// b's port: it sees b's adverts come in and a's go out to b,
			// and stays up when a's interface goes down.
			caps[i], err = openCapture(portName(bh, i), func(fi frameInfo) bool { return fi.Kind == kindAdvert })
			return err
		}); err != nil {
			r.Err = err
			return r
		}
		defer caps[i].close()
	}
	var ds []*daemon
	for _, x := range []struct {
		h     *lab.Host
		state string
		prio  int
	}{{a, "MASTER", prioA}, {bh, "BACKUP", prioB}} {
		sub := filepath.Join(dir, x.h.Name)
		if err := os.MkdirAll(sub, 0o755); err != nil {
			r.Err = err
			return r
		}
		d, err := startDaemon(ctx, b, k, x.h, sub, spreadInstances(scaleInstances, scaleIfaces, scaleInterval, x.state, x.prio))
		if err != nil {
			r.Err = err
			return r
		}
		defer d.stop(10 * time.Second)
		ds = append(ds, d)
	}
	// 1,000 instances take longer to start and send their GARP bursts.
	if !sleepCtx(ctx, warmup(scaleInterval)+10*time.Second) {
		r.Err = ctx.Err()
		return r
	}
	// The schedule: a's adverts on every interface, pooled per interface.
	for _, c := range caps {
		c.drops()
		c.reset()
	}
	dropsB0, err := rawDrops(ctx, bh)
	if err != nil {
		r.Err = err
		return r
	}
	if !sleepCtx(ctx, b.opt.timerWin) {
		r.Err = ctx.Err()
		return r
	}
	dropsB1, err := rawDrops(ctx, bh)
	if err != nil {
		r.Err = err
		return r
	}
	r.RxDropsB = dropsB1 - dropsB0
	var all timerResult
	var ivs []event
	for _, c := range caps {
		ivs = ivs[:0]
		dual := map[uint8]bool{}
		for _, e := range c.snapshot() {
			if e.SrcMAC == macA {
				ivs = append(ivs, e)
			} else if e.SrcMAC == macB {
				dual[e.VRID] = true
			}
		}
		r.DualB += len(dual)
		r.Drops += c.drops()
		t := spreadAt(ivs, scaleInterval)
		if t.Err != nil {
			r.Err = fmt.Errorf("schedule: %w", t.Err)
			return r
		}
		all = mergeTimer(all, t)
	}
	r.Timer = all
	// Failover as one: v10 down on a. The capture keeps the schedule's
	// window: a's last advert of a VRID may be up to an interval before
	// the interface goes down (resetting it here lost most of them, and
	// with them their takeovers).
	if _, err := a.Exec(ctx, "ip", "link", "set", vlanName(0), "down"); err != nil {
		r.Err = err
		return r
	}
	if !sleepCtx(ctx, scaleWatch) {
		r.Err = ctx.Err()
		return r
	}
	r.Moved, r.InBound, r.P50, r.Max = takeovers(caps[0].snapshot(), macA, macB, r.Bound)
	for _, d := range ds {
		select {
		case <-d.proc.Done():
			r.Err = fmt.Errorf("%s on %s exited:\n%s", k, d.host.Name, d.logTail(15))
		default:
		}
	}
	return r
}

// takeovers measures, per VRID of the downed interface, from a's last
// advert to b's first advert after it (b's adverts before it, when b was
// also master, do not count as taking over): how many b took over, how
// many within bound, and the median and worst gap.
func takeovers(evs []event, macA, macB [6]byte, bound time.Duration) (moved, inBound int, p50, worst time.Duration) {
	lastA, firstB := map[uint8]time.Time{}, map[uint8]time.Time{}
	for _, e := range evs {
		if e.SrcMAC == macA {
			lastA[e.VRID] = e.at
		}
	}
	for _, e := range evs {
		la, ok := lastA[e.VRID]
		if _, seen := firstB[e.VRID]; e.SrcMAC == macB && ok && !seen && e.at.After(la) {
			firstB[e.VRID] = e.at
		}
	}
	var gaps []time.Duration
	for vrid, t := range firstB {
		gaps = append(gaps, t.Sub(lastA[vrid]))
	}
	slices.Sort(gaps)
	if len(gaps) == 0 {
		return 0, 0, 0, 0
	}
	for _, g := range gaps {
		if g <= bound {
			inBound++
		}
	}
	return len(gaps), inBound, quantile(gaps, 0.5), gaps[len(gaps)-1]
}

// rawDrops sums the drop counters of h's raw VRRP (protocol 112) sockets
// from /proc/net/raw, the same figure for either daemon: adverts its
// kernel dropped because the daemon did not read them in time.
func rawDrops(ctx context.Context, h *lab.Host) (uint64, error) {
	out, err := h.Exec(ctx, "cat", "/proc/net/raw")
	if err != nil {
		return 0, fmt.Errorf("read raw socket drops on %s: %w", h.Name, err)
	}
	return parseRawDrops(out), nil
}

// parseRawDrops sums the last column (drops) of /proc/net/raw lines whose
// local address names protocol 112 (":0070").
func parseRawDrops(s string) uint64 {
	var n uint64
	for _, line := range strings.Split(s, "\n") {
		f := strings.Fields(line)
		if len(f) < 2 || !strings.HasSuffix(f[1], ":0070") {
			continue
		}
		if v, err := strconv.ParseUint(f[len(f)-1], 10, 64); err == nil {
			n += v
		}
	}
	return n
}

// mergeTimer pools two interval summaries: counts add, the quantiles are
// the worse of the two (each interface's own p99 is kept by taking the
// maximum, an upper bound on the pooled one).
func mergeTimer(a, b timerResult) timerResult {
	a.Intervals += b.Intervals
	a.P50, a.P99, a.Max = max(a.P50, b.P50), max(a.P99, b.P99), max(a.Max, b.Max)
	a.JitterP99 = max(a.JitterP99, b.JitterP99)
	return a
}

func writeScale(w io.Writer, rs []scaleResult, win time.Duration) {
	fmt.Fprintf(w, "\n## Scale: %d instances on %d interfaces, %s adverts (VRRPv3)\n\n", scaleInstances, scaleIfaces, scaleInterval)
	fmt.Fprintf(w, "Master a and backup b run the same daemon; %s capture of a's adverts on each interface (worst interface's figures), "+
		"then one interface goes down on a. Targets: jitter p99 < 1 ms; every instance of that interface master on b within "+
		"Master_Down_Interval(b) + %s of a's last advert. \"b rx drops\": adverts b's kernel dropped on its VRRP sockets during "+
		"the capture (/proc/net/raw); \"b also master\": VRIDs b advertised while a was master; \"moved\": VRIDs b advertised "+
		"after a's last advert within the %s watched, \"in bound\" those within the bound.\n\n", win, scaleSlack, scaleWatch)
	fmt.Fprintln(w, "| Daemon | Intervals | p50 ms | p99 ms | max ms | jitter p99 ms | capture drops | b rx drops | b also master | schedule | moved | in bound | takeover p50 ms | takeover max ms | bound ms | failover as one |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
	for _, r := range rs {
		if r.Err != nil {
			fmt.Fprintf(w, "| %s | failed: %s | | | | | | | | | | | | | | |\n", r.Daemon, strings.ReplaceAll(r.Err.Error(), "\n", " "))
			continue
		}
		t := r.Timer
		fmt.Fprintf(w, "| %s | %d | %s | %s | %s | %.3f | %d | %d | %d | %s | %d/%d | %d/%d | %s | %s | %s | %s |\n", r.Daemon, t.Intervals,
			ms(t.P50), ms(t.P99), ms(t.Max), float64(t.JitterP99)/float64(time.Millisecond), r.Drops, r.RxDropsB, r.DualB,
			verdict(t.JitterP99 < time.Millisecond), r.Moved, r.Want, r.InBound, r.Want, ms(r.P50), ms(r.Max), ms(r.Bound),
			verdict(r.InBound == r.Want))
	}
}
