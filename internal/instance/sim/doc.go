// Package sim runs N VRRP routers (instance.Machines) in virtual time over a
// seeded random LAN: loss, delay, duplication, reordering (through jitter),
// partitions and heals, crashes and restarts, tracker weights and faults,
// and sync groups (a node's instances stepped through one instance.Group).
// The same seed gives the same run. It records every transition and
// who is master of each VRID over time; scripts with golden transcripts and
// the election properties are tested on it, and the planner builds on it.
//
// It must not touch the operating system or the wall clock: no sockets, no
// goroutines, no time.Now.
package sim
