package daemon

import (
	"os"
	"os/signal"
	"runtime"
	"syscall"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/system"
)

// realtimeOS is what applyRealtime asks of the machine (tests swap it).
var realtimeOS = struct {
	lockThread func()
	setRR      func(prio int) error
	rttime     func(limitUS uint64) error
	lockMemory func() error
	affinity   func(cpus []int) error
	watchXCPU  func(c chan<- os.Signal)
}{runtime.LockOSThread, system.SetThreadRR, system.SetRTTimeLimit, system.LockMemory,
	system.SetProcessAffinity, func(c chan<- os.Signal) { signal.Notify(c, syscall.SIGXCPU) }}

// applyRealtime applies vrrp_rt_priority, vrrp_rlimit_rttime, vrrp_no_swap
// and vrrp_cpu_affinity, once, from the loop's goroutine, in keepalived's
// order. With a priority the goroutine keeps its OS thread for good, and
// only that thread runs SCHED_RR: the loop, which sends every advert.
// Like keepalived, a setting that fails is logged and the daemon runs on.
func (d *Daemon) applyRealtime(r config.Realtime) {
	if r.Priority > 0 {
		realtimeOS.lockThread() // never unlocked: the thread ends with the loop
		if err := realtimeOS.setRR(r.Priority); err != nil {
			d.log.Warn("cannot raise priority", "vrrp_rt_priority", r.Priority, "err", err)
		} else if lim := r.RTTimeLimit(); lim > 0 {
			if err := realtimeOS.rttime(lim); err != nil {
				d.log.Warn("cannot set realtime rlimit", "vrrp_rlimit_rttime", lim, "err", err)
			} else {
				xcpu := make(chan os.Signal, 1)
				realtimeOS.watchXCPU(xcpu)
				go func() {
					for range xcpu {
						d.log.Warn("loop thread used half of vrrp_rlimit_rttime without sleeping; at the whole it is killed", "vrrp_rlimit_rttime", lim)
					}
				}()
			}
		}
	}
	if r.NoSwap {
		if err := realtimeOS.lockMemory(); err != nil {
			d.log.Warn("Unable to lock process in memory", "err", err)
		}
	}
	if len(r.CPUs) > 0 {
		if err := realtimeOS.affinity(r.CPUs); err != nil {
			d.log.Warn("unable to set cpu affinity to vrrp process", "cpus", r.CPUs, "err", err)
		}
	}
}
