// Package demux owns the VRRP sockets and the way received adverts find
// their instance: one socket per interface and family shared by the
// instances on it (a second one for auth_type AH), a reader goroutine per
// socket handing packets to the loop, and on the loop the checks of a
// packet against its instance (parse, vrrp.Check, keepalived's drop
// counters and log lines) before the daemon steps the machine.
//
// It must not step machines or decide VRRP: Receive returns the instance
// whose advert passed, and the daemon feeds it on.
package demux
