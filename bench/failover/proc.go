package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/gokeepalived/gokeepalived/bench/procfs"
)

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
	u.CPU = procfs.CPUTime(pids)
	return u
}
