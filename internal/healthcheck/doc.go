// Package healthcheck is the pure half of the LVS checker: what each
// health checker of a real server is (Check, built from keepalived.conf by
// FromConfig), and the Engine that schedules checks and applies
// keepalived's state rules to their results (delay_loop, connect_timeout,
// retry, delay_before_retry, warmup, alpha, omega, misc_dynamic and
// FILE_CHECK weights, a real server being up only while all its checkers
// are).
//
// The Engine is driven like internal/instance: Step(now, event) returns
// outputs and Deadline says when to call it next. It must not start
// goroutines, read the clock, open sockets or run processes: the probes
// that do the I/O live in healthcheck/probe and the goroutines that drive
// the Engine with them in healthcheck/runner.
package healthcheck
