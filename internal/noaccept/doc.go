// Package noaccept owns Accept_Mode's side effect: a master with
// no_accept (vrrp_strict implies it) must not accept packets addressed to
// its VIPs unless it owns them (priority 255). As keepalived, the VIPs go
// into an nftables drop set just before they are added on becoming master
// and leave it after they are removed. The firewall is opened on first use
// through an injected opener (system.NewFirewall in production, a fake in
// tests), and its table removed at exit.
//
// It must not decide when an instance is master (the daemon calls Drop and
// Release around adding and removing the VIPs).
package noaccept
