package probe

import (
	"bufio"
	"crypto/md5"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"regexp"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/healthcheck"
)

const page = "<html>hello keepalived</html>\n"

func md5hex(s string) string { h := md5.Sum([]byte(s)); return hex.EncodeToString(h[:]) }

// answer replies to one request with status and body after delay, and
// records the request.
func answer(status int, body string, delay time.Duration, got chan<- string) func(net.Conn) {
	return func(c net.Conn) {
		defer c.Close()
		req, _ := bufio.NewReader(c).ReadString('\n')
		time.Sleep(delay)
		fmt.Fprintf(c, "HTTP/1.0 %d X\r\nContent-Type: text/html\r\n\r\n%s", status, body)
		if got != nil {
			got <- req
		}
	}
}

func TestHTTP(t *testing.T) {
	noLeak(t)
	url := func(mod func(*healthcheck.URL)) healthcheck.HTTPSpec {
		u := healthcheck.URL{Path: "/index.html", Digest: md5hex(page)}
		if mod != nil {
			mod(&u)
		}
		return healthcheck.HTTPSpec{URLs: []healthcheck.URL{u}}
	}
	codes := func(w ...string) healthcheck.StatusCodes { s, _ := config.ParseStatusCodes(w); return s }
	tests := []struct {
		name   string
		serve  func(net.Conn)
		spec   healthcheck.HTTPSpec
		ok     bool
		reason string
	}{
		{"200 and the digest", answer(200, page, 0, nil), url(nil), true, "success"},
		{"500", answer(500, page, 0, nil), url(nil), false, "HTTP status code error (500)"},
		{"500 accepted by status_code", answer(500, page, 0, nil), url(func(u *healthcheck.URL) { u.Status = codes("500-503") }), true, "success"},
		{"wrong digest", answer(200, page+"x", 0, nil), url(nil), false, "MD5 digest error"},
		{"no digest configured", answer(200, "anything", 0, nil), url(func(u *healthcheck.URL) { u.Digest = "" }), true, "success"},
		{"regex matches", answer(200, page, 0, nil), url(func(u *healthcheck.URL) { u.Regex = regexp.MustCompile("hel+o") }), true, "success"},
		{"regex does not match", answer(200, page, 0, nil), url(func(u *healthcheck.URL) { u.Regex = regexp.MustCompile("bye") }), false, "regex did not match"},
		{"regex_no_match", answer(200, page, 0, nil), url(func(u *healthcheck.URL) { u.Regex, u.RegexNoMatch = regexp.MustCompile("hello"), true }), false, "regex matched"},
		{"accept and never answer", hang, url(nil), false, "timeout"},
		{"answer slowly", answer(200, page, time.Second, nil), url(nil), false, "timeout"},
		{"reset", reset, url(nil), false, "reset"},
		// The server reads the request first: closing with it unread would
		// reset the connection instead of ending it cleanly.
		{"close without data", func(c net.Conn) { http.ReadRequest(bufio.NewReader(c)); c.Close() }, url(nil), false, "no data"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			target := tcpServer(t, "127.0.0.1:0", tt.serve)
			r := HTTP{Spec: tt.spec, Timeout: 500 * time.Millisecond}.Probe(ctxT(t), target)
			wantResult(t, r, tt.ok, tt.reason)
		})
	}
}

func TestHTTPRequest(t *testing.T) {
	got := make(chan string, 1)
	target := tcpServer(t, "[::1]:0", answer(200, page, 0, got))
	spec := healthcheck.HTTPSpec{URLs: []healthcheck.URL{{Path: "/a"}}, Protocol: "1.1"}
	wantResult(t, HTTP{Spec: spec, Timeout: time.Second}.Probe(ctxT(t), target), true, "success")
	if want := "GET /a HTTP/1.1\r\n"; <-got != want {
		t.Errorf("request line differs, want %q", want)
	}
	for _, tt := range []struct{ proto, vhost, want string }{
		{"", "", "GET /p HTTP/1.0\r\nUser-Agent: KeepAliveClient\r\nHost: [::1]:80\r\n\r\n"},
		{"1.0C", "www", "GET /p HTTP/1.0\r\nUser-Agent: KeepAliveClient\r\nConnection: close\r\nHost: www\r\n\r\n"},
		{"1.1", "", "GET /p HTTP/1.1\r\nUser-Agent: KeepAliveClient\r\nConnection: close\r\nHost: [::1]:80\r\n\r\n"},
	} {
		if got := Request("/p", tt.proto, tt.vhost, healthcheck.Target{Addr: netip.MustParseAddrPort("[::1]:80")}); got != tt.want {
			t.Errorf("Request(%q, %q) = %q, want %q", tt.proto, tt.vhost, got, tt.want)
		}
	}
}

func TestSSLGetSNI(t *testing.T) {
	noLeak(t)
	sni := make(chan string, 4)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Host != "www.example.org" {
			w.WriteHeader(404)
		}
		fmt.Fprint(w, page)
	}))
	srv.TLS = &tls.Config{GetConfigForClient: func(h *tls.ClientHelloInfo) (*tls.Config, error) {
		sni <- h.ServerName
		return nil, nil
	}}
	srv.StartTLS()
	defer srv.Close()
	defer srv.CloseClientConnections()
	target := healthcheck.Target{Addr: netip.MustParseAddrPort(srv.Listener.Addr().String())}
	spec := healthcheck.HTTPSpec{VirtualHost: "www.example.org", TLS: &healthcheck.TLSSpec{SNI: true},
		URLs: []healthcheck.URL{{Path: "/", Digest: md5hex(page)}}}
	cfg, err := TLSConfig(spec.TLS)
	if err != nil {
		t.Fatal(err)
	}
	wantResult(t, HTTP{Spec: spec, Timeout: time.Second, TLS: cfg}.Probe(ctxT(t), target), true, "SSL_GET success")
	if got := <-sni; got != "www.example.org" {
		t.Errorf("SNI = %q, want the virtualhost", got)
	}
	spec.TLS.SNI = false
	wantResult(t, HTTP{Spec: spec, Timeout: time.Second, TLS: cfg}.Probe(ctxT(t), target), true, "success")
	if got := <-sni; got != "" {
		t.Errorf("SNI without enable_sni = %q, want none", got)
	}
	// plain HTTP to a TLS server fails cleanly
	wantResult(t, HTTP{Spec: spec, Timeout: time.Second}.Probe(ctxT(t), target), false, "HTTP_GET /")
}
