package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// round runs S1, S4, S2 and S3 once with kind on both servers.
//
// phase (0 to 1) places the faults in the advert cycle; see settle.
func (fl *failoverLab) round(ctx context.Context, kind daemonKind, s setting, phase float64) (ms []measurement, err error) {
	dirA := filepath.Join(fl.dir, kind.String()+"-a")
	dirB := filepath.Join(fl.dir, kind.String()+"-b")
	for _, d := range []string{dirA, dirB} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
	}
	dropVIP(ctx, fl.a)
	dropVIP(ctx, fl.bh)
	da, err := startDaemon(ctx, fl.b, kind, fl.a, dirA, fl.conf(fl.a, s))
	if err != nil {
		return nil, err
	}
	db, err := startDaemon(ctx, fl.b, kind, fl.bh, dirB, fl.conf(fl.bh, s))
	if err != nil {
		da.stop(5 * time.Second)
		return nil, err
	}
	defer func() {
		if err != nil {
			err = fmt.Errorf("%w\nlog of a:\n%s\nlog of b:\n%s", err, da.logTail(15), db.logTail(15))
		}
		da.stop(5 * time.Second)
		db.stop(5 * time.Second)
		dropVIP(ctx, fl.a)
		dropVIP(ctx, fl.bh)
		if fl.resp["a"] != nil {
			select {
			case <-fl.resp["a"].Done():
				if rerr := fl.startResponder(ctx, fl.a); rerr != nil && err == nil {
					err = rerr
				}
			default:
			}
		}
	}()
	lim := limit(s)
	if _, err := fl.probe.waitServing(ctx, "a", lim); err != nil {
		return ms, fmt.Errorf("start: %w", err)
	}
	fl.settle(ctx, s, phase)
	mdiB := masterDown(s.Version, prioB, s.Interval)
	skewB := skew(s.Version, prioB, s.Interval)

	// S1: the master host dies: its daemon is SIGKILLed and its link goes
	// down at once.
	t0 := time.Now()
	da.kill()
	if err := fl.setLinkA(false); err != nil {
		return ms, err
	}
	if _, err := fl.probe.waitServing(ctx, "b", lim); err != nil {
		return ms, fmt.Errorf("S1: %w", err)
	}
	m := fl.measure(kind, s, s1HostDies, t0, "b", fl.macA, fl.macB)
	if last, ok := lastAdvertBefore(fl.cap.snapshot(), t0, failoverVRID, fl.macA, -1); ok {
		m.Bound, m.HasB = mdiB-t0.Sub(last), true
	}
	ms = append(ms, m)
	<-da.proc.Done()

	// S4: the master returns: a fresh boot (no VIP), link up, daemon start.
	dropVIP(ctx, fl.a)
	t0 = time.Now()
	if err := fl.setLinkA(true); err != nil {
		return ms, err
	}
	if da, err = startDaemon(ctx, fl.b, kind, fl.a, dirA, fl.conf(fl.a, s)); err != nil {
		return ms, err
	}
	if _, err := fl.probe.waitServing(ctx, "a", lim); err != nil {
		return ms, fmt.Errorf("S4: %w", err)
	}
	firstA, _ := fl.probe.firstFrom("a", t0)
	back := fl.measure(kind, s, s4Back, t0, "a", fl.macB, fl.macA)
	back.Bound, back.HasB = masterDown(s.Version, prioA, s.Interval), true
	out := back
	out.Scen = s4Outage
	if lastB, ok := fl.probe.lastFrom("b", firstA); ok {
		out.Value = firstA.Sub(lastB)
	}
	out.Bound, out.HasB = 0, false
	ms = append(ms, out, back)
	fl.settle(ctx, s, phase)

	// S2: graceful stop.
	t0 = time.Now()
	if err := da.term(); err != nil {
		return ms, fmt.Errorf("S2: %w", err)
	}
	if _, err := fl.probe.waitServing(ctx, "b", lim); err != nil {
		return ms, fmt.Errorf("S2: %w", err)
	}
	m = fl.measure(kind, s, s2GracefulStop, t0, "b", fl.macA, fl.macB)
	m.Bound, m.HasB = skewB, true
	ms = append(ms, m)
	if !da.exited(10 * time.Second) {
		return ms, fmt.Errorf("S2: daemon on a still running 10 s after SIGTERM")
	}
	if da, err = startDaemon(ctx, fl.b, kind, fl.a, dirA, fl.conf(fl.a, s)); err != nil {
		return ms, err
	}
	if _, err := fl.probe.waitServing(ctx, "a", lim); err != nil {
		return ms, fmt.Errorf("before S3: %w", err)
	}
	fl.settle(ctx, s, phase)

	// S3: the checked service dies; the check (every 2 s, weight -20)
	// notices, a's priority drops below b's.
	t0 = time.Now()
	killResponder(fl.resp["a"])
	if _, err := fl.probe.waitServing(ctx, "b", lim+3*time.Second); err != nil {
		return ms, fmt.Errorf("S3: %w", err)
	}
	m = fl.measure(kind, s, s3ServiceDies, t0, "b", fl.macA, fl.macB)
	for _, e := range fl.cap.snapshot() {
		if e.Kind == kindAdvert && e.SrcMAC == fl.macA && e.VRID == failoverVRID && e.Priority == prioA-20 && e.at.After(t0) {
			m.DropAdv, m.HasDropAdv = e.at.Sub(t0), true
			break
		}
	}
	if ft, ok := fl.failTime(fl.a, t0); ok {
		m.CheckLatency = ft.Sub(t0)
		if kind == gokeepalived {
			// Fast failover: a advertises its lower priority at once, b
			// takes over after Skew_Time.
			m.Bound, m.HasB = m.CheckLatency+skewB, true
		} else if last, ok := lastAdvertBefore(fl.cap.snapshot(), ft, failoverVRID, fl.macA, prioA); ok {
			// RFC/keepalived: b ignores the lower advert and waits out its
			// Master_Down_Timer from the last advert it accepted.
			m.Bound, m.HasB = last.Add(mdiB).Sub(t0), true
		}
	}
	ms = append(ms, m)
	return ms, nil
}

// measure takes the outage (fault to the first answer from newHost) and
// the capture timeline of one scenario.
func (fl *failoverLab) measure(kind daemonKind, s setting, sc scenario, t0 time.Time, newHost string, oldMAC, newMAC [6]byte) measurement {
	m := measurement{Daemon: kind, Setting: s, Scen: sc}
	if first, ok := fl.probe.firstFrom(newHost, t0); ok {
		m.Value = first.Sub(t0)
	}
	// Let the first GARP and adverts of the new master reach the capture.
	time.Sleep(20 * time.Millisecond)
	timeline(&m, fl.cap.snapshot(), t0, failoverVRID, oldMAC, newMAC, failoverVIP)
	return m
}
