// Package ipvsplane is the IPVS data plane of the LVS half: it installs an
// lvs.State through IPVS's generic netlink family (github.com/cloudflare/ipvs),
// the services and destinations keepalived would install for the same
// configuration, so `ipvsadm -Ln` reads the same. Each Apply changes only
// the difference from what it installed before (no flush: established
// connections and persistence templates of surviving servers stay), and
// never touches services it did not install. It needs a kernel with IPVS
// (/proc/net/ip_vs) and root.
package ipvsplane
