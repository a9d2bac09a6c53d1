// Package instance is the pure VRRP state machine of one vrrp_instance, with
// keepalived's semantics on top of RFC 3768 (v2) and RFC 5798/9568 (v3).
//
// A Machine is driven by Step(now, event) and tells its caller what to do
// through the returned actions; Deadline says when to call Step with Timeout
// next. A Group coordinates the members of a vrrp_sync_group.
//
// It must not touch the operating system: no goroutines, sockets, locks,
// clocks (time.Now) or logging. The daemon feeds it events and carries out
// its actions; the simulator in package sim drives it in virtual time.
package instance
