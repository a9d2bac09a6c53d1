// Package host is the machine a daemon runs on, as the loop sees it: the
// System of small interfaces (links, addresses, GARP/NA, VRRP sockets,
// the loop's timer, address watching, signals, script execution,
// no_accept's firewall), Open, which builds the Linux one from package
// system, and the extra signals keepalived handles.
//
// Tests build a System of fakes (system/systemtest, daemon/daemontest).
// It must not decide anything: it only opens and closes.
package host
