// Package half is the daemon's glue to the LVS half (virtual_server
// blocks): it opens the data plane and the lvs_notify_fifo, passes the
// notify and quorum scripts through the script gate, runs the checker's
// smtp_alert mailer, starts, reloads and stops the director.Director and
// converts its status for the control API. Halves drops the half that
// -C or -P does not run.
//
// The loop calls Start, Reload, SetAddrs (the VIPs this host holds, which
// ha_suspend follows), Status and Stop, all on the loop; the director
// calls back Script and Alert from its own goroutines.
//
// It must not run checkers or program the balancer (package director
// does) nor judge scripts itself (Deps.Check, the daemon's gate, does).
package half
