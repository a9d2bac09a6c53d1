// Package vinst owns one running vrrp_instance as the daemon's loop sees
// it: the machine (package instance) with everything needed to carry out
// its actions on the wire — the resolved interface and advert source, the
// virtual addresses placed on interfaces, the advert template and receive
// expectations, auth_type AH state, counters (carried over a reload's
// restart and a clear), rate-limited log lines in keepalived's wording,
// its VMACs and virtual routes made through the vmac and route managers
// it is handed — and the Unit the loop steps (a standalone instance, or
// the members of one vrrp_sync_group; Units groups them), kept by
// deadline in Timers, the loop's heap. A few functions read a list of
// instances the caller passes (Held, MasterRoutes, RemoveStale,
// CarryStats, ClearStats).
//
// An Instance is built off the loop from configuration and interface
// lookups (New), so a reload can prepare instances while the loop runs.
// It never opens sockets, adds addresses or reads the clock on its own:
// the daemon hands it a socket (Socket), a send buffer and the time.
//
// It must not decide VRRP (instance does), parse packets (vrrp does) or
// reach the daemon's other instances on its own.
package vinst
