// Package config reads keepalived.conf exactly as keepalived does and
// turns it into a typed, validated Config.
//
// It works in two phases. The syntax layer (ParseFile, ParseBytes, Dump)
// turns text into a tree of positioned Nodes: comments, quotes, include,
// @id conditional lines, $NAME parameters and ~SEQ/~LST generators. The
// model layer (Load, LoadBytes, LoadNodes) walks that tree with one small
// function per keyword, registered in a table per block, fills in
// keepalived's defaults and runs the checks keepalived runs. Every problem
// becomes a Diagnostic pointing at the offending token; where keepalived
// silently repairs something, a warning says so. ExitCode turns a loaded
// Config into keepalived's config-test exit code.
//
// It must not touch the network or change the system: reading the
// configuration files, reading iproute2's name tables and /etc/protocols
// (through Options.Names, for route and rule options), and looking up
// whether a script's program exists (as keepalived's script-security check
// does), are its only side effects.
// It checks that interfaces exist only when Options.InterfaceExists is
// given, as the config test (-t) does; otherwise that is the daemon's job.
package config
