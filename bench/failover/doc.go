// Command failover is the side-by-side benchmark of gokeepalived against
// keepalived (issue 9): on one machine and one lab topology (servers a and
// b, a client, all in network namespaces built by internal/lab) it measures
//
//   - failover as a client sees it: a client probes a VIP every 5 ms with a
//     UDP request that a small responder on each server answers with the
//     server's name; scenarios S1 (master host dies), S2 (graceful stop),
//     S3 (the checked service dies) and S4 (the master returns, preempt),
//     with a capture on the client showing the last advert of the old
//     master and the first advert and gratuitous ARP of the new one;
//   - footprint: RSS summed over every process of a daemon and CPU seconds
//     over an idle window, for 2, 50 and 255 instances;
//   - timer accuracy: the spread of a master's advert intervals at 255
//     instances × 10 ms, with and without a CPU hog on every core;
//
// and prints the results as markdown tables (stdout and --out).
//
// The same binary re-executes itself in hidden modes: `responder` (the UDP
// server inside a server host) and `hog` (a busy loop).
//
// It must never touch the root network namespace: every address, link,
// daemon and packet lives in namespaces the lab creates, and every exit
// path (including SIGINT/SIGTERM) closes the labs, which kills every
// process started in them and deletes their namespaces. It needs root.
package main
