// Package bgp announces virtual addresses by BGP (issue 16): from every
// healthy node for an anycast_group, from the MASTER (and, when asked, with
// a worse path from a BACKUP) for a vrrp_instance with bgp_announce.
//
// It has two halves. Desired and HoldDown are pure: from the configuration,
// the trackers' health and the VRRP states they compute the routes this
// node should announce, damping a flapping tracker; they are tested in
// tables without a network. Speaker runs an embedded GoBGP server
// (github.com/osrg/gobgp/v4) with the configured neighbors and keeps the
// announced routes equal to the last set it was given.
//
// Speaker's methods never block the caller on the network: SetAnnounced
// and Withdraw record the wanted set and return; one goroutine owns the
// GoBGP server and converges to the newest wanted set, so a neighbor that
// is down, flaps or sends garbage cannot delay VRRP adverts or checks.
// Status returns the last snapshot. Only Close and GracefulShutdown wait,
// bounded by their context.
//
// It must not decide VRRP state, run trackers or add addresses: the daemon
// does that and passes the results in.
package bgp
