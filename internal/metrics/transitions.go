package metrics

import (
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gokeepalived/gokeepalived/internal/control"
)

// transitionCount is one series: a pair of states, its count and when it
// was created (Unix nanoseconds).
type transitionCount struct {
	from, to control.State
	n        uint64
	created  int64
}

// transitionCounter is gokeepalived_vrrp_transitions_total: a count per
// instance and pair of states, turned into metrics only at scrape time.
// A prometheus.CounterVec child costs each of the few series every
// instance gains in its first failover ~640 bytes of live heap (label
// pairs, a protobuf creation timestamp, its hash entry); this costs ~60,
// the instance's few series sharing one map entry.
type transitionCounter struct {
	desc *prometheus.Desc
	mu   sync.Mutex
	m    map[string][]transitionCount // by instance
}

func newTransitionCounter() *transitionCounter {
	return &transitionCounter{
		desc: prometheus.NewDesc(prometheus.BuildFQName(namespace, "vrrp", "transitions_total"),
			"State transitions of a VRRP instance, by previous and new state.",
			[]string{InstanceLabel, "from", "to"}, nil),
		m: map[string][]transitionCount{},
	}
}

func (c *transitionCounter) inc(instance string, from, to control.State) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ts := c.m[instance]
	for i := range ts {
		if ts[i].from == from && ts[i].to == to {
			ts[i].n++
			return
		}
	}
	c.m[instance] = append(ts, transitionCount{from: from, to: to, n: 1, created: time.Now().UnixNano()})
}

// Describe implements prometheus.Collector.
func (c *transitionCounter) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

// Collect implements prometheus.Collector.
func (c *transitionCounter) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for instance, ts := range c.m {
		for _, t := range ts {
			ch <- prometheus.MustNewConstMetricWithCreatedTimestamp(c.desc, prometheus.CounterValue, float64(t.n),
				time.Unix(0, t.created), instance, t.from.String(), t.to.String())
		}
	}
}
