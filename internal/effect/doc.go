// Package effect computes what the trackers do to each VRRP instance: one
// pure function from the configuration and the trackers' current states to
// the instance's priority deltas and FAULT causes, each under a typed
// Cause, and the difference between two such sets.
//
// It owns keepalived's tracking rules (which weight applies, when a
// tracker means FAULT rather than a priority change, what a sync group
// adds). It must not read the system, run scripts or watch files: the
// daemon observes all of that and passes the results in through States
// and Instance; nor step machines: the daemon does that with Changes.
package effect
