// Package daemon wires the configuration, the VRRP machines, the Linux
// system layer, the trackers and the notifiers into the running daemon.
//
// One goroutine, the loop, owns every machine and all mutable state: it
// selects on received packets, tracker results, link events, requests from
// the control API and one timer re-armed to the earliest machine deadline,
// steps the machines and carries out their actions. Other goroutines only
// read sockets, run scripts or watch files and hand what they saw to the
// loop over channels, so a slow script, a stalled API client or a full FIFO
// can never hold up an advert.
//
// The machine is reached only through the System that New is given
// (OpenSystem's Linux one in production, fakes in package daemontest's
// in-process harness); docs/ARCHITECTURE.md draws the whole picture.
//
// What the loop carries out lives in packages of its own, each behind a
// narrow interface: host is the System, vinst one running instance (wire
// template, VIPs, AH and auth_hmac, counters, log lines, the timer pass's
// batched sends), demux the sockets and the receive checks, reload the
// configuration reading, the reload worker and its plan, dynif the
// interfaces and addresses that come and go, effect what the
// trackers do to an instance, trackers runs them (and the start and stop
// scripts), route holds routes, rules and static addresses, vmac the
// VMAC interfaces, noaccept no_accept's drop set, updown the interface
// up/down delays, notify/policy the notify FIFOs and which states are
// announced, realtime the scheduling keywords, lvs/half the LVS half and
// bgp/announcer the BGP side. The daemon keeps the loop, the lifecycle,
// the reload swap and the dispatch between them, with one-line calls into
// each.
//
// It must not implement protocol decisions (package instance does), parse
// packets or configs itself (packages vrrp and config do) or touch the
// system other than through System and package system.
package daemon
