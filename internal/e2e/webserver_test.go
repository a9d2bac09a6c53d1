package e2e

import (
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/gokeepalived/gokeepalived/internal/lab"
)

// webServer is a tiny HTTP server on port 8080 of every address of a lab
// host, answering with the host's name and counting hits;
// stop and start it to fail and revive it.
type webServer struct {
	h    *lab.Host
	mu   sync.Mutex
	srv  *http.Server
	hits atomic.Int64
}

func (w *webServer) start(t *testing.T) {
	t.Helper()
	var ln net.Listener
	if err := w.h.Do(func() (err error) { ln, err = net.Listen("tcp", ":8080"); return err }); err != nil {
		t.Fatalf("listen in %s: %v", w.h.Name, err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(rw http.ResponseWriter, _ *http.Request) {
		w.hits.Add(1)
		io.WriteString(rw, w.h.Name)
	})}
	go srv.Serve(ln)
	w.mu.Lock()
	w.srv = srv
	w.mu.Unlock()
	t.Cleanup(func() { srv.Close() })
}

func (w *webServer) stop() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.srv != nil {
		w.srv.Close()
		w.srv = nil
	}
}
