package metrics

import (
	"context"
	"log/slog"
	"net"
	"net/http"

	"github.com/gokeepalived/gokeepalived/internal/control"
)

// Start builds the daemon's metrics over src on a fresh registry and,
// when addr is not empty (a bare address gets DefaultPort), serves them
// on TCP until stop or ctx ends. A failure is logged and the daemon runs
// without that part: m is nil when the metrics cannot be registered. The
// handler is returned for the control socket's /metrics as well.
func Start(ctx context.Context, version string, src control.Source, addr string, log *slog.Logger) (m *Metrics, handler http.Handler, stop func()) {
	reg := NewRegistry(ReadBuildInfo(version))
	m, err := New(reg, src)
	if err != nil {
		log.Error("metrics", "err", err)
		m = nil
	}
	handler = Handler(reg, log)
	stop = func() {}
	if addr = ListenAddr(addr); addr != "" {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			log.Error("metrics listener", "addr", addr, "err", err)
		} else {
			mctx, mcancel := context.WithCancel(ctx)
			go Serve(mctx, ln, handler, log)
			stop = mcancel
		}
	}
	return m, handler, stop
}
