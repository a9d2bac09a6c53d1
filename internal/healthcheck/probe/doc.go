// Package probe holds the health checks that do real I/O, one small type
// per keepalived checker (TCP, HTTP and SSL, SMTP, DNS, Misc, Ping, UDP,
// File), each a healthcheck.Prober. New builds the right one for a
// healthcheck.Check; a MISC_CHECK script goes through the script security
// gate (internal/track) there, and runs only as the gate returned it.
//
// Every probe returns by its timeout or when its context ends, with a
// reason for a failure, and leaves no goroutine or file descriptor
// behind. Probes decide nothing about state: retries and transitions are
// the healthcheck.Engine's.
package probe
