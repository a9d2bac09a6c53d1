package metrics

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/gokeepalived/gokeepalived/internal/control"
)

// namespace prefixes every metric name.
const namespace = "gokeepalived"

// InstanceLabel is the label naming a vrrp_instance. It is not "instance":
// Prometheus sets "instance" on every scraped series to the target's
// address, and a scraped "instance" label would be renamed
// "exported_instance".
const InstanceLabel = "vrrp_instance"

// ScriptResult is the outcome of one tracking-script run.
type ScriptResult int

// Script outcomes; the zero value is invalid.
const (
	ScriptSuccess ScriptResult = iota + 1 // exit status 0
	ScriptFailure                         // non-zero exit status
	ScriptTimeout                         // killed after its timeout
	ScriptError                           // could not be started
)

// String returns the label value used for the result.
func (r ScriptResult) String() string {
	switch r {
	case ScriptSuccess:
		return "success"
	case ScriptFailure:
		return "failure"
	case ScriptTimeout:
		return "timeout"
	case ScriptError:
		return "error"
	}
	return "unknown"
}

// ScriptDurationBuckets are the buckets of
// gokeepalived_script_duration_seconds.
var ScriptDurationBuckets = []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}

// Metrics records the daemon's metrics. A nil *Metrics is valid and
// records nothing, so the daemon can run without a metrics listener.
type Metrics struct {
	transitions    *transitionCounter
	scriptRuns     *prometheus.CounterVec
	scriptDuration *prometheus.HistogramVec
}

// New registers the daemon's metrics on reg: a collector reading src at
// scrape time, and the event metrics recorded through the returned
// Metrics.
func New(reg prometheus.Registerer, src control.Source) (*Metrics, error) {
	m := &Metrics{
		transitions: newTransitionCounter(),
		scriptRuns: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Subsystem: "script", Name: "runs_total",
			Help: "Runs of a vrrp_script, by result (success, failure, timeout, error).",
		}, []string{"script", "result"}),
		scriptDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace, Subsystem: "script", Name: "duration_seconds",
			Help:    "How long a vrrp_script run took.",
			Buckets: ScriptDurationBuckets,
		}, []string{"script"}),
	}
	for _, c := range []prometheus.Collector{newSnapshotCollector(src), m.transitions, m.scriptRuns, m.scriptDuration} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("register metrics: %w", err)
		}
	}
	return m, nil
}

// Transition records a state change of an instance.
func (m *Metrics) Transition(instance string, from, to control.State) {
	if m == nil {
		return
	}
	m.transitions.inc(instance, from, to)
}

// ScriptRun records one run of a tracking script and how long it took.
func (m *Metrics) ScriptRun(script string, result ScriptResult, took time.Duration) {
	if m == nil {
		return
	}
	m.scriptRuns.WithLabelValues(script, result.String()).Inc()
	m.scriptDuration.WithLabelValues(script).Observe(took.Seconds())
}

// NewRegistry returns a registry holding the Go runtime and process
// collectors and gokeepalived_build_info, ready for New.
func NewRegistry(bi BuildInfo) *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		newBuildInfo(bi))
	return reg
}

// Handler serves the metrics gathered from g in the Prometheus exposition
// formats; gathering errors are logged and the good metrics still served.
func Handler(g prometheus.Gatherer, logger *slog.Logger) http.Handler {
	return promhttp.HandlerFor(g, promhttp.HandlerOpts{
		ErrorLog:            slogAdapter{logger},
		ErrorHandling:       promhttp.ContinueOnError,
		MaxRequestsInFlight: 4,
		Timeout:             10 * time.Second,
	})
}

type slogAdapter struct{ l *slog.Logger }

func (a slogAdapter) Println(v ...any) { a.l.Warn("metrics: " + fmt.Sprint(v...)) }

// Serve answers GET /metrics with h on ln (e.g. net.Listen("tcp",
// ListenAddr("127.0.0.1"))) until ctx is done; other paths get 404. It closes ln.
func Serve(ctx context.Context, ln net.Listener, h http.Handler, logger *slog.Logger) error {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", h)
	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      15 * time.Second,
		IdleTimeout:       60 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelDebug),
	}
	stop := context.AfterFunc(ctx, func() { srv.Close() })
	defer stop()
	logger.Info("serving metrics", "addr", ln.Addr().String())
	err := srv.Serve(ln)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return fmt.Errorf("serve metrics on %s: %w", ln.Addr(), err)
}
