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
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/runfile"
)

// DefaultSocketPath is where the daemon listens and `gokeepalived status`
// connects when no path is given.
const DefaultSocketPath = "/run/gokeepalived/gokeepalived.sock"

// Default timeouts of the API server.
const (
	DefaultReadHeaderTimeout = 5 * time.Second
	DefaultWriteTimeout      = 30 * time.Second
	DefaultIdleTimeout       = 60 * time.Second
)

// maxBody bounds a request body (only POST /v1/reload reads one).
const maxBody = 4 << 10

// Config configures a Server.
type Config struct {
	// Path is the unix socket path. Its directory is created (0755) if
	// missing, and it and every directory above must be writable only by
	// root or our user (sticky directories like /tmp are fine). A stale
	// socket file is replaced; one a live server answers on is an error
	// wrapping ErrBusy.
	Path string
	// Mode is the socket file's permission bits; 0 means 0600.
	Mode fs.FileMode
	// Source provides the snapshots served. Required.
	Source Source
	// Reloader serves POST /v1/reload; nil answers 501.
	Reloader Reloader
	// Metrics, if set, is served at GET /metrics (e.g. the metrics
	// package's handler), so a scraper can use the socket too.
	Metrics http.Handler
	// Logger receives request errors. Required.
	Logger *slog.Logger
	// ReadHeaderTimeout, WriteTimeout and IdleTimeout bound how long a
	// connection may take; zero means the Default values. WriteTimeout
	// also bounds a reload.
	ReadHeaderTimeout, WriteTimeout, IdleTimeout time.Duration
}

// Server serves the status API on a unix socket.
type Server struct {
	cfg   Config
	ln    net.Listener
	entry *runfile.Entry // the socket file, removed by Close
	srv   *http.Server
	once  sync.Once
	err   error
}

// Listen creates the socket at cfg.Path and returns a Server ready to
// Serve.
func Listen(cfg Config) (*Server, error) {
	if cfg.Source == nil || cfg.Logger == nil {
		return nil, errors.New("control config: a source and a logger are required")
	}
	if cfg.Mode == 0 {
		cfg.Mode = 0o600
	}
	if cfg.ReadHeaderTimeout == 0 {
		cfg.ReadHeaderTimeout = DefaultReadHeaderTimeout
	}
	if cfg.WriteTimeout == 0 {
		cfg.WriteTimeout = DefaultWriteTimeout
	}
	if cfg.IdleTimeout == 0 {
		cfg.IdleTimeout = DefaultIdleTimeout
	}
	ln, entry, err := listenUnix(cfg.Path, cfg.Mode)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, ln: ln, entry: entry}
	s.srv = &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: cfg.ReadHeaderTimeout,
		ReadTimeout:       cfg.ReadHeaderTimeout + 5*time.Second,
		WriteTimeout:      cfg.WriteTimeout,
		IdleTimeout:       cfg.IdleTimeout,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(cfg.Logger.Handler(), slog.LevelDebug),
	}
	return s, nil
}

// ErrBusy is wrapped by Listen's error when a live server answers on the
// socket path: another daemon is running there.
var ErrBusy = errors.New("another daemon is serving it")

// listenUnix binds the socket at path in a directory only root or our
// user can change (made 0755 if missing), replacing a stale socket of
// ours but never a live one or another file, and records the socket so
// that Close removes it and nothing else.
func listenUnix(path string, mode fs.FileMode) (net.Listener, *runfile.Entry, error) {
	if path == "" {
		return nil, nil, errors.New("control: empty socket path")
	}
	dir, err := runfile.MakeDir(filepath.Dir(path), runfile.Trusted())
	if err != nil {
		return nil, nil, fmt.Errorf("control socket %s: %w", path, err)
	}
	path = filepath.Join(dir, filepath.Base(path))
	if fi, err := os.Lstat(path); err == nil {
		if fi.Mode().Type() != fs.ModeSocket {
			return nil, nil, fmt.Errorf("listen on %s: exists and is not a socket", path)
		}
		if c, err := net.DialTimeout("unix", path, time.Second); err == nil {
			c.Close()
			return nil, nil, fmt.Errorf("listen on %s: %w", path, ErrBusy)
		}
		if err := os.Remove(path); err != nil {
			return nil, nil, fmt.Errorf("remove stale socket: %w", err)
		}
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, nil, fmt.Errorf("listen on %s: %w", path, err)
	}
	// Close removes the socket through its Entry, not by path.
	ln.(*net.UnixListener).SetUnlinkOnClose(false)
	entry, err := runfile.Track(path)
	if err != nil {
		ln.Close()
		return nil, nil, err
	}
	if err := os.Chmod(path, mode); err != nil {
		ln.Close()
		entry.Remove()
		return nil, nil, fmt.Errorf("chmod %s: %w", path, err)
	}
	return ln, entry, nil
}

// Addr returns the socket path.
func (s *Server) Addr() string { return s.cfg.Path }

// Serve answers requests until Close; it returns nil after Close.
func (s *Server) Serve() error {
	err := s.srv.Serve(s.ln)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return fmt.Errorf("serve %s: %w", s.cfg.Path, err)
}

// Close stops the server at once, dropping open connections, and removes
// the socket file if it is still the one Listen made (never what another
// process put at the path since).
func (s *Server) Close() error {
	s.once.Do(func() {
		s.err = s.srv.Close()
		s.ln.Close() // not yet closed when Serve was never called
		if err := s.entry.Remove(); err != nil {
			s.cfg.Logger.Warn("control socket", "err", err)
		}
	})
	return s.err
}

// Serve listens on cfg.Path and answers requests until ctx is done.
func Serve(ctx context.Context, cfg Config) error {
	s, err := Listen(cfg)
	if err != nil {
		return err
	}
	stop := context.AfterFunc(ctx, func() { s.Close() })
	defer stop()
	return s.Serve()
}

// Handler returns the API as an http.Handler, for tests and for mounting
// elsewhere.
func (s *Server) Handler() http.Handler {
	return http.HandlerFunc(s.route)
}

// apiError is the body of every 4xx/5xx answer.
type apiError struct {
	Error string `json:"error"`
}

// ReloadResult is the answer to POST /v1/reload.
type ReloadResult struct {
	// OK says whether the new configuration is in force.
	OK bool `json:"ok"`
	// Error is why the reload was refused (the old configuration keeps
	// running).
	Error string `json:"error,omitempty"`
	// Config is the configuration status after the attempt.
	Config ConfigStatus `json:"config"`
}

func (s *Server) route(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	switch {
	case p == "/v1/status", p == "/v1/instances", p == "/v1/sync-groups", p == "/v1/trackers":
		s.get(w, r, p)
	case strings.HasPrefix(p, "/v1/instances/"):
		s.get(w, r, p)
	case p == "/v1/reload":
		s.reload(w, r)
	case p == "/metrics" && s.cfg.Metrics != nil:
		if !allow(w, r, http.MethodGet, http.MethodHead) {
			return
		}
		s.cfg.Metrics.ServeHTTP(w, r)
	default:
		writeError(w, http.StatusNotFound, fmt.Sprintf("no such endpoint %q", p))
	}
}

// allow answers 405 unless r's method is one of methods.
func allow(w http.ResponseWriter, r *http.Request, methods ...string) bool {
	for _, m := range methods {
		if r.Method == m {
			return true
		}
	}
	w.Header().Set("Allow", strings.Join(methods, ", "))
	writeError(w, http.StatusMethodNotAllowed, fmt.Sprintf("method %s not allowed on %s", r.Method, r.URL.Path))
	return false
}

func (s *Server) get(w http.ResponseWriter, r *http.Request, p string) {
	if !allow(w, r, http.MethodGet, http.MethodHead) {
		return
	}
	if r.URL.RawQuery != "" {
		writeError(w, http.StatusBadRequest, "query parameters are not accepted")
		return
	}
	if r.ContentLength > 0 {
		writeError(w, http.StatusBadRequest, "a GET request takes no body")
		return
	}
	snap := normalize(s.cfg.Source.Snapshot())
	switch p {
	case "/v1/status":
		writeJSON(w, http.StatusOK, snap)
	case "/v1/instances":
		writeJSON(w, http.StatusOK, instancesBody{Instances: snap.Instances})
	case "/v1/sync-groups":
		writeJSON(w, http.StatusOK, syncGroupsBody{SyncGroups: snap.SyncGroups})
	case "/v1/trackers":
		writeJSON(w, http.StatusOK, trackersBody{Trackers: snap.Trackers})
	default:
		name := strings.TrimPrefix(p, "/v1/instances/")
		if name == "" || strings.Contains(name, "/") {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("malformed instance name %q", name))
			return
		}
		in, ok := snap.Instance(name)
		if !ok {
			writeError(w, http.StatusNotFound, fmt.Sprintf("no instance named %q", name))
			return
		}
		writeJSON(w, http.StatusOK, in)
	}
}

type instancesBody struct {
	Instances []Instance `json:"instances"`
}

type syncGroupsBody struct {
	SyncGroups []SyncGroup `json:"sync_groups"`
}

type trackersBody struct {
	Trackers []Tracker `json:"trackers"`
}

// normalize replaces nil lists by empty ones, so that the API always
// answers [] rather than null for a list. It does not modify the daemon's
// slices in place.
func normalize(s Snapshot) Snapshot {
	s.Instances = append([]Instance{}, s.Instances...)
	for i := range s.Instances {
		s.Instances[i].VIPs = nonNil(s.Instances[i].VIPs)
	}
	s.SyncGroups = append([]SyncGroup{}, s.SyncGroups...)
	for i := range s.SyncGroups {
		s.SyncGroups[i].Members = nonNil(s.SyncGroups[i].Members)
	}
	s.Trackers = nonNil(s.Trackers)
	s.Config.LastReloadError = ClipError(s.Config.LastReloadError)
	return s
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func (s *Server) reload(w http.ResponseWriter, r *http.Request) {
	if !allow(w, r, http.MethodPost) {
		return
	}
	if r.URL.RawQuery != "" {
		writeError(w, http.StatusBadRequest, "query parameters are not accepted")
		return
	}
	if err := readEmptyObject(w, r); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if s.cfg.Reloader == nil {
		writeError(w, http.StatusNotImplemented, "reload is not available")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.cfg.WriteTimeout*9/10)
	defer cancel()
	err := s.cfg.Reloader.Reload(ctx)
	res := ReloadResult{OK: err == nil, Config: normalize(s.cfg.Source.Snapshot()).Config}
	status := http.StatusOK
	if err != nil {
		res.Error = ClipError(err.Error())
		status = http.StatusUnprocessableEntity
		s.cfg.Logger.Warn("reload requested over the control socket failed", "err", res.Error)
	} else {
		s.cfg.Logger.Info("reload requested over the control socket done")
	}
	writeJSON(w, status, res)
}

// readEmptyObject accepts an empty body or a JSON object with no members
// (reload takes no parameters today; unknown ones are refused).
func readEmptyObject(w http.ResponseWriter, r *http.Request) error {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		return fmt.Errorf("read body: %w", err)
	}
	if len(strings.TrimSpace(string(b))) == 0 {
		return nil
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	var v struct{}
	if err := dec.Decode(&v); err != nil {
		return fmt.Errorf("malformed body: %w", err)
	}
	if dec.More() {
		return errors.New("malformed body: trailing data")
	}
	return nil
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, apiError{Error: msg})
}

// writeJSON encodes v fully before writing, so the daemon's data is never
// referenced while a slow client reads.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		status = http.StatusInternalServerError
		b, _ = json.Marshal(apiError{Error: "encode response: " + err.Error()})
	}
	b = append(b, '\n')
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write(b)
}
