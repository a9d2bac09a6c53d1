package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"
)

// clockTick is USER_HZ, the unit of utime and stime in /proc/PID/stat; it
// is 100 on every Linux architecture Go supports.
const clockTick = 100

// procStat is what the benchmark reads from /proc/PID/stat.
type procStat struct {
	PPid int
	CPU  time.Duration // utime + stime
}

// parseStat reads /proc/PID/stat. The command name is in parentheses and
// may itself hold spaces and parentheses, so fields are counted from the
// last ')'.
func parseStat(b []byte) (procStat, error) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return procStat{}, errors.New("stat: no command name")
	}
	f := bytes.Fields(b[i+1:])
	// After the name: state(0) ppid(1) ... utime(11) stime(12).
	if len(f) < 13 {
		return procStat{}, fmt.Errorf("stat: %d fields after the name, want at least 13", len(f))
	}
	ppid, err := strconv.Atoi(string(f[1]))
	if err != nil {
		return procStat{}, fmt.Errorf("stat ppid: %w", err)
	}
	ut, err := strconv.ParseUint(string(f[11]), 10, 63)
	if err != nil {
		return procStat{}, fmt.Errorf("stat utime: %w", err)
	}
	st, err := strconv.ParseUint(string(f[12]), 10, 63)
	if err != nil {
		return procStat{}, fmt.Errorf("stat stime: %w", err)
	}
	ticks := ut + st
	if ticks > uint64(1<<62)/uint64(time.Second/clockTick) {
		return procStat{}, errors.New("stat: cpu time out of range")
	}
	return procStat{PPid: ppid, CPU: time.Duration(ticks) * (time.Second / clockTick)}, nil
}

// parseVmRSS reads VmRSS (in kB) from /proc/PID/status; a kernel thread
// or zombie has none and reads as 0.
func parseVmRSS(b []byte) (int64, error) {
	for len(b) > 0 {
		var line []byte
		line, b = nextLine(b)
		rest, ok := bytes.CutPrefix(line, []byte("VmRSS:"))
		if !ok {
			continue
		}
		f := bytes.Fields(rest)
		if len(f) == 0 {
			return 0, errors.New("status: empty VmRSS")
		}
		kb, err := strconv.ParseInt(string(f[0]), 10, 64)
		if err != nil || kb < 0 {
			return 0, fmt.Errorf("status VmRSS %q: bad number", f[0])
		}
		return kb, nil
	}
	return 0, nil
}

// descendants returns root and every process below it.
func descendants(root int) []int {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return []int{root}
	}
	children := map[int][]int{}
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		st, err := parseStat(b)
		if err != nil {
			continue
		}
		children[st.PPid] = append(children[st.PPid], pid)
	}
	out := []int{root}
	for i := 0; i < len(out); i++ {
		out = append(out, children[out[i]]...)
	}
	return out
}

// nextLine splits the first line off b.
func nextLine(b []byte) (line, rest []byte) {
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		return b[:i], b[i+1:]
	}
	return b, nil
}

// rollup is what the benchmark reads from /proc/PID/smaps_rollup (kB).
type rollup struct {
	RSS, PSS, Anon int64
}

// parseRollup reads Rss, Pss and Anonymous from /proc/PID/smaps_rollup;
// a missing field reads as 0.
func parseRollup(b []byte) (rollup, error) {
	var r rollup
	for len(b) > 0 {
		var line []byte
		line, b = nextLine(b)
		var dst *int64
		switch {
		case bytes.HasPrefix(line, []byte("Rss:")):
			dst = &r.RSS
		case bytes.HasPrefix(line, []byte("Pss:")):
			dst = &r.PSS
		case bytes.HasPrefix(line, []byte("Anonymous:")):
			dst = &r.Anon
		default:
			continue
		}
		f := bytes.Fields(line[bytes.IndexByte(line, ':')+1:])
		if len(f) == 0 {
			return rollup{}, fmt.Errorf("smaps_rollup: empty %q", line)
		}
		kb, err := strconv.ParseInt(string(f[0]), 10, 64)
		if err != nil || kb < 0 {
			return rollup{}, fmt.Errorf("smaps_rollup %q: bad number", line)
		}
		*dst = kb
	}
	return r, nil
}

// usage is the summed footprint of a set of processes.
type usage struct {
	RSSKiB int64
	// PSSKiB and AnonKiB are Pss and Anonymous of smaps_rollup: shared
	// pages split between their users, and memory no file backs.
	PSSKiB, AnonKiB int64
	CPU             time.Duration
	Procs           int
}

// measure sums VmRSS, smaps_rollup and the threads' run time (schedstat)
// over pids; vanished processes are skipped.
func measure(pids []int) usage {
	var u usage
	for _, pid := range pids {
		p := "/proc/" + strconv.Itoa(pid)
		mb, err := os.ReadFile(p + "/status")
		if err != nil {
			continue
		}
		rss, err := parseVmRSS(mb)
		if err != nil {
			continue
		}
		u.RSSKiB += rss
		if rb, err := os.ReadFile(p + "/smaps_rollup"); err == nil {
			if r, err := parseRollup(rb); err == nil {
				u.PSSKiB += r.PSS
				u.AnonKiB += r.Anon
			}
		}
		u.Procs++
	}
	u.CPU = cpuTime(pids)
	return u
}

// parseSchedstat reads the first field of /proc/PID/task/TID/schedstat:
// the nanoseconds the thread has spent on a CPU. The kernel counts it at
// every context switch and tick, so it is exact where utime+stime in
// /proc/PID/stat are multiples of 10 ms sampled at ticks.
func parseSchedstat(b []byte) (time.Duration, error) {
	f := bytes.Fields(b)
	if len(f) == 0 {
		return 0, errors.New("schedstat: empty")
	}
	ns, err := strconv.ParseInt(string(f[0]), 10, 64)
	if err != nil || ns < 0 {
		return 0, fmt.Errorf("schedstat %q: bad run time", f[0])
	}
	return time.Duration(ns), nil
}

// cpuTime sums the run time (schedstat) of every thread of pids; threads
// and processes that vanished are skipped, and a thread that exits during
// a window takes its time with it (the daemons' threads live as long as
// they do).
func cpuTime(pids []int) time.Duration {
	var sum time.Duration
	for _, pid := range pids {
		task := "/proc/" + strconv.Itoa(pid) + "/task/"
		ents, err := os.ReadDir(task)
		if err != nil {
			continue
		}
		for _, e := range ents {
			b, err := os.ReadFile(task + e.Name() + "/schedstat")
			if err != nil {
				continue
			}
			if d, err := parseSchedstat(b); err == nil {
				sum += d
			}
		}
	}
	return sum
}
