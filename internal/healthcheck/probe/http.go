package probe

import (
	"bufio"
	"bytes"
	"context"
	"crypto/md5"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/healthcheck"
)

// Bounds on what an HTTP probe reads.
const (
	maxHeader = 64 << 10 // response header
	maxBody   = 64 << 20 // body bytes hashed; more fails the check
	maxRegex  = 1 << 20  // body bytes a regex sees
)

// HTTP is HTTP_GET and SSL_GET: every url is fetched in turn over a new
// connection, as keepalived does, and must answer with an accepted status
// code, the configured MD5 digest of its body and a matching regex.
type HTTP struct {
	Spec    healthcheck.HTTPSpec
	Timeout time.Duration // per connection and per read, as connect_timeout
	TLS     *tls.Config   // nil for HTTP_GET
}

// Response is what one GET returned.
type Response struct {
	Status int
	Header []byte // the status line and headers, as received
	Digest string // lower-case hex MD5 of the body
	Body   []byte // the first maxRegex bytes of the body
	Len    int64  // body bytes received
}

// Probe fetches every url of p.Spec from t.
func (p HTTP) Probe(ctx context.Context, t healthcheck.Target) healthcheck.Result {
	start := time.Now()
	for _, u := range p.Spec.URLs {
		r, err := p.Fetch(ctx, t, u.Path, p.vhost(u))
		if err != nil {
			return fail(start, fmt.Sprintf("%s %s: %s", p.name(), u.Path, err))
		}
		if why := check(u, r); why != "" {
			return fail(start, fmt.Sprintf("%s %s: %s", p.name(), u.Path, why))
		}
	}
	return pass(start, p.name()+" success")
}

func (p HTTP) name() string {
	if p.TLS != nil {
		return "SSL_GET"
	}
	return "HTTP_GET"
}

func (p HTTP) vhost(u healthcheck.URL) string {
	if u.VirtualHost != "" {
		return u.VirtualHost
	}
	return p.Spec.VirtualHost
}

// check judges a response against url u: status code, digest, regex.
func check(u healthcheck.URL, r Response) string {
	if !u.Status.Has(r.Status) {
		return fmt.Sprintf("HTTP status code error (%d)", r.Status)
	}
	if u.Digest != "" && !strings.EqualFold(u.Digest, r.Digest) {
		return fmt.Sprintf("MD5 digest error (got %s)", r.Digest)
	}
	if u.Regex != nil && u.Regex.Match(r.Body) == u.RegexNoMatch {
		if u.RegexNoMatch {
			return "regex matched"
		}
		return "regex did not match"
	}
	return ""
}

// Request returns the GET keepalived sends for path: HTTP/1.0 or 1.1,
// "Connection: close" for 1.0C and 1.1, and a Host header naming vhost or
// the address and port.
func Request(path, protocol, vhost string, t healthcheck.Target) string {
	minor, closeHdr := 0, ""
	switch strings.ToUpper(protocol) {
	case "1.1":
		minor, closeHdr = 1, "Connection: close\r\n"
	case "1.0C":
		closeHdr = "Connection: close\r\n"
	}
	host := vhost
	if host == "" {
		host = hostPort(t.Addr)
	}
	return fmt.Sprintf("GET %s HTTP/1.%d\r\nUser-Agent: KeepAliveClient\r\n%sHost: %s\r\n\r\n", path, minor, closeHdr, host)
}

// Fetch sends one GET for path to t and reads the response: the status
// code, the headers, and the MD5 of the body (read to Content-Length or
// to the end of the connection, undecoded, as keepalived hashes it).
func (p HTTP) Fetch(ctx context.Context, t healthcheck.Target, path, vhost string) (Response, error) {
	c, release, err := connect(ctx, "tcp", t, p.Timeout)
	if err != nil {
		return Response{}, errors.New("connect: " + why(err))
	}
	defer release()
	if p.TLS != nil {
		cfg := p.TLS.Clone()
		if cfg.ServerName == "" && p.Spec.TLS != nil && p.Spec.TLS.SNI {
			cfg.ServerName = vhost
			if p.Spec.TLS.SNIName != "" {
				cfg.ServerName = p.Spec.TLS.SNIName
			}
		}
		tc := tls.Client(c, cfg)
		step(ctx, c, p.Timeout)
		if err := tc.HandshakeContext(ctx); err != nil {
			return Response{}, errors.New("TLS handshake: " + why(err))
		}
		c = tc
	}
	step(ctx, c, p.Timeout)
	if _, err := io.WriteString(c, Request(path, p.Spec.Protocol, vhost, t)); err != nil {
		return Response{}, errors.New("send request: " + why(err))
	}
	return readResponse(ctx, c, p.Timeout)
}

func readResponse(ctx context.Context, c net.Conn, timeout time.Duration) (Response, error) {
	var r Response
	br := bufio.NewReaderSize(&stepReader{ctx: ctx, c: c, d: timeout}, 16<<10)
	for {
		line, err := br.ReadSlice('\n')
		r.Header = append(r.Header, line...)
		if len(r.Header) > maxHeader {
			return r, errors.New("response header too large")
		}
		if err != nil {
			if len(r.Header) == 0 && errors.Is(err, io.EOF) {
				return r, errors.New("read: no data received")
			}
			return r, errors.New("read header: " + why(err))
		}
		if len(bytes.TrimRight(line, "\r\n")) == 0 {
			break
		}
	}
	r.Status = statusCode(r.Header)
	n := contentLength(r.Header)
	h := md5.New()
	body := &boundedBuf{limit: maxRegex}
	var src io.Reader = br
	if n >= 0 {
		src = io.LimitReader(br, n)
	}
	got, err := io.Copy(io.MultiWriter(h, body), io.LimitReader(src, maxBody+1))
	r.Len = got
	switch {
	case got > maxBody:
		return r, fmt.Errorf("body larger than %d bytes", maxBody)
	case err != nil && !errors.Is(err, io.EOF) && !(n < 0 && isReset(err) && got > 0):
		return r, errors.New("read body: " + why(err))
	}
	r.Digest, r.Body = hex.EncodeToString(h.Sum(nil)), body.b
	return r, nil
}

func isReset(err error) bool { return why(err) == "connection reset by peer" }

// statusCode reads the code of "HTTP/x.y NNN ...", 0 when there is none.
func statusCode(h []byte) int {
	if !bytes.HasPrefix(h, []byte("HTTP/")) {
		return 0
	}
	_, rest, ok := bytes.Cut(h, []byte(" "))
	if !ok || len(rest) < 3 {
		return 0
	}
	n, err := strconv.Atoi(string(rest[:3]))
	if err != nil {
		return 0
	}
	return n
}

// contentLength returns the Content-Length header's value, -1 without one.
func contentLength(h []byte) int64 {
	for _, line := range bytes.Split(h, []byte("\n")) {
		k, v, ok := bytes.Cut(line, []byte(":"))
		if ok && strings.EqualFold(string(bytes.TrimSpace(k)), "content-length") {
			n, err := strconv.ParseInt(string(bytes.TrimSpace(v)), 10, 64)
			if err == nil && n >= 0 {
				return n
			}
		}
	}
	return -1
}

// stepReader gives every read keepalived's per-I/O timeout.
type stepReader struct {
	ctx context.Context
	c   net.Conn
	d   time.Duration
}

func (s *stepReader) Read(b []byte) (int, error) {
	step(s.ctx, s.c, s.d)
	return s.c.Read(b)
}

type boundedBuf struct {
	b     []byte
	limit int
}

func (w *boundedBuf) Write(p []byte) (int, error) {
	if room := w.limit - len(w.b); room > 0 {
		w.b = append(w.b, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

// TLSConfig builds the client side of SSL_GET from the global SSL block:
// the server is verified against CA when one is given (its name is not
// checked, as keepalived), not verified otherwise; Certificate and Key are
// presented when the server asks.
func TLSConfig(s *healthcheck.TLSSpec) (*tls.Config, error) {
	cfg := &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS10}
	if s == nil {
		return cfg, nil
	}
	if s.Certificate != "" {
		key := s.Key
		if key == "" {
			key = s.Certificate
		}
		cert, err := tls.LoadX509KeyPair(s.Certificate, key)
		if err != nil {
			return nil, fmt.Errorf("SSL certificate: %w", err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	if s.CA != "" {
		pem, err := os.ReadFile(s.CA)
		if err != nil {
			return nil, fmt.Errorf("SSL ca: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("SSL ca %s: no certificate found", s.CA)
		}
		cfg.VerifyConnection = func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 {
				return errors.New("no server certificate")
			}
			opts := x509.VerifyOptions{Roots: pool, Intermediates: x509.NewCertPool()}
			for _, c := range cs.PeerCertificates[1:] {
				opts.Intermediates.AddCert(c)
			}
			_, err := cs.PeerCertificates[0].Verify(opts)
			return err
		}
	}
	return cfg, nil
}
