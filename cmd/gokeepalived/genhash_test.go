package main

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func TestGenhash(t *testing.T) {
	const body = "<html>genhash</html>"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/page" || r.UserAgent() != "KeepAliveClient" {
			w.WriteHeader(404)
		}
		fmt.Fprint(w, body)
	}))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	sum := md5.Sum([]byte(body))
	var out, errb bytes.Buffer
	code := run([]string{"genhash", "-s", u.Hostname(), "-p", u.Port(), "-u", "/page"}, &out, &errb)
	if want := hex.EncodeToString(sum[:]) + "\n"; code != 0 || out.String() != want {
		t.Errorf("genhash = %d %q (stderr %q), want 0 %q", code, out.String(), errb.String(), want)
	}
	out.Reset()
	if code := run([]string{"genhash", "-v", "-s", u.Hostname(), "-p", u.Port(), "-u", "/page", "-P", "1.1"}, &out, &errb); code != 0 ||
		!strings.Contains(out.String(), "MD5SUM = "+hex.EncodeToString(sum[:])) || !strings.Contains(out.String(), "status 200") {
		t.Errorf("genhash -v = %d %q", code, out.String())
	}
}

func TestGenhashArgs(t *testing.T) {
	tests := []struct {
		args []string
		err  string
	}{
		{[]string{"-s", "127.0.0.1", "-p", "80"}, "are required"},
		{[]string{"-s", "localhost", "-p", "80", "-u", "/"}, "server should be an IP"},
		{[]string{"-s", "::1", "-p", "70000", "-u", "/"}, "invalid port"},
		{[]string{"-s", "::1", "-p", "80", "-u", "/", "-P", "2"}, "invalid HTTP protocol"},
		{[]string{"-s", "::1", "-p", "80", "-u", "/", "extra"}, "Unexpected argument(s): extra"},
		{[]string{"-s", "::1", "-p", "80", "-u", "/", "-P", "1.0c", "-S", "-I", "-V", "h", "-t", "2", "-m", "3"}, ""},
	}
	for _, tt := range tests {
		_, err := parseGenhash(tt.args, &bytes.Buffer{})
		if (tt.err == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), tt.err) {
			t.Errorf("parseGenhash(%q) = %v, want %q", tt.args, err, tt.err)
		}
	}
}

func FuzzGenhashArgs(f *testing.F) {
	f.Add("-s 127.0.0.1 -p 80 -u /")
	f.Add("-S -I -V host -P 1.1 -t 3 -m 1 -v")
	f.Fuzz(func(t *testing.T, line string) {
		o, err := parseGenhash(strings.Fields(line), &bytes.Buffer{})
		if err == nil && (o.Port < 1 || o.Port > 65535 || o.URL == "" || o.Timeout < 1) {
			t.Errorf("%q accepted as %+v", line, o)
		}
	})
}
