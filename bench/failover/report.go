package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"time"
)

// writeHeader names the machine, the versions and the command.
func writeHeader(w io.Writer, o options) {
	fmt.Fprintf(w, "# gokeepalived vs keepalived: failover, footprint, timer accuracy\n\n")
	fmt.Fprintf(w, "- Date: %s\n", time.Now().UTC().Format("2006-01-02 15:04 UTC"))
	fmt.Fprintf(w, "- Machine: %d CPUs (%s), kernel %s, %s\n", runtime.NumCPU(), cpuModel(), kernel(), runtime.Version())
	fmt.Fprintf(w, "- keepalived: %s\n", firstLine(o.keepalive, "-v"))
	fmt.Fprintf(w, "- gokeepalived: %s\n", firstLine(o.gk, "version"))
	fmt.Fprintf(w, "- Command: `%s`\n", strings.Join(os.Args, " "))
	if la, err := os.ReadFile("/proc/loadavg"); err == nil {
		fmt.Fprintf(w, "- Load average at the start (1, 5, 15 min): %s\n", strings.Join(strings.Fields(string(la))[:3], ", "))
	}
	mode := "full"
	if o.quick {
		mode = "quick (one setting, one repetition, short windows: a smoke test, not figures)"
	}
	fmt.Fprintf(w, "- Mode: %s; %d repetition(s)\n", mode, o.reps)
}

func cpuModel() string {
	b, _ := os.ReadFile("/proc/cpuinfo")
	for _, l := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}

func kernel() string {
	b, _ := os.ReadFile("/proc/sys/kernel/osrelease")
	return strings.TrimSpace(string(b))
}

func firstLine(bin string, args ...string) string {
	out, _ := exec.Command(bin, args...).CombinedOutput()
	l, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
	return l
}

// ms prints d in milliseconds, one decimal.
func ms(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d)/float64(time.Millisecond)) }

// stats are the median, min and max of a sample.
type stats struct {
	N             int
	Med, Min, Max time.Duration
}

func summarize(v []time.Duration) stats {
	if len(v) == 0 {
		return stats{}
	}
	s := slices.Clone(v)
	slices.Sort(s)
	med := s[len(s)/2]
	if len(s)%2 == 0 {
		med = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return stats{N: len(s), Med: med, Min: s[0], Max: s[len(s)-1]}
}

// pick returns the measurements of one daemon, setting and scenario.
func pick(all []measurement, k daemonKind, s setting, sc scenario) []measurement {
	var out []measurement
	for _, m := range all {
		if m.Daemon == k && m.Setting == s && m.Scen == sc {
			out = append(out, m)
		}
	}
	return out
}

func field(ms []measurement, f func(measurement) (time.Duration, bool)) stats {
	var v []time.Duration
	for _, m := range ms {
		if d, ok := f(m); ok {
			v = append(v, d)
		}
	}
	return summarize(v)
}

func valueOf(m measurement) (time.Duration, bool) { return m.Value, true }
func boundOf(m measurement) (time.Duration, bool) { return m.Bound, m.HasB }

func cell(s stats) string {
	if s.N == 0 {
		return "–"
	}
	return fmt.Sprintf("%s [%s–%s]", ms(s.Med), ms(s.Min), ms(s.Max))
}

func medCell(s stats) string {
	if s.N == 0 {
		return "–"
	}
	return ms(s.Med)
}

func timelineCell(sel []measurement) string {
	o := field(sel, func(m measurement) (time.Duration, bool) { return m.LastOld, m.HasLastOld })
	a := field(sel, func(m measurement) (time.Duration, bool) { return m.FirstAdv, m.HasFirstAdv })
	g := field(sel, func(m measurement) (time.Duration, bool) { return m.FirstGARP, m.HasFirstG })
	return fmt.Sprintf("%s / %s / %s", medCell(o), medCell(a), medCell(g))
}

func ratio(a, b stats) string {
	if a.N == 0 || b.N == 0 || b.Med == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f", float64(a.Med)/float64(b.Med))
}

// writeFailover prints the failover table and the verdict on its targets.
func writeFailover(w io.Writer, settings []setting, all []measurement, reps int) {
	fmt.Fprintf(w, "\n## Failover as the client sees it\n\n")
	fmt.Fprintf(w, "Probe every 5 ms; milliseconds; median [min–max] over %d repetition(s). "+
		"Bound: what the protocol allows in that run (median). Timeline (medians, relative to the fault): "+
		"old master's last advert / new master's first advert / its first gratuitous ARP, from a capture on the client.\n\n", reps)
	fmt.Fprintln(w, "| Setting | Scenario | gokeepalived | bound | keepalived | bound | gk/ka | gk timeline | ka timeline |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|")
	for _, s := range settings {
		for _, sc := range allScenarios {
			g, k := pick(all, gokeepalived, s, sc), pick(all, keepalived, s, sc)
			gs, ks := field(g, valueOf), field(k, valueOf)
			tg, tk := timelineCell(g), timelineCell(k)
			if sc == s4Outage {
				tg, tk = "(gap between answers)", "(gap between answers)"
			}
			fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", s.Name, sc,
				cell(gs), medCell(field(g, boundOf)), cell(ks), medCell(field(k, boundOf)), ratio(gs, ks), tg, tk)
		}
	}
	fmt.Fprintf(w, "\nS3, where the time goes (medians, ms after the fault): the first failed check (script's own clock) → "+
		"a's first advert of its lowered priority → b's first advert:\n\n")
	for _, s := range settings {
		for _, k := range bothDaemons {
			sel := pick(all, k, s, s3ServiceDies)
			cl := field(sel, func(m measurement) (time.Duration, bool) { return m.CheckLatency, m.CheckLatency > 0 })
			da := field(sel, func(m measurement) (time.Duration, bool) { return m.DropAdv, m.HasDropAdv })
			fa := field(sel, func(m measurement) (time.Duration, bool) { return m.FirstAdv, m.HasFirstAdv })
			fmt.Fprintf(w, "- %s, %s: %s → %s → %s\n", s.Name, k, medCell(cl), medCell(da), medCell(fa))
		}
	}
	writeFailoverTargets(w, settings, all)
}

// writeFailoverTargets says, per setting, whether the failover
// targets hold in this run.
func writeFailoverTargets(w io.Writer, settings []setting, all []measurement) {
	fmt.Fprintf(w, "\nTargets (from the medians of this run):\n\n")
	for _, s := range settings {
		for _, sc := range []scenario{s1HostDies, s2GracefulStop} {
			g, k := pick(all, gokeepalived, s, sc), pick(all, keepalived, s, sc)
			over := field(g, func(m measurement) (time.Duration, bool) { return m.Value - m.Bound, m.HasB })
			gs, ks := field(g, valueOf), field(k, valueOf)
			if over.N == 0 || ks.N == 0 {
				fmt.Fprintf(w, "- %s, %s: no data\n", s.Name, sc)
				continue
			}
			takeover := field(g, func(m measurement) (time.Duration, bool) { return m.FirstAdv - m.Bound, m.HasB && m.HasFirstAdv })
			kover := field(k, func(m measurement) (time.Duration, bool) { return m.Value - m.Bound, m.HasB })
			fmt.Fprintf(w, "- %s, %s: gokeepalived outage − bound = %s ms (target ≤ 5 ms: %s; of which the new master's first advert − bound = %s ms, the rest is GARP, ARP update and the 5 ms probe period); "+
				"outage %s ms vs keepalived %s ms (target ≤: %s; keepalived outage − bound = %s ms)\n",
				s.Name, sc, ms(over.Med), verdict(over.Med <= 5*time.Millisecond), medCell(takeover),
				ms(gs.Med), ms(ks.Med), verdict(gs.Med <= ks.Med), medCell(kover))
		}
		g := pick(all, gokeepalived, s, s3ServiceDies)
		react := field(g, func(m measurement) (time.Duration, bool) {
			return m.FirstAdv - m.CheckLatency, m.CheckLatency > 0 && m.HasFirstAdv
		})
		if react.N == 0 {
			fmt.Fprintf(w, "- %s, S3: no data\n", s.Name)
			continue
		}
		sk := skew(s.Version, prioB, s.Interval)
		kreact := field(pick(all, keepalived, s, s3ServiceDies), func(m measurement) (time.Duration, bool) {
			return m.FirstAdv - m.CheckLatency, m.CheckLatency > 0 && m.HasFirstAdv
		})
		fmt.Fprintf(w, "- %s, S3: failed check to the new master's first advert = %s ms (keepalived %s ms); at once means within Skew_Time (%s ms) + 5 ms, without waiting for the next advert (%s ms) or Master_Down_Interval: %s\n",
			s.Name, ms(react.Med), medCell(kreact), ms(sk), ms(s.Interval), verdict(react.Med <= sk+5*time.Millisecond))
	}
}

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "**MISSED**"
}

// writeFootprint prints the footprint table.
func writeFootprint(w io.Writer, rs []footResult) {
	fmt.Fprintf(w, "\n## Footprint (idle masters, VRRPv3, one host)\n\n")
	fmt.Fprintln(w, "Memory pass: every row's daemons run at once, each in namespaces of its own and from its own copy of its binary; each settles, reloads (SIGHUP), has every interface go down and up (all instances to FAULT and back to MASTER), settles again, and then idles for the memory window. RSS: VmRSS summed over every process of the daemon at the end of that window. "+
		"CPU pass, after it, one row at a time (both daemons side by side): each daemon starts, settles, and the run time of all its threads (/proc/PID/task/*/schedstat, ns) is summed over the window shown.")
	fmt.Fprintln(w, "")
	fmt.Fprintln(w, "| Instances | Advert | Window | gk RSS MiB | ka RSS MiB (procs) | RSS gk/ka | gk CPU s | ka CPU s | CPU gk/ka | gk µs/advert | ka µs/advert |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|---|---|")
	var errs []string
	for i := 0; i+1 < len(rs); i += 2 {
		g, k := rs[i], rs[i+1]
		for _, r := range []footResult{g, k} {
			if r.Err != nil {
				errs = append(errs, fmt.Sprintf("%s, %s × %s: %v", r.Daemon, footN(r.Config), r.Config.Interval, r.Err))
			}
		}
		if g.Err != nil || k.Err != nil {
			fmt.Fprintf(w, "| %s | %s | – | – | – | – | – | – | – | – | – |\n", footN(g.Config), secs(g.Config.Interval)+" s")
			continue
		}
		fmt.Fprintf(w, "| %s | %s s | %s | %.1f | %.1f (%d) | %.2f | %.2f | %.2f | %s | %.1f | %.1f |\n",
			footN(g.Config), secs(g.Config.Interval), g.Window.Round(time.Second),
			mib(g.Usage.RSSKiB), mib(k.Usage.RSSKiB), k.Usage.Procs, float64(g.Usage.RSSKiB)/float64(k.Usage.RSSKiB),
			g.CPU.Seconds(), k.CPU.Seconds(), cpuRatio(g.CPU, k.CPU), perAdvert(g), perAdvert(k))
	}
	for _, e := range errs {
		fmt.Fprintf(w, "\n- failed: %s\n", e)
	}
	writeMemory(w, rs)
}

// writeMemory is the memory table: RSS, PSS and anonymous memory from
// smaps_rollup, each summed over the daemon's processes, side by side.
func writeMemory(w io.Writer, rs []footResult) {
	fmt.Fprintf(w, "\n## Memory at the end of the idle window (smaps_rollup, summed over each daemon's processes)\n\n")
	fmt.Fprintln(w, "| Instances | Advert | gk RSS MiB | ka RSS MiB | gk PSS MiB | ka PSS MiB | gk Anonymous MiB | ka Anonymous MiB | PSS gk/ka | Anonymous gk/ka |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|---|")
	for i := 0; i+1 < len(rs); i += 2 {
		g, k := rs[i], rs[i+1]
		if g.Err != nil || k.Err != nil {
			continue
		}
		fmt.Fprintf(w, "| %s | %s s | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %s | %s |\n",
			footN(g.Config), secs(g.Config.Interval), mib(g.Usage.RSSKiB), mib(k.Usage.RSSKiB),
			mib(g.Usage.PSSKiB), mib(k.Usage.PSSKiB), mib(g.Usage.AnonKiB), mib(k.Usage.AnonKiB),
			kibRatio(g.Usage.PSSKiB, k.Usage.PSSKiB), kibRatio(g.Usage.AnonKiB, k.Usage.AnonKiB))
	}
}

// footN names a footprint row's instances ("1000 on 4 interfaces").
func footN(c footConfig) string {
	if c.Ifaces > 0 {
		return fmt.Sprintf("%d on %d interfaces", c.N, c.Ifaces)
	}
	return fmt.Sprint(c.N)
}

func kibRatio(a, b int64) string {
	if b == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f", float64(a)/float64(b))
}

func mib(kib int64) float64 { return float64(kib) / 1024 }

func cpuRatio(a, b time.Duration) string {
	if b == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f", float64(a)/float64(b))
}

func perAdvert(r footResult) float64 {
	if r.Adverts == 0 {
		return 0
	}
	return float64(r.CPU) / float64(time.Microsecond) / float64(r.Adverts)
}

// writeTimer prints the timer-accuracy table.
func writeTimer(w io.Writer, rs []timerResult, win time.Duration) {
	fmt.Fprintf(w, "\n## Timer accuracy (%d instances × %s adverts, VRRPv3)\n\n", timerInstances, timerInterval)
	fmt.Fprintf(w, "Intervals between consecutive adverts of each VRID, kernel timestamps of a capture on another host, %s window. "+
		"CPU hog: one busy-loop process per core (nice 0). Real-time: the same daemon with `vrrp_rt_priority 50` and `vrrp_no_swap`. "+
		"Target: jitter p99 (|interval − 10 ms|) under 1 ms.\n\n", win)
	fmt.Fprintln(w, "| Daemon | Load | Intervals | p50 ms | p99 ms | max ms | jitter p99 ms | capture drops | target |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|")
	for _, r := range rs {
		load := "idle"
		if r.Hog {
			load = "CPU hog"
		}
		if r.Realtime {
			load += ", real-time"
		}
		if r.Err != nil {
			fmt.Fprintf(w, "| %s | %s | failed: %s | | | | | | |\n", r.Daemon, load, strings.ReplaceAll(r.Err.Error(), "\n", " "))
			continue
		}
		fmt.Fprintf(w, "| %s | %s | %d | %s | %s | %s | %.3f | %d | %s |\n", r.Daemon, load, r.Intervals,
			ms(r.P50), ms(r.P99), ms(r.Max), float64(r.JitterP99)/float64(time.Millisecond), r.Drops, verdict(r.JitterP99 < time.Millisecond))
	}
}
