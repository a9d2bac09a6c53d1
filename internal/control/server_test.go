package control

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// addrs lets cmp compare netip values.
var addrs = cmp.Options{cmpopts.EquateComparable(netip.Addr{}, netip.Prefix{}), cmpopts.EquateEmpty()}

func testLogger(t *testing.T) *slog.Logger {
	t.Helper()
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// startServer serves src on a fresh socket and returns its path.
func startServer(t *testing.T, cfg Config) *Server {
	t.Helper()
	if cfg.Path == "" {
		cfg.Path = filepath.Join(t.TempDir(), "run", "gk.sock")
	}
	if cfg.Logger == nil {
		cfg.Logger = testLogger(t)
	}
	s, err := Listen(cfg)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve() }()
	t.Cleanup(func() {
		s.Close()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return s
}

func dial(t *testing.T, s *Server) *Client {
	t.Helper()
	c, err := Dial(s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// overAPI is what a client sees of snap: the password is never sent.
func overAPI(snap Snapshot) Snapshot {
	out := snap
	out.Instances = nil
	for _, in := range snap.Instances {
		in.AuthPass = ""
		out.Instances = append(out.Instances, in)
	}
	return out
}

func TestClientRoundTrip(t *testing.T) {
	snap := fixture(true)
	s := startServer(t, Config{Source: SourceFunc(func() Snapshot { return snap })})
	c := dial(t, s)
	ctx := context.Background()
	want := overAPI(snap)

	got, err := c.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got, addrs); diff != "" {
		t.Errorf("Status (-want +got):\n%s", diff)
	}
	ins, err := c.Instances(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want.Instances, ins, addrs); diff != "" {
		t.Errorf("Instances (-want +got):\n%s", diff)
	}
	in, err := c.Instance(ctx, "VI_6")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want.Instances[1], in, addrs); diff != "" {
		t.Errorf("Instance (-want +got):\n%s", diff)
	}
	if _, err := c.Instance(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Instance(nope) error = %v, want ErrNotFound", err)
	}
	gs, err := c.SyncGroups(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want.SyncGroups, gs); diff != "" {
		t.Errorf("SyncGroups (-want +got):\n%s", diff)
	}
	ts, err := c.Trackers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want.Trackers, ts); diff != "" {
		t.Errorf("Trackers (-want +got):\n%s", diff)
	}
	if _, err := c.Reload(ctx); err == nil || !strings.Contains(err.Error(), "501") {
		t.Errorf("Reload without a reloader: error = %v, want a 501", err)
	}
}

func TestStatusJSONGolden(t *testing.T) {
	for _, tt := range []struct {
		name string
		snap Snapshot
	}{{"master", fixture(true)}, {"script", fixtureScript()}} {
		t.Run(tt.name, func(t *testing.T) {
			s := &Server{cfg: Config{Source: SourceFunc(func() Snapshot { return tt.snap })}}
			rec := httptest.NewRecorder()
			s.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/v1/status", nil))
			if rec.Code != 200 {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			if strings.Contains(rec.Body.String(), "secret") {
				t.Error("the VRRP password is in the API answer")
			}
			checkGolden(t, "status-"+tt.name+".json.golden", rec.Body.String())
		})
	}
}

func TestReload(t *testing.T) {
	cfg := ConfigStatus{File: "/etc/keepalived/keepalived.conf"}
	var calls atomic.Int32
	var fail atomic.Bool
	src := SourceFunc(func() Snapshot {
		c := cfg
		if fail.Load() {
			c.LastReloadError = "keepalived.conf:3:1: unknown block"
		}
		return Snapshot{Config: c}
	})
	rel := ReloaderFunc(func(ctx context.Context) error {
		calls.Add(1)
		if fail.Load() {
			return errors.New("keepalived.conf:3:1: unknown block")
		}
		return nil
	})
	s := startServer(t, Config{Source: src, Reloader: rel})
	c := dial(t, s)
	tests := []struct {
		name string
		fail bool
		want ReloadResult
	}{
		{"ok", false, ReloadResult{OK: true, Config: cfg}},
		{"refused", true, ReloadResult{Error: "keepalived.conf:3:1: unknown block",
			Config: ConfigStatus{File: cfg.File, LastReloadError: "keepalived.conf:3:1: unknown block"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fail.Store(tt.fail)
			got, err := c.Reload(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Reload (-want +got):\n%s", diff)
			}
		})
	}
	if got := calls.Load(); got != 2 {
		t.Errorf("reloader called %d times, want 2", got)
	}
}

// TestBadRequests checks every malformed or refused request gets a 4xx
// (or 501) with a JSON error message.
func TestBadRequests(t *testing.T) {
	src := SourceFunc(func() Snapshot { return fixture(false) })
	s := &Server{cfg: Config{Source: src, Logger: testLogger(t), WriteTimeout: time.Second,
		Reloader: ReloaderFunc(func(context.Context) error { return nil })}}
	tests := []struct {
		method, target, body string
		want                 int
	}{
		{"GET", "/", "", 404},
		{"GET", "/v2/instances", "", 404},
		{"GET", "/v1/instances/VI_9", "", 404},
		{"GET", "/v1/instances/", "", 400},
		{"GET", "/v1/instances/VI_1/stats", "", 400},
		{"GET", "/v1/instances?all=1", "", 400},
		{"GET", "/v1/status", "{}", 400},
		{"POST", "/v1/instances", "", 405},
		{"DELETE", "/v1/instances/VI_1", "", 405},
		{"PUT", "/v1/status", "", 405},
		{"GET", "/v1/reload", "", 405},
		{"POST", "/v1/reload", "not json", 400},
		{"POST", "/v1/reload", `{"force":true}`, 400},
		{"POST", "/v1/reload", `{}{}`, 400},
		{"POST", "/v1/reload", strings.Repeat(" ", maxBody+1) + "{}", 400},
		{"POST", "/v1/reload?x=1", "", 400},
		{"GET", "/metrics", "", 404},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.target, func(t *testing.T) {
			rec := httptest.NewRecorder()
			s.Handler().ServeHTTP(rec, httptest.NewRequest(tt.method, tt.target, strings.NewReader(tt.body)))
			var e apiError
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error == "" {
				t.Errorf("body %q is not a JSON error (%v)", rec.Body, err)
			}
			if diff := cmp.Diff(tt.want, rec.Code); diff != "" {
				t.Errorf("status (-want +got):\n%s\nbody: %s", diff, rec.Body)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type = %q", ct)
			}
		})
	}
	// An empty snapshot answers [] for lists, never null.
	empty := &Server{cfg: Config{Source: SourceFunc(func() Snapshot { return Snapshot{} })}}
	rec := httptest.NewRecorder()
	empty.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/v1/status", nil))
	if strings.Contains(rec.Body.String(), "null") {
		t.Errorf("empty snapshot answer has a null: %s", rec.Body)
	}
	// And the good ones, for contrast.
	for _, target := range []string{"/v1/status", "/v1/instances", "/v1/instances/VI_1", "/v1/sync-groups", "/v1/trackers"} {
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, httptest.NewRequest("GET", target, nil))
		if rec.Code != 200 || !json.Valid(rec.Body.Bytes()) {
			t.Errorf("GET %s: %d %s", target, rec.Code, rec.Body)
		}
	}
}

func TestSocketFile(t *testing.T) {
	src := SourceFunc(func() Snapshot { return Snapshot{} })
	t.Run("default mode 0600", func(t *testing.T) {
		s := startServer(t, Config{Source: src})
		fi, err := os.Stat(s.Addr())
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(fs.ModeSocket|0o600, fi.Mode()); diff != "" {
			t.Errorf("mode (-want +got):\n%s", diff)
		}
	})
	t.Run("mode 0660", func(t *testing.T) {
		s := startServer(t, Config{Source: src, Mode: 0o660})
		fi, err := os.Stat(s.Addr())
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(fs.ModeSocket|0o660, fi.Mode()); diff != "" {
			t.Errorf("mode (-want +got):\n%s", diff)
		}
	})
	t.Run("live socket is refused, stale one replaced, removed on close", func(t *testing.T) {
		s := startServer(t, Config{Source: src})
		if _, err := Listen(Config{Path: s.Addr(), Source: src, Logger: testLogger(t)}); err == nil {
			t.Fatal("second server on a live socket: no error")
		}
		stale := filepath.Join(t.TempDir(), "stale.sock")
		ln, err := net.Listen("unix", stale)
		if err != nil {
			t.Fatal(err)
		}
		ln.(*net.UnixListener).SetUnlinkOnClose(false)
		ln.Close()
		s2, err := Listen(Config{Path: stale, Source: src, Logger: testLogger(t)})
		if err != nil {
			t.Fatalf("stale socket: %v", err)
		}
		s2.Close()
		if _, err := os.Lstat(stale); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("socket left after Close: %v", err)
		}
	})
	t.Run("regular file is not replaced", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "file")
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := Listen(Config{Path: p, Source: src, Logger: testLogger(t)}); err == nil {
			t.Error("no error")
		}
	})
}

// bigSnapshot is large enough that its JSON cannot fit in socket buffers.
func bigSnapshot(n int) Snapshot {
	s := fixture(true)
	base := s.Instances[0]
	s.Instances = nil
	for i := range n {
		in := base
		in.Name = fmt.Sprintf("VI_%05d", i)
		s.Instances = append(s.Instances, in)
	}
	return s
}

// TestStalledClientsDoNotBlock opens a connection that never sends a
// request and one that asks for a large answer and never reads it; other
// clients are still answered, the source is never blocked, the server
// drops both connections after its timeouts, and Close returns. The large
// answer is one long string, cheap to encode, so that the test does not
// depend on how fast a loaded machine encodes JSON.
func TestStalledClientsDoNotBlock(t *testing.T) {
	big := fixture(true)
	big.Trackers = []Tracker{{Name: "huge", Kind: "script", Target: strings.Repeat("x", 8<<20)}}
	var snapshots atomic.Int32
	src := SourceFunc(func() Snapshot { snapshots.Add(1); return big })
	s := startServer(t, Config{Source: src, ReadHeaderTimeout: 500 * time.Millisecond, WriteTimeout: 500 * time.Millisecond})

	silent, err := net.Dial("unix", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	stalled, err := net.Dial("unix", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer stalled.Close()
	if _, err := io.WriteString(stalled, "GET /v1/status HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
		t.Fatal(err)
	}

	// The stalled request is served on its own goroutine; wait until it
	// has taken its snapshot (and so is writing the answer nobody reads)
	// before asking anything else, or the count below races with it.
	for wait := time.Now().Add(30 * time.Second); snapshots.Load() < 1; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(wait) {
			t.Fatal("the stalled request never reached the source")
		}
	}

	c := dial(t, s)
	for range 3 {
		if _, err := c.Instance(context.Background(), "VI_1"); err != nil {
			t.Fatalf("another client while one is stalled: %v", err)
		}
	}
	if got := snapshots.Load(); got < 4 {
		t.Errorf("source called %d times, want at least 4", got)
	}

	// Write deadlines are absolute: once this sleep is over, the server's
	// deadline for the stalled answer has passed however loaded the
	// machine is, so reading now cannot let the answer complete.
	time.Sleep(1500 * time.Millisecond)

	// Both stalled connections are closed by the server: reading them
	// ends (EOF or reset) well before the generous deadline, and the
	// stalled download is cut short.
	for name, conn := range map[string]net.Conn{"silent": silent, "stalled": stalled} {
		conn.SetReadDeadline(time.Now().Add(30 * time.Second))
		n, err := io.Copy(io.Discard, conn)
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			t.Errorf("%s connection still open after 30s", name)
		}
		if name == "stalled" && n >= 1<<20 {
			t.Errorf("stalled client got %d bytes: the answer was not cut off", n)
		}
	}
}

// FuzzHandler sends arbitrary requests to the API: every answer is JSON,
// and every refusal is a 4xx or 501 with an error message.
func FuzzHandler(f *testing.F) {
	f.Add("GET", "/v1/instances/VI_1", "")
	f.Add("POST", "/v1/reload", "{}")
	f.Add("PATCH", "/v1/instances/%2F", "[")
	snap := fixture(false)
	s := &Server{cfg: Config{Source: SourceFunc(func() Snapshot { return snap }), Logger: slog.New(slog.DiscardHandler),
		WriteTimeout: time.Second, Reloader: ReloaderFunc(func(context.Context) error { return nil })}}
	f.Fuzz(func(t *testing.T, method, target, body string) {
		req, err := http.NewRequest(method, "http://x"+target, strings.NewReader(body))
		if err != nil || req.URL.Path == "" {
			return
		}
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, req)
		if !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("%s %s: answer is not JSON: %q", method, target, rec.Body)
		}
		if rec.Code >= 500 && rec.Code != http.StatusNotImplemented {
			t.Fatalf("%s %s: status %d", method, target, rec.Code)
		}
		if rec.Code >= 400 {
			var e apiError
			if json.Unmarshal(rec.Body.Bytes(), &e); e.Error == "" {
				t.Fatalf("%s %s: %d with no error message", method, target, rec.Code)
			}
		}
	})
}

func TestMetricsMount(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "m 1\n") })
	s := &Server{cfg: Config{Source: SourceFunc(func() Snapshot { return Snapshot{} }), Metrics: h}}
	tests := []struct {
		method string
		want   int
	}{{"GET", 200}, {"POST", 405}}
	for _, tt := range tests {
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, httptest.NewRequest(tt.method, "/metrics", nil))
		if diff := cmp.Diff(tt.want, rec.Code); diff != "" {
			t.Errorf("%s /metrics (-want +got):\n%s", tt.method, diff)
		}
	}
}

// BenchmarkStatus measures answering GET /v1/status for 100 instances.
func BenchmarkStatus(b *testing.B) {
	snap := bigSnapshot(100)
	s := &Server{cfg: Config{Source: SourceFunc(func() Snapshot { return snap })}}
	req := httptest.NewRequest("GET", "/v1/status", nil)
	for b.Loop() {
		s.Handler().ServeHTTP(httptest.NewRecorder(), req)
	}
}
