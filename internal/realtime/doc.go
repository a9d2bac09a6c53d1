// Package realtime applies the VRRP process's scheduling settings
// (vrrp_rt_priority, vrrp_rlimit_rttime, vrrp_no_swap,
// vrrp_cpu_affinity) to the calling goroutine's thread and the process,
// in keepalived's order, through package system's calls.
//
// It must not decide when to apply them: the daemon calls Apply once,
// from its loop's goroutine.
package realtime
