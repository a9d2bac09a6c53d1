// Package director runs the LVS half of one configuration: it owns the
// health-check runner, what the checkers found about every real server,
// the quorum state of every virtual server, and the data plane, and keeps
// the plane equal to lvs.Desired of them.
//
// Its inputs are the runner's events, the addresses this host holds (for
// ha_suspend, from the VRRP side), reloads (a new configuration: real
// servers and services change by difference, surviving real servers keep
// what their checkers found) and Stop (omega notifications, then the
// plane removes what it installed). Its outputs are the plane's state,
// notify_up/notify_down and quorum_up/quorum_down scripts (already passed
// through the script gate by the caller), the LVS FIFO lines keepalived
// writes (`RS <rs> <vs> UP|DOWN`, `VS <vs> UP|DOWN`) and a Status
// snapshot.
//
// The decisions live in core, which is pure and tested without root; the
// Director adds one goroutine around it. It must not run VRRP, open the
// FIFOs or decide which scripts are allowed: the daemon does that.
package director
