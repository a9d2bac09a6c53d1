package control

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gokeepalived/gokeepalived/internal/runfile"
)

// ErrNotFound is wrapped by client errors for a 404 answer (no such
// instance).
var ErrNotFound = errors.New("not found")

// APIError is an error answer from the server.
type APIError struct {
	// StatusCode is the HTTP status.
	StatusCode int
	// Message is the server's explanation.
	Message string
}

// Error returns the server's message with its status.
func (e *APIError) Error() string {
	return fmt.Sprintf("%s (%d %s)", e.Message, e.StatusCode, http.StatusText(e.StatusCode))
}

// Unwrap makes errors.Is(err, ErrNotFound) true for 404 answers.
func (e *APIError) Unwrap() error {
	if e.StatusCode == http.StatusNotFound {
		return ErrNotFound
	}
	return nil
}

// maxResponse bounds how much of an answer the client reads.
const maxResponse = 64 << 20

// Client talks to the status API over a unix socket.
type Client struct {
	path string
	hc   *http.Client
}

// Dial returns a client for the socket at path. It checks that the path
// is a socket that only a trusted user could have put there: the socket
// and every directory on its way (symlinks followed) belong to root, or,
// when the caller is not root, to root or the caller, and no directory is
// writable by other users unless sticky. Every connection then checks
// that the process serving the socket runs as such a user, so root's
// `gokeepalived reload` never talks to an impostor. Connections are made
// per request.
func Dial(path string) (*Client, error) {
	return dialTrusting(path, runfile.Trusted(), runfile.Trusted())
}

// dialTrusting is Dial with the owners accepted for the path and for the
// serving process given apart (tests).
func dialTrusting(path string, owners, servers []uint32) (*Client, error) {
	real, st, err := runfile.CheckPath(path, owners)
	var ue *runfile.UntrustedError
	switch {
	case errors.As(err, &ue):
		return nil, fmt.Errorf("control socket %s: refusing it: %w", path, err)
	case err != nil:
		return nil, fmt.Errorf("control socket: %w (is the daemon running? set the path with --socket)", err)
	case st.Mode&unix.S_IFMT != unix.S_IFSOCK:
		return nil, fmt.Errorf("control socket %s: not a socket", path)
	}
	d := net.Dialer{Timeout: 5 * time.Second}
	tr := &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			c, err := d.DialContext(ctx, "unix", real)
			if err != nil {
				return nil, err
			}
			if err := checkPeer(c, servers); err != nil {
				c.Close()
				return nil, fmt.Errorf("control socket %s: %w", path, err)
			}
			return c, nil
		},
		MaxIdleConns:          2,
		IdleConnTimeout:       30 * time.Second,
		ResponseHeaderTimeout: 60 * time.Second,
	}
	return &Client{path: path, hc: &http.Client{Transport: tr}}, nil
}

// checkPeer refuses a connection whose server does not run as one of the
// trusted users (SO_PEERCRED: the kernel's word, not the file's owner).
func checkPeer(c net.Conn, trusted []uint32) error {
	uc, ok := c.(*net.UnixConn)
	if !ok {
		return errors.New("not a unix socket connection")
	}
	raw, err := uc.SyscallConn()
	if err != nil {
		return err
	}
	var cred *unix.Ucred
	var cerr error
	if err := raw.Control(func(fd uintptr) {
		cred, cerr = unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED)
	}); err != nil {
		return err
	}
	if cerr != nil {
		return fmt.Errorf("read the server's credentials: %w", cerr)
	}
	if !slices.Contains(trusted, cred.Uid) {
		return fmt.Errorf("served by uid %d (pid %d), not by root or you: refusing to talk to it", cred.Uid, cred.Pid)
	}
	return nil
}

// Close releases idle connections.
func (c *Client) Close() error {
	c.hc.CloseIdleConnections()
	return nil
}

// Status returns the whole snapshot (GET /v1/status).
func (c *Client) Status(ctx context.Context) (Snapshot, error) {
	var s Snapshot
	err := c.do(ctx, http.MethodGet, "/v1/status", &s)
	return s, err
}

// Instances returns every instance (GET /v1/instances).
func (c *Client) Instances(ctx context.Context) ([]Instance, error) {
	var b instancesBody
	err := c.do(ctx, http.MethodGet, "/v1/instances", &b)
	return b.Instances, err
}

// Instance returns one instance (GET /v1/instances/{name}); the error
// wraps ErrNotFound when there is none by that name.
func (c *Client) Instance(ctx context.Context, name string) (Instance, error) {
	var in Instance
	err := c.do(ctx, http.MethodGet, "/v1/instances/"+url.PathEscape(name), &in)
	return in, err
}

// SyncGroups returns every sync group (GET /v1/sync-groups).
func (c *Client) SyncGroups(ctx context.Context) ([]SyncGroup, error) {
	var b syncGroupsBody
	err := c.do(ctx, http.MethodGet, "/v1/sync-groups", &b)
	return b.SyncGroups, err
}

// Trackers returns every tracker (GET /v1/trackers).
func (c *Client) Trackers(ctx context.Context) ([]Tracker, error) {
	var b trackersBody
	err := c.do(ctx, http.MethodGet, "/v1/trackers", &b)
	return b.Trackers, err
}

// Reload asks the daemon to reload its configuration (POST /v1/reload).
// A refused configuration is not an error: it is reported in the result,
// with OK false.
func (c *Client) Reload(ctx context.Context) (ReloadResult, error) {
	var res ReloadResult
	err := c.do(ctx, http.MethodPost, "/v1/reload", &res)
	var ae *APIError
	if errors.As(err, &ae) && ae.StatusCode == http.StatusUnprocessableEntity {
		return res, nil
	}
	return res, err
}

func (c *Client) do(ctx context.Context, method, path string, out any) error {
	var body io.Reader
	if method == http.MethodPost {
		body = bytes.NewReader(nil)
	}
	req, err := http.NewRequestWithContext(ctx, method, "http://gokeepalived"+path, body)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s on %s: %w", method, path, c.path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return fmt.Errorf("%s %s: read answer: %w", method, path, err)
	}
	if resp.StatusCode/100 != 2 {
		var e apiError
		if json.Unmarshal(b, &e) != nil || e.Error == "" {
			e.Error = fmt.Sprintf("unexpected answer %q", truncate(string(b), 200))
		}
		// A 422 carries a full result too (reload refused).
		if resp.StatusCode == http.StatusUnprocessableEntity {
			json.Unmarshal(b, out)
		}
		return fmt.Errorf("%s %s: %w", method, path, &APIError{StatusCode: resp.StatusCode, Message: e.Error})
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("%s %s: decode answer: %w", method, path, err)
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
