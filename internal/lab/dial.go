package lab

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// DialContext connects to address from inside the host's network namespace,
// as net.Dialer.DialContext does. The socket is created on a thread switched
// into the namespace, so the connection's traffic is the host's traffic.
func (h *Host) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	var c net.Conn
	err := h.Do(func() error {
		var d net.Dialer
		var err error
		c, err = d.DialContext(ctx, network, address)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("dial %s from %s: %w", address, h.Name, err)
	}
	return c, nil
}

// HTTPClient returns an HTTP client whose connections start in the host's
// namespace. It opens a new connection for every request (no keep-alive),
// so each request sees the LAN as it is at that moment (who holds an
// address, which MAC the host's neighbour table maps it to). timeout bounds
// each whole request.
func (h *Host) HTTPClient(timeout time.Duration) *http.Client {
	return &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			DialContext:       h.DialContext,
			DisableKeepAlives: true,
			Proxy:             nil,
		},
	}
}

// Fetch GETs url with c and returns the body.
func Fetch(c *http.Client, url string) (string, error) {
	resp, err := c.Get(url)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}
