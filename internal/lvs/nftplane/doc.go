// Package nftplane is the nftables data plane of the LVS half: it
// installs an lvs.State as tables of its own (gokeepalived_lvs, in the ip
// and ip6 families), each change replacing them in one atomic netlink
// batch, and never touches another table.
//
// A virtual service is a jump from the nat prerouting and output chains
// (matched on address, protocol and port, or on the firewall mark) to a
// chain that picks a real server from a verdict map of slots: numgen inc
// walks IPVS's rr/wrr cycle, jhash of the source (sh, mh) or destination
// (dh) indexes IPVS-sized hash tables (256 buckets; a 4093-entry Maglev
// table built here). Each real server's chain does the dnat; persistence
// adds one timed set per real server, keyed on the masked client address,
// consulted before the map. Conntrack keeps established connections where
// they are across changes. Masquerade (optional) adds source NAT.
//
// It refuses what it cannot express, saying why: schedulers that need
// live connection counts (lc, wlc, sed, nq, lblc, lblcr, ovf, twos, fo),
// TUN, and DR (not yet built). It needs root (CAP_NET_ADMIN).
package nftplane
