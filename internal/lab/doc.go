// Package lab builds throw-away Ethernet LANs out of Linux network
// namespaces: one namespace holding a bridge, and one namespace per host,
// each joined to the bridge by a veth pair whose host end is named the way a
// keepalived.conf expects (eth1 by default). Tests, the demo command and the
// benchmarks use it to run real daemons against real kernels.
//
// A Lab runs programs inside its hosts (Host.Run, Host.Exec), runs Go code on
// an OS thread switched into a host's namespace (Host.Do), takes links down and
// up, and reads addresses. Close kills every process it started (by process
// group) and deletes every namespace it made; New registers Close with
// t.Cleanup, Build leaves it to the caller.
//
// The package must never touch the root network namespace beyond creating
// and deleting its own namespaces: no addresses, links, sysctls or daemons
// there. Every namespace name starts with "gk" and a per-lab random tag, so
// leftovers are easy to find (`ip netns list | grep ^gk`). It needs root.
package lab
