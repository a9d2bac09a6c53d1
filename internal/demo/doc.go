// Package demo is `gokeepalived demo`: a newcomer's first look at the
// product. As root it builds the seed scenario's LAN in network namespaces
// (servers A and B, a client), runs a web server on each server (real nginx
// when installed, else a built-in one served by the same binary), starts
// gokeepalived on A and B with the seed's configuration, and shows a
// virtual IP moving from A to B when A's web server stops and back when it
// returns, with the outage the client measured each time. It then removes
// everything it made.
//
// It must not touch the root network namespace (everything runs in
// namespaces built by package lab), leave anything behind on any exit path,
// or take decisions that belong to the daemon: it only starts, stops and
// observes.
package demo
