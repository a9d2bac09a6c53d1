package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/lab"
	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
)

const failoverVRID = 51

var failoverVIP = netip.MustParseAddr("192.168.1.10")

// failoverLab is the two-servers-plus-client LAN of the failover part.
type failoverLab struct {
	b          *bench
	l          *lab.Lab
	a, bh, cl  *lab.Host
	dir        string
	resp       map[string]*lab.Proc
	probe      *prober
	cap        *capture
	linkA      *netlink.Handle
	macA, macB [6]byte
}

func (b *bench) failoverPart(ctx context.Context, w io.Writer) error {
	settings := []setting{settingV2, settingV3a, settingV3b}
	if b.opt.quick {
		settings = []setting{settingV3a}
	}
	l, err := b.labs.build(ctx, lab.Spec{Hosts: lab.Hosts("a", "b", "client")})
	if err != nil {
		return fmt.Errorf("failover lab: %w", err)
	}
	defer b.labs.close(l)
	fl := &failoverLab{b: b, l: l, a: l.Host("a"), bh: l.Host("b"), cl: l.Host("client"), resp: map[string]*lab.Proc{}}
	copy(fl.macA[:], fl.a.Spec().MAC)
	copy(fl.macB[:], fl.bh.Spec().MAC)
	if fl.dir, err = os.MkdirTemp("", "gkbench-failover"); err != nil {
		return err
	}
	defer os.RemoveAll(fl.dir)
	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if err := fl.setup(pctx); err != nil {
		return err
	}
	defer fl.cap.close()
	defer fl.linkA.Close()

	var ms []measurement
	var errs []string
	for _, s := range settings {
		for rep := 0; rep < b.opt.reps; rep++ {
			for _, kind := range bothDaemons {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				b.log.Info("failover round", "setting", s.Name, "rep", rep+1, "daemon", kind)
				got, err := fl.round(ctx, kind, s, (float64(rep)+0.5)/float64(b.opt.reps))
				ms = append(ms, got...)
				if err != nil {
					b.log.Error("failover round", "setting", s.Name, "daemon", kind, "err", err)
					errs = append(errs, fmt.Sprintf("%s, %s, rep %d: %v", s.Name, kind, rep+1, err))
				}
			}
		}
	}
	writeFailover(w, settings, ms, b.opt.reps)
	if len(errs) > 0 {
		fmt.Fprintf(w, "\nRounds that failed (their completed scenarios are in the table):\n\n")
		for _, e := range errs {
			fmt.Fprintf(w, "- %s\n", strings.ReplaceAll(e, "\n", "\n  "))
		}
	}
	return nil
}

// setup starts the responders, the client's prober and its capture.
func (fl *failoverLab) setup(ctx context.Context) error {
	for _, h := range []*lab.Host{fl.a, fl.bh} {
		if err := fl.startResponder(ctx, h); err != nil {
			return err
		}
		check := "#!/bin/sh\nkill -0 \"$(cat " + fl.respPid(h) + ")\" 2>/dev/null && exit 0\n" +
			"date +%s.%N >> " + fl.failLog(h) + "\nexit 1\n"
		if err := os.WriteFile(fl.checkPath(h), []byte(check), 0o755); err != nil {
			return fmt.Errorf("write check script: %w", err)
		}
	}
	var conn *net.UDPConn
	err := fl.cl.Do(func() error {
		var err error
		if conn, err = net.ListenUDP("udp4", &net.UDPAddr{}); err != nil {
			return fmt.Errorf("prober socket: %w", err)
		}
		fl.cap, err = openCapture(fl.cl.Ifname, nil)
		return err
	})
	if err != nil {
		return err
	}
	fl.probe = &prober{conn: conn, dst: netip.AddrPortFrom(failoverVIP, probePort)}
	go fl.probe.run(ctx, 5*time.Millisecond)
	ns, err := netns.GetFromName(fl.a.NS)
	if err != nil {
		return fmt.Errorf("namespace of a: %w", err)
	}
	defer ns.Close()
	if fl.linkA, err = netlink.NewHandleAt(ns); err != nil {
		return fmt.Errorf("netlink in a: %w", err)
	}
	return nil
}

func (fl *failoverLab) respPid(h *lab.Host) string {
	return filepath.Join(fl.dir, "resp-"+h.Name+".pid")
}
func (fl *failoverLab) checkPath(h *lab.Host) string {
	return filepath.Join(fl.dir, "check-"+h.Name+".sh")
}
func (fl *failoverLab) failLog(h *lab.Host) string {
	return filepath.Join(fl.dir, "fail-"+h.Name+".log")
}

// startResponder starts h's responder and waits for its pid file.
func (fl *failoverLab) startResponder(ctx context.Context, h *lab.Host) error {
	os.Remove(fl.respPid(h))
	p, err := h.Run(context.WithoutCancel(ctx), fl.b.self, "responder", "-name", h.Name, "-pidfile", fl.respPid(h))
	if err != nil {
		return fmt.Errorf("responder on %s: %w", h.Name, err)
	}
	fl.resp[h.Name] = p
	for i := 0; i < 500; i++ {
		if _, err := os.Stat(fl.respPid(h)); err == nil {
			return nil
		}
		time.Sleep(5 * time.Millisecond)
	}
	return fmt.Errorf("responder on %s did not start: %s", h.Name, p.Output())
}

// setLinkA takes a's LAN link down or up through netlink (no fork, so the
// fault is one system call).
func (fl *failoverLab) setLinkA(up bool) error {
	link, err := fl.linkA.LinkByName(fl.a.Ifname)
	if err != nil {
		return fmt.Errorf("link of a: %w", err)
	}
	if up {
		return fl.linkA.LinkSetUp(link)
	}
	return fl.linkA.LinkSetDown(link)
}

// dropVIP removes the VIP from h, as a host reboot would.
func dropVIP(ctx context.Context, h *lab.Host) {
	h.Exec(ctx, "ip", "addr", "del", failoverVIP.String()+"/32", "dev", h.Ifname)
}

func (fl *failoverLab) conf(h *lab.Host, s setting) confSpec {
	state, prio := "MASTER", prioA
	if h == fl.bh {
		state, prio = "BACKUP", prioB
	}
	return confSpec{routerID: h.Name, version: s.Version, interval: s.Interval, check: fl.checkPath(h),
		insts: []instSpec{{vrid: failoverVRID, state: state, priority: prio, vip: failoverVIP.String() + "/32"}}}
}

// failTime returns the first failed check on h logged after t0.
func (fl *failoverLab) failTime(h *lab.Host, t0 time.Time) (time.Time, bool) {
	b, _ := os.ReadFile(fl.failLog(h))
	for _, line := range strings.Fields(string(b)) {
		f, err := strconv.ParseFloat(line, 64)
		if err != nil {
			continue
		}
		sec := int64(f)
		ns := int64((f - float64(sec)) * 1e9)
		if t := time.Unix(sec, ns); t.After(t0) {
			return t, true
		}
	}
	return time.Time{}, false
}

// settle waits for the backup to be listening, then for a's next advert,
// then phase of an interval: every daemon sees faults at the same phases of
// the advert cycle (rep i of n at (i+0.5)/n), so their outages compare.
func (fl *failoverLab) settle(ctx context.Context, s setting, phase float64) {
	if !sleepCtx(ctx, 300*time.Millisecond+2*s.Interval) {
		return
	}
	since := time.Now()
	deadline := since.Add(3 * s.Interval)
	for time.Now().Before(deadline) {
		if last, ok := lastAdvertBefore(fl.cap.snapshot(), time.Now(), failoverVRID, fl.macA, prioA); ok && last.After(since) {
			sleepCtx(ctx, time.Until(last.Add(time.Duration(phase*float64(s.Interval)))))
			return
		}
		sleepCtx(ctx, time.Millisecond)
	}
}

// limit is how long a takeover may take before the round gives up.
func limit(s setting) time.Duration { return 3*masterDown(s.Version, 1, s.Interval) + 5*time.Second }

func killResponder(p *lab.Proc) {
	p.Signal(syscall.SIGKILL)
	<-p.Done()
}
