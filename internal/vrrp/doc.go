// Package vrrp is the VRRP wire format, version 2 (RFC 3768) and version 3
// (RFC 5798/9568), for IPv4 and IPv6: Advertisement, Parse, AppendBinary and
// the checksums in every form keepalived puts on the wire.
//
// It must not touch the operating system: no sockets, no clocks, no logging.
// Parsing is total: any byte slice is either accepted or rejected with a
// Reason, never a panic.
package vrrp
