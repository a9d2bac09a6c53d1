// Package logging writes gokeepalived's log the way keepalived's is read.
//
// A record's message is keepalived's own line text ("(VI_1) Entering MASTER
// STATE", "VRRP_Script(chk) succeeded"), so an alert, a log shipper rule or a
// runbook written for keepalived matches gokeepalived. The structured
// attributes follow the message as key=value pairs (Text) or are fields of a
// JSON object (JSON). One Handler feeds every destination keepalived's flags
// ask for:
//
//   - the console (-l): keepalived's "Mon Jan  2 15:04:05 2006: " time
//     prefix; when stderr is journald's stream (JOURNAL_STREAM), a "<N>"
//     severity prefix instead and no time, which journald supplies;
//   - a file (-g): keepalived's file time prefix, with nanoseconds;
//   - syslog (the default): one severity per level (daemon.err,
//     daemon.warning, daemon.info, daemon.debug with the default facility),
//     under keepalived's identifiers: "Keepalived" for the lines of its parent
//     process (start, reload, stop) and "Keepalived_vrrp" for the rest.
//
// The package must not decide what is logged, nor read configuration: the
// caller passes the destinations, the level and the identifier.
package logging
