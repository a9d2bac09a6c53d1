// Package daemontest runs several gokeepalived daemons in one process, over
// a fake LAN, in virtual time: each daemon is the real daemon.Daemon (its
// loop, reload, trackers and notifier), given a daemon.System of fakes
// instead of Linux. The LAN carries every advert a daemon writes to the
// others (loss and partitions on request); each node's address table
// records the virtual addresses its daemon adds and removes and the
// gratuitous ARPs it sends; vrrp_scripts run through a fake that answers
// what the scenario says, and notify scripts and notify FIFO lines go into
// the transcript. Scenarios also add, delete and flap interfaces and
// change addresses behind the daemon's back, as the kernel would report.
//
// Scenarios are small text scripts (testdata/*.txt) whose transcripts are
// compared with golden files; Run executes one inside a testing/synctest
// bubble, so ten minutes of protocol time take milliseconds and every
// timer fires at its exact instant. See Parse for the language.
//
// It must never touch a real socket, netlink or network namespace: it runs
// without root in the default test suite, beside everything else.
package daemontest
