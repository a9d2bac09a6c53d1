// Package metrics exports the daemon's state as Prometheus metrics, on a
// registry the caller injects.
//
// Gauges and counters the daemon already keeps (states, priorities, advert
// and drop counters, VIP presence, tracker status) are read from a
// control.Source at scrape time by a custom Collector, so nothing is
// counted twice. Only events the snapshot does not hold (transitions by
// from/to, script runs and their durations) are recorded through methods.
//
// It must not register anything globally (no init, no default registry),
// must not block the daemon (a scrape only calls Source.Snapshot), and
// touches no network other than the listener Serve is asked to open.
package metrics
