package realtime

import (
	"log/slog"
	"os"
	"os/signal"
	"runtime"
	"syscall"

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
func Apply(log *slog.Logger, r config.Realtime) {
	if r.Priority > 0 {
		osCalls.lockThread() // never unlocked: the thread ends with the loop
		if err := osCalls.setRR(r.Priority); err != nil {
			log.Warn("cannot raise priority", "vrrp_rt_priority", r.Priority, "err", err)
		} else if lim := r.RTTimeLimit(); lim > 0 {
			if err := osCalls.rttime(lim); err != nil {
				log.Warn("cannot set realtime rlimit", "vrrp_rlimit_rttime", lim, "err", err)
			} else {
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
}
