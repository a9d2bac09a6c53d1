package config

import (
	"runtime"
	"strconv"
)

// Realtime is how the VRRP loop is scheduled: global_defs' vrrp_rt_priority,
// vrrp_no_swap, vrrp_cpu_affinity and vrrp_rlimit_rttime, applied once
// when the daemon starts (as keepalived 2.2.7 does; a reload keeps them).
type Realtime struct {
	// Priority is the SCHED_RR priority of the loop's thread, 1..99;
	// 0 leaves it at the normal scheduler.
	Priority int `json:",omitempty"`
	// NoSwap locks the daemon's memory (mlockall).
	NoSwap bool `json:",omitempty"`
	// CPUs are the CPUs the daemon may run on; empty: no restriction.
	CPUs []int `json:",omitempty"`
	// RlimitRTTime is vrrp_rlimit_rttime as written (nil: not written);
	// RTTimeLimit gives the limit that applies.
	RlimitRTTime *uint64 `json:",omitempty"`
}

// RTTimeLimit is RLIMIT_RTTIME's hard limit in µs (the soft limit is
// half), set only with a Priority: vrrp_rlimit_rttime, else keepalived's
// default of 10 ms; 0 leaves the limit alone.
func (r Realtime) RTTimeLimit() uint64 {
	if r.RlimitRTTime == nil {
		return defaultRlimitRTTime
	}
	return *r.RlimitRTTime
}

// defaultRlimitRTTime is keepalived's RT_RLIMIT_DEFAULT (µs).
const defaultRlimitRTTime = 10000

// SCHED_RR's priority range on Linux (sched_get_priority_min/max).
const rtPrioMin, rtPrioMax = 1, 99

// rtPriorityKw reads vrrp_rt_priority: out-of-range values are clamped
// to 1..99 with an error, as keepalived does.
func rtPriorityKw(l *loader, n *Node, g *GlobalDefs) {
	t, ok := l.arg(n, 0)
	if !ok {
		return
	}
	v, err := strconv.ParseInt(t.Text, 10, 32)
	if err != nil {
		l.errorf(t.Pos, "%s: %q is not a real-time priority", n.Keyword.Text, t.Text)
		return
	}
	switch {
	case v < rtPrioMin:
		l.errorf(t.Pos, "%s: %d less than minimum %d, using %d", n.Keyword.Text, v, rtPrioMin, rtPrioMin)
		v = rtPrioMin
	case v > rtPrioMax:
		l.errorf(t.Pos, "%s: %d greater than maximum %d, using %d", n.Keyword.Text, v, rtPrioMax, rtPrioMax)
		v = rtPrioMax
	}
	g.Realtime.Priority = int(v)
}

// cpuAffinityKw reads vrrp_cpu_affinity CPU...: each an online CPU
// number; one bad number drops the whole set, as keepalived does.
func cpuAffinityKw(l *loader, n *Node, g *GlobalDefs) {
	if _, ok := l.arg(n, 0); !ok {
		return
	}
	g.Realtime.CPUs = nil
	var cpus []int
	for i := range n.Args {
		v, ok := l.intArg(n, i, 0, int64(runtime.NumCPU()-1))
		if !ok {
			return
		}
		cpus = append(cpus, int(v))
	}
	g.Realtime.CPUs = cpus
}

// rlimitRTTimeKw reads vrrp_rlimit_rttime (and its old spelling
// vrrp_rlimit_rtime): µs, at least 2 (the soft limit is half of it); a
// bad value turns the limit off, as keepalived does.
func rlimitRTTimeKw(l *loader, n *Node, g *GlobalDefs) {
	v, ok := l.intArg(n, 0, 1, 1<<32-1)
	lim := uint64(max(v, 2))
	if !ok {
		lim = 0
	}
	g.Realtime.RlimitRTTime = &lim
}

func init() {
	globalKeywords["vrrp_rt_priority"] = rtPriorityKw
	globalKeywords["vrrp_no_swap"] = func(_ *loader, _ *Node, g *GlobalDefs) { g.Realtime.NoSwap = true } // keepalived reads no argument
	globalKeywords["vrrp_cpu_affinity"] = cpuAffinityKw
	globalKeywords["vrrp_rlimit_rttime"] = rlimitRTTimeKw
	globalKeywords["vrrp_rlimit_rtime"] = deprecatedKw("vrrp_rlimit_rttime", rlimitRTTimeKw)
}
