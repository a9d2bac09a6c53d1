// Package lvs turns the LVS half of a configuration into the state a
// kernel load balancer should have, and defines the data planes that
// install it.
//
// Desired is a pure function: from the typed configuration, the health
// and effective weight of each real server (what the checkers found) and
// which addresses this host holds (for ha_suspend), it computes every
// virtual service with its destinations and their weights, following
// keepalived's rules: a failed server leaves the pool, or stays with
// weight 0 under inhibit_on_failure; the sum of live weights against
// quorum ± hysteresis decides whether the service is up, and when it is
// not the sorry server replaces the pool; quorum changes come out as
// events for quorum_up / quorum_down and the LVS FIFO. The caller keeps
// the previous quorum states and passes them back in.
//
// DataPlane is what installs a State: the nftables plane (nftplane) and
// the IPVS plane (ipvsplane) implement it. Each replaces what it installed
// before with the new State and touches nothing else.
//
// This package must not touch the system: no sockets, files, processes
// or clocks.
package lvs
