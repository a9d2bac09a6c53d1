// Package track runs keepalived's health checks and trackers: vrrp_script
// (a Runner per script, each run in its own process group, killed on
// timeout), the pure rise/fall Tracker, the script Gate every script of
// every kind must pass (user, program and path security; Exec runs only
// what the Gate returns), and the
// track_interface, track_file and vrrp_track_process trackers. It turns
// each into a State and, through a Weight, into an Effect (a priority delta
// or FAULT) that the daemon adds up with Priority.
//
// It must not touch the network, decide VRRP state or send notifications:
// it only reports what it observed. Pure logic (Tracker, Weight, Priority,
// ProcessQuorum, ParseFileValue) is kept apart from the code that starts
// processes, reads /proc or watches files, so it can be tested without them.
package track
