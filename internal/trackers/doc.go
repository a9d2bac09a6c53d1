// Package trackers runs the trackers a configuration uses (vrrp_script,
// track_file, vrrp_track_process), keeps their current states for the
// daemon's loop, and describes them for the status API.
//
// A Set is owned by the loop: its script runners hand results over a
// channel, its file and process watchers over the post function, and
// nothing else touches its maps. It implements the tracker half of
// effect.States; it must not compute effects, step machines or decide
// whether a script may run (the daemon's script gate does, through
// Config.Check).
package trackers
