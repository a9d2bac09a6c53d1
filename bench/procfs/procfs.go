// Package procfs reads what the benchmarks measure of a daemon's
// processes from /proc: the process tree below a pid, each thread's run
// time (schedstat, nanoseconds) and its context switches. Shared by
// bench/failover and bench/cpuadvert; needs no privileges.
package procfs

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

// Stat is what the benchmark reads from /proc/PID/stat.
type Stat struct {
	PPid int
	CPU  time.Duration // utime + stime
}

// ParseStat reads /proc/PID/stat. The command name is in parentheses and
// may itself hold spaces and parentheses, so fields are counted from the
// last ')'.
func ParseStat(b []byte) (Stat, error) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return Stat{}, errors.New("stat: no command name")
	}
	f := bytes.Fields(b[i+1:])
	// After the name: state(0) ppid(1) ... utime(11) stime(12).
	if len(f) < 13 {
		return Stat{}, fmt.Errorf("stat: %d fields after the name, want at least 13", len(f))
	}
	ppid, err := strconv.Atoi(string(f[1]))
	if err != nil {
		return Stat{}, fmt.Errorf("stat ppid: %w", err)
	}
	ut, err := strconv.ParseUint(string(f[11]), 10, 63)
	if err != nil {
		return Stat{}, fmt.Errorf("stat utime: %w", err)
	}
	st, err := strconv.ParseUint(string(f[12]), 10, 63)
	if err != nil {
		return Stat{}, fmt.Errorf("stat stime: %w", err)
	}
	ticks := ut + st
	if ticks > uint64(1<<62)/uint64(time.Second/clockTick) {
		return Stat{}, errors.New("stat: cpu time out of range")
	}
	return Stat{PPid: ppid, CPU: time.Duration(ticks) * (time.Second / clockTick)}, nil
}

// Descendants returns root and every process below it.
func Descendants(root int) []int {
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
		st, err := ParseStat(b)
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

// ParseSchedstat reads the first field of /proc/PID/task/TID/schedstat:
// the nanoseconds the thread has spent on a CPU. The kernel counts it at
// every context switch and tick, so it is exact where utime+stime in
// /proc/PID/stat are multiples of 10 ms sampled at ticks.
func ParseSchedstat(b []byte) (time.Duration, error) {
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

// CPUTime sums the run time (schedstat) of every thread of pids; threads
// and processes that vanished are skipped, and a thread that exits during
// a window takes its time with it (the daemons' threads live as long as
// they do).
func CPUTime(pids []int) time.Duration {
	return time.Duration(sumTasks(pids, "schedstat", func(b []byte) (int64, error) {
		d, err := ParseSchedstat(b)
		return int64(d), err
	}))
}

// sumTasks sums parse of file of every thread of pids, skipping what
// vanished or does not parse.
func sumTasks(pids []int, file string, parse func([]byte) (int64, error)) int64 {
	var sum int64
	for _, pid := range pids {
		task := "/proc/" + strconv.Itoa(pid) + "/task/"
		ents, err := os.ReadDir(task)
		if err != nil {
			continue
		}
		for _, e := range ents {
			if b, err := os.ReadFile(task + e.Name() + "/" + file); err == nil {
				if n, err := parse(b); err == nil {
					sum += n
				}
			}
		}
	}
	return sum
}

// ParseCtxSwitches sums voluntary_ctxt_switches and
// nonvoluntary_ctxt_switches of a /proc/PID/task/TID/status.
func ParseCtxSwitches(b []byte) (int64, error) {
	var sum int64
	seen := 0
	for len(b) > 0 {
		line := b
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line, b = b[:i], b[i+1:]
		} else {
			b = nil
		}
		k, v, ok := bytes.Cut(line, []byte(":"))
		if !ok || !bytes.HasSuffix(k, []byte("ctxt_switches")) {
			continue
		}
		n, err := strconv.ParseInt(string(bytes.TrimSpace(v)), 10, 64)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("status %s: bad count %q", k, v)
		}
		sum += n
		seen++
	}
	if seen == 0 {
		return 0, errors.New("status: no ctxt_switches")
	}
	return sum, nil
}

// CtxSwitches sums the context switches of every thread of pids.
func CtxSwitches(pids []int) int64 { return sumTasks(pids, "status", ParseCtxSwitches) }
