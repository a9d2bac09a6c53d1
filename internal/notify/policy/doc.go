// Package policy decides which notifications the daemon's state changes
// give, beyond the notify scripts: the notify FIFO's priority lines
// (notify_priority_changes), the states written again after a reload
// (fifo_write_vrrp_states_on_reload), and smtp_alert's mails (which
// instances and groups mail, that a state is mailed once, no_email_faults,
// and the mailer's configuration).
//
// Package notify formats and delivers: scripts, FIFO lines, mails. This
// package only chooses what goes out, from the configuration. It must not
// look at machines or sockets: the daemon passes the states in.
package policy
