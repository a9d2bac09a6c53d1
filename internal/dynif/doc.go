// Package dynif owns the interfaces and addresses that come and go under
// the running instances: dynamic_interfaces (an instance whose interface
// is missing waits in FAULT until it appears, and goes back to waiting
// when it is deleted), interface_up_down_delays (link flaps debounced
// before instances see them, through package updown), the link state the
// trackers read (track_interface, kept from the link watcher's events, so
// reading it costs no netlink request), the advert source re-read when an
// interface's addresses change, track_src_ip, and our virtual addresses
// removed from outside.
//
// A Watcher runs on the daemon's loop. It reads the running instances and
// acts on them through the Deps it is given (binding sockets, refreshing
// tracker effects, posting delayed work back to the loop); it must not
// step machines or open sockets itself.
package dynif
