// Package announcer is the daemon's BGP side (issue 16, docs/bgp.md): it
// owns the speaker's lifecycle, the hold-down timers and the anycast
// addresses, and turns what the loop knows (the configuration, the
// trackers' health, the instances' states) into the routes the speaker
// announces.
//
// The loop calls Sync after every event it handles: the announcer
// recomputes the routes (bgp.Desired), damps them (bgp.HoldDown), puts
// the anycast addresses on their interface (lo unless a dev is given)
// before the routes go out and takes them off after a withdrawal, and
// hands the set to the speaker, which never makes the loop wait for the
// network. When a hold-down ends it asks the loop to run again (Deps.Wake).
// A reload that keeps local_as, router_id and the listening port updates
// the running speaker (unchanged neighbors keep their sessions);
// otherwise the speaker is closed and a new one started. Stop marks the
// routes GRACEFUL_SHUTDOWN for graceful_shutdown seconds, withdraws them,
// closes the sessions and takes the addresses off.
//
// It must not decide VRRP state or run trackers: the loop does, and the
// announcer reads the results through Deps.
package announcer
