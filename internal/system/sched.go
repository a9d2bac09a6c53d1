package system

import (
	"time"

	"errors"
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// The scheduling settings keepalived applies to its VRRP process
// (vrrp_rt_priority, vrrp_no_swap, vrrp_cpu_affinity, vrrp_rlimit_rttime),
// as system calls. The daemon decides when and with what; see
// daemon/rt.go.

// SetThreadRR puts the calling OS thread under SCHED_RR at prio (1..99),
// with SCHED_RESET_ON_FORK so that threads and processes it creates start
// at the normal scheduler. The caller must hold the thread
// (runtime.LockOSThread) and never release it, or the runtime hands the
// real-time thread to other goroutines.
func SetThreadRR(prio int) error {
	attr := unix.SchedAttr{
		Size:     unix.SizeofSchedAttr,
		Policy:   unix.SCHED_RR,
		Flags:    unix.SCHED_FLAG_RESET_ON_FORK,
		Priority: uint32(prio),
	}
	if err := unix.SchedSetAttr(0, &attr, 0); err != nil {
		return fmt.Errorf("sched_setattr SCHED_RR %d: %w", prio, err)
	}
	return nil
}

// LockMemory locks every page of the process in memory, now and later
// (mlockall), as each is first touched (MCL_ONFAULT, as keepalived):
// the Go heap's reserved but untouched address space stays unbacked.
func LockMemory() error {
	if err := unix.Mlockall(unix.MCL_CURRENT | unix.MCL_FUTURE | unix.MCL_ONFAULT); err != nil {
		return fmt.Errorf("mlockall: %w", err)
	}
	return nil
}

// SetProcessAffinity restricts every thread of the process to cpus.
// Threads created later inherit the set from the thread that creates
// them; the pass is repeated until it finds no thread it has not set, so
// a thread started during it is not missed.
func SetProcessAffinity(cpus []int) error {
	var set unix.CPUSet
	for _, c := range cpus {
		set.Set(c)
	}
	done := map[int]bool{}
	for range 10 {
		tids, err := threads()
		if err != nil {
			return err
		}
		fresh := 0
		for _, tid := range tids {
			if done[tid] {
				continue
			}
			fresh++
			if err := unix.SchedSetaffinity(tid, &set); err != nil && !errors.Is(err, unix.ESRCH) {
				return fmt.Errorf("sched_setaffinity %v on thread %d: %w", cpus, tid, err)
			}
			done[tid] = true
		}
		if fresh == 0 {
			return nil
		}
	}
	return nil
}

// threads lists the thread ids of the process.
func threads() ([]int, error) {
	ents, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return nil, fmt.Errorf("list threads: %w", err)
	}
	tids := make([]int, 0, len(ents))
	for _, e := range ents {
		if tid, err := strconv.Atoi(e.Name()); err == nil {
			tids = append(tids, tid)
		}
	}
	return tids, nil
}

// SetRTTimeLimit sets RLIMIT_RTTIME: a real-time thread may run limitUS
// µs of CPU without blocking before it is killed, and gets SIGXCPU at
// half of that (keepalived's soft/hard split).
func SetRTTimeLimit(limitUS uint64) error {
	lim := unix.Rlimit{Cur: limitUS / 2, Max: limitUS}
	if err := unix.Setrlimit(unix.RLIMIT_RTTIME, &lim); err != nil {
		return fmt.Errorf("setrlimit RLIMIT_RTTIME %d µs: %w", limitUS, err)
	}
	return nil
}

// SleepThread puts the calling thread to sleep for d with nanosleep
// itself, not the Go scheduler: the thread really blocks, which is what
// resets RLIMIT_RTTIME's count for a SCHED_RR thread (realtime.Budget).
func SleepThread(d time.Duration) {
	ts := unix.NsecToTimespec(d.Nanoseconds())
	_ = unix.Nanosleep(&ts, nil) // an interrupted sleep has blocked too
}
