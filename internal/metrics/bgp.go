package metrics

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gokeepalived/gokeepalived/internal/control"
)

// bgpCollector turns the BGP part of the scrape's snapshot into metrics
// (snapshotCollector calls it); it sends nothing without a bgp_speaker.
type bgpCollector struct {
	running, established, flaps, session *prometheus.Desc
	announced                            *prometheus.Desc
}

func newBGPCollector() *bgpCollector {
	return &bgpCollector{
		running:     desc("bgp", "speaker_running", "1 while the BGP speaker runs (0: it could not start).", "local_as"),
		established: desc("bgp", "neighbor_established", "1 while the session with a BGP neighbor is established.", "neighbor", "remote_as"),
		flaps:       desc("bgp", "neighbor_sessions_established_total", "Times the session with a BGP neighbor came up.", "neighbor"),
		session:     desc("bgp", "neighbor_state", "1 for the state a BGP neighbor's session is in, 0 for the others.", "neighbor", "state"),
		announced:   desc("bgp", "prefix_announced", "1 for each prefix handed to the BGP neighbors, by what announces it.", "prefix", "group", InstanceLabel),
	}
}

// sessionStates are a BGP session's states (RFC 4271).
var sessionStates = []string{"idle", "connect", "active", "opensent", "openconfirm", "established"}

// describe sends every metric description.
func (c *bgpCollector) describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.running, c.established, c.flaps, c.session, c.announced} {
		ch <- d
	}
}

// collect sends the metrics of b.
func (c *bgpCollector) collect(ch chan<- prometheus.Metric, b *control.BGP) {
	if b == nil {
		return
	}
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	gauge(c.running, b2f(b.Running), strconv.FormatUint(uint64(b.LocalAS), 10))
	for _, n := range b.Neighbors {
		addr := n.Addr.String()
		gauge(c.established, b2f(n.State == "established"), addr, strconv.FormatUint(uint64(n.RemoteAS), 10))
		ch <- prometheus.MustNewConstMetric(c.flaps, prometheus.CounterValue, float64(n.Flaps), addr)
		for _, st := range sessionStates {
			gauge(c.session, b2f(n.State == st), addr, st)
		}
	}
	for _, p := range b.Prefixes {
		gauge(c.announced, 1, p.Prefix.String(), p.Group, p.Instance)
	}
}
