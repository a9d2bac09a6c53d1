package realtime

import (
	"log/slog"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/system"
)

// osCalls is what Apply asks of the machine (tests swap it).
var osCalls = struct {
	lockThread func()
	setRR      func(prio int) error
	rttime     func(limitUS uint64) error
	lockMemory func() error
	affinity   func(cpus []int) error
	watchXCPU  func(c chan<- os.Signal)
}{runtime.LockOSThread, system.SetThreadRR, system.SetRTTimeLimit, system.LockMemory,
	system.SetProcessAffinity, func(c chan<- os.Signal) { signal.Notify(c, syscall.SIGXCPU) }}

// Apply applies vrrp_rt_priority, vrrp_rlimit_rttime, vrrp_no_swap
// and vrrp_cpu_affinity, once, from the loop's goroutine, in keepalived's
// order. It must run on the loop's goroutine: with a priority the goroutine keeps its OS thread for good, and
// only that thread runs SCHED_RR: the loop, which sends every advert.
// Like keepalived, a setting that fails is logged and the daemon runs on.
// It returns the Budget the loop spends with a real-time limit in force,
// nil otherwise.
func Apply(log *slog.Logger, r config.Realtime) *Budget {
	var budget *Budget
	if r.Priority > 0 {
		osCalls.lockThread() // never unlocked: the thread ends with the loop
		if err := osCalls.setRR(r.Priority); err != nil {
			log.Warn("cannot raise priority", "vrrp_rt_priority", r.Priority, "err", err)
		} else if lim := r.RTTimeLimit(); lim > 0 {
			if err := osCalls.rttime(lim); err != nil {
				log.Warn("cannot set realtime rlimit", "vrrp_rlimit_rttime", lim, "err", err)
			} else {
				budget = newBudget(lim)
				xcpu := make(chan os.Signal, 1)
				osCalls.watchXCPU(xcpu)
				go func() {
					for range xcpu {
						log.Warn("loop thread used half of vrrp_rlimit_rttime without sleeping; at the whole it is killed", "vrrp_rlimit_rttime", lim)
					}
				}()
			}
		}
	}
	if r.NoSwap {
		if err := osCalls.lockMemory(); err != nil {
			log.Warn("Unable to lock process in memory", "err", err)
		}
	}
	if len(r.CPUs) > 0 {
		if err := osCalls.affinity(r.CPUs); err != nil {
			log.Warn("unable to set cpu affinity to vrrp process", "cpus", r.CPUs, "err", err)
		}
	}
	return budget
}

// Budget keeps a real-time loop thread under RLIMIT_RTTIME, which counts
// the CPU time a SCHED_RR thread uses without sleeping and kills the
// process at the hard limit (keepalived's VRRP child dies of it and its
// parent respawns it; gokeepalived has no parent to do that). The loop
// calls Spend between units of work — each event, each instance a timer
// pass steps, each deferred action of a mass takeover — and once a quarter
// of the soft limit has passed since Budget last slept, Spend sleeps for a
// microsecond: a blocking call, which resets the kernel's count. Wall
// time is counted, never less than the CPU time, so the thread sleeps a
// little more often than it must; at most once every quarter of the soft
// limit. A nil Budget (no real-time limit) does nothing.
type Budget struct {
	every time.Duration
	last  time.Time
	now   func() time.Time
	sleep func()
	Slept uint64 // how many times Spend slept
}

// newBudget is the Budget of an RLIMIT_RTTIME hard limit of limitUS µs
// (the soft limit, at which SIGXCPU comes, is half of it).
func newBudget(limitUS uint64) *Budget {
	every := time.Duration(limitUS) * time.Microsecond / 8
	return &Budget{every: every, last: time.Now(), now: time.Now, sleep: func() { system.SleepThread(budgetSleep) }}
}

// Spend is called between units of the loop's work.
func (b *Budget) Spend() {
	if b == nil {
		return
	}
	if now := b.now(); now.Sub(b.last) >= b.every {
		b.sleep()
		b.Slept++
		b.last = b.now()
	}
}

// budgetSleep is how long Budget sleeps: long enough that the kernel
// really takes the thread off the CPU (a sleep of a microsecond can end
// before the thread is switched out, which resets nothing).
const budgetSleep = 50 * time.Microsecond
