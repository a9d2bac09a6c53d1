// Package updown owns interface_up_down_delays: per interface, the raw
// link state netlink reports and the state the instances see, which
// follows the raw one after the configured delay (deletion is never
// delayed), so that a flapping link does not flap the instances.
//
// It must not know instances: the daemon tells it what the instances saw
// at start and applies the states it hands back on the loop.
package updown
