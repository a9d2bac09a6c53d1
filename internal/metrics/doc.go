// Package metrics exports the daemon's state as Prometheus metrics, on a
// registry the caller injects.
//
// Gauges and counters the daemon already keeps (states, priorities, advert
// and drop counters, VIP presence, tracker status) are read from a
// control.Source at scrape time by a custom Collector, so nothing is
// counted twice. Only events the snapshot does not hold (transitions by
// from/to, script runs and their durations) are recorded through methods.
//
// A VRRP instance is the label vrrp_instance (InstanceLabel): "instance"
// and "job" belong to Prometheus's target labels. Counters are
// Stats.Plus(StatsCleared), so they never go down while an instance is
// configured. gokeepalived_build_info carries version, revision and
// goversion. An address without a port listens on DefaultPort (19650).
// The recording rules in packaging/prometheus and the dashboard in
// packaging/grafana query these names; packaging_test.go keeps them in
// step.
//
// It must not register anything globally (no init, no default registry),
// must not block the daemon (a scrape only calls Source.Snapshot), and
// touches no network other than the listener Serve is asked to open.
package metrics
