// Package plan predicts, before deployment, where every virtual address of a
// set of keepalived configurations lands: in the steady state for each start
// order, after each single failure (a node crashing or stopping, a tracked
// script, process or interface failing) and after recovery, with the
// takeover times the protocol implies. It loads each node's configuration
// with package config, maps every vrrp_instance with fromconfig.Config and
// runs them in the simulator of package sim; it also reports, in plain words
// with file:line, configuration choices that make the placement surprising
// (equal priorities, weights too small to move a VIP, mismatched peers).
//
// It backs the `gokeepalived plan` subcommand (Run). It must not touch the
// network or the system: everything is computed in virtual time, and it
// must not re-derive the machine's configuration from the parsed one by
// itself (fromconfig.Config does that).
package plan
