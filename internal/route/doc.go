// Package route owns the routes, rules and addresses gokeepalived puts in
// the kernel besides the virtual addresses: static_ipaddress,
// static_routes and static_rules (a Table), each instance's
// virtual_routes and virtual_rules (a Virtual, which the Table puts on and
// takes off as the instance becomes master or leaves it), the put-back of
// those deleted from outside, and the track_group state of static entries
// (Table.Tracked, which package effect turns into faults).
//
// Every option is parsed and checked by package config; this package only
// maps it onto package system's netlink types. It runs on the daemon's
// loop: its only goroutines forward netlink events to the loop through the
// post function it is given. It must not decide instance states or step
// machines.
package route
