package metrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/gokeepalived/gokeepalived/internal/control"
)

// lvsDescs are the metrics of the LVS half, from control.Snapshot.LVS.
type lvsDescs struct {
	quorumUp, weightSum, services         *prometheus.Desc
	rsUp, rsWeight, checkOK, checkLatency *prometheus.Desc
}

func newLVSDescs() lvsDescs {
	vs, rs := "virtual_server", "real_server"
	return lvsDescs{
		quorumUp:     desc("lvs", "quorum_up", "1 while a virtual server has its quorum.", vs),
		weightSum:    desc("lvs", "live_weight", "Sum of the weights of a virtual server's live real servers.", vs),
		services:     desc("lvs", "services_installed", "Kernel services installed for a virtual server (0 under ha_suspend elsewhere).", vs),
		rsUp:         desc("lvs", "real_server_up", "1 while a real server passes its checkers.", vs, rs),
		rsWeight:     desc("lvs", "real_server_weight", "Effective weight of a real server.", vs, rs),
		checkOK:      desc("lvs", "checker_last_ok", "1 when a checker's last probe succeeded.", vs, rs, "checker"),
		checkLatency: desc("lvs", "checker_last_latency_seconds", "How long a checker's last probe took.", vs, rs, "checker"),
	}
}

func (l lvsDescs) all() []*prometheus.Desc {
	return []*prometheus.Desc{l.quorumUp, l.weightSum, l.services, l.rsUp, l.rsWeight, l.checkOK, l.checkLatency}
}

// collect sends the LVS metrics of s (none when the LVS half is not run).
func (l lvsDescs) collect(ch chan<- prometheus.Metric, s *control.LVS) {
	if s == nil {
		return
	}
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	for _, v := range s.VirtualServers {
		gauge(l.quorumUp, b2f(v.QuorumUp), v.Name)
		gauge(l.weightSum, float64(v.WeightSum), v.Name)
		gauge(l.services, float64(v.Services), v.Name)
		for _, r := range v.RealServers {
			a := r.Addr.String()
			gauge(l.rsUp, b2f(r.Up), v.Name, a)
			gauge(l.rsWeight, float64(r.Weight), v.Name, a)
			for _, c := range r.Checkers {
				if c.LastRun.IsZero() {
					continue
				}
				gauge(l.checkOK, b2f(c.LastOK), v.Name, a, c.Kind)
				gauge(l.checkLatency, c.LastLatency.D().Seconds(), v.Name, a, c.Kind)
			}
		}
	}
}
