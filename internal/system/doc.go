// Package system is gokeepalived's Linux side: raw IP sockets for VRRP
// (protocol 112, IPv4 and IPv6; 51 for keepalived's IPsec AH), virtual addresses through netlink,
// gratuitous ARP and unsolicited neighbour advertisements on packet sockets,
// and link state and interface lookups through netlink.
//
// Each capability sits behind a small interface shaped like the domain
// (Conn, Addresser, Announcer, LinkWatcher) with a Linux implementation here
// and a recording fake in package systemtest. Everything is created in the
// network namespace of the calling thread, which for the daemon is the
// process's namespace.
//
// The package must not parse or build VRRP messages (package vrrp does),
// decide anything about VRRP state (package instance does), or log per
// packet above Debug. It carries payload bytes and metadata only.
package system
