package control

import (
	"context"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestClipError(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		clipped  bool
		wantTail string
	}{
		{name: "short", in: "k.conf:1:1: unknown keyword"},
		{name: "exactly the cap", in: strings.Repeat("x", MaxErrorBytes)},
		{name: "one byte over", in: strings.Repeat("x", MaxErrorBytes+1), clipped: true, wantTail: " more bytes"},
		{name: "multi-byte runes", in: strings.Repeat("é", MaxErrorBytes), clipped: true, wantTail: " more bytes"},
		{name: "175 MB", in: strings.Repeat("k.conf:9:9: error: bad\n", 175<<20/23), clipped: true, wantTail: " more bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ClipError(tt.in)
			if !tt.clipped {
				if got != tt.in {
					t.Errorf("ClipError changed a message of %d bytes", len(tt.in))
				}
				return
			}
			if len(got) > MaxErrorBytes || !utf8.ValidString(got) || !strings.HasSuffix(got, tt.wantTail) {
				t.Errorf("ClipError: %d bytes (cap %d), valid UTF-8 %v, tail %q", len(got), MaxErrorBytes, utf8.ValidString(got), got[max(0, len(got)-40):])
			}
			head := got[:strings.LastIndex(got, "\n... and ")]
			if !strings.HasPrefix(tt.in, head) || len(head) < MaxErrorBytes/2 {
				t.Errorf("ClipError kept %d bytes that are not the message's head", len(head))
			}
		})
	}
}

// TestAPIBoundsReloadError: a huge refused-reload error, from the status
// source or from the reloader, reaches a client cut to MaxErrorBytes.
func TestAPIBoundsReloadError(t *testing.T) {
	huge := strings.Repeat("keepalived.conf:3:1: error: unknown block\n", 1<<16)
	src := SourceFunc(func() Snapshot { return Snapshot{Config: ConfigStatus{LastReloadError: huge}} })
	rel := ReloaderFunc(func(context.Context) error { return errors.New(huge) })
	c := dial(t, startServer(t, Config{Source: src, Reloader: rel}))
	s, err := c.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if n := len(s.Config.LastReloadError); n > MaxErrorBytes || n == 0 {
		t.Errorf("GET /v1/status: last_reload_error of %d bytes, want 1..%d", n, MaxErrorBytes)
	}
	r, err := c.Reload(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if n, m := len(r.Error), len(r.Config.LastReloadError); n > MaxErrorBytes || m > MaxErrorBytes || n == 0 {
		t.Errorf("POST /v1/reload: error of %d bytes and last_reload_error of %d, want 1..%d", n, m, MaxErrorBytes)
	}
}
