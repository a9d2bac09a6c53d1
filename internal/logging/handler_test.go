package logging

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// at is a fixed local time, so the expected lines can be spelled out.
var at = time.Date(2026, 12, 7, 13, 4, 15, 123456789, time.Local)

// emit logs msg at level l with attrs through h at time at.
func emit(t *testing.T, h slog.Handler, l slog.Level, msg string, attrs ...slog.Attr) {
	t.Helper()
	r := slog.NewRecord(at, l, msg, 0)
	r.AddAttrs(attrs...)
	if err := h.Handle(context.Background(), r); err != nil {
		t.Fatal(err)
	}
}

func lines(b *bytes.Buffer) []string {
	return strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
}

// The text console line is keepalived's: its time, ": ", its message,
// then our key=values; Info carries no level, other levels do.
func TestTextConsole(t *testing.T) {
	var b bytes.Buffer
	var h slog.Handler = New(Config{Console: &b, Level: slog.LevelDebug})
	h = h.WithAttrs([]slog.Attr{slog.String("instance", "VI_1"), slog.Int("vrid", 51)})
	emit(t, h, slog.LevelInfo, "(VI_1) Entering MASTER STATE", slog.String("from", "BACKUP"))
	emit(t, h, slog.LevelWarn, "(VI_1) send advert", slog.String("err", "no route to host"))
	emit(t, h, slog.LevelDebug, "line one\nline two")
	emit(t, h.WithGroup("g"), slog.LevelError, "grouped", slog.Int("n", 1), Parent)
	want := []string{
		"Mon Dec  7 13:04:15 2026: (VI_1) Entering MASTER STATE instance=VI_1 vrid=51 from=BACKUP",
		`Mon Dec  7 13:04:15 2026: (VI_1) send advert level=WARN instance=VI_1 vrid=51 err="no route to host"`,
		`Mon Dec  7 13:04:15 2026: line one\nline two level=DEBUG instance=VI_1 vrid=51`,
		"Mon Dec  7 13:04:15 2026: grouped level=ERROR instance=VI_1 vrid=51 g.n=1",
	}
	if diff := cmp.Diff(want, lines(&b)); diff != "" {
		t.Errorf("console (-want +got):\n%s", diff)
	}
}

// -D decides whether Debug records are written.
func TestLevel(t *testing.T) {
	var b bytes.Buffer
	h := New(Config{Console: &b})
	if h.Enabled(context.Background(), slog.LevelDebug) {
		t.Errorf("default level: Debug enabled")
	}
	if !h.Enabled(context.Background(), slog.LevelInfo) {
		t.Errorf("default level: Info disabled")
	}
}

// The file line has keepalived's file time, with nanoseconds.
func TestTextFile(t *testing.T) {
	var b bytes.Buffer
	h := New(Config{File: &b})
	emit(t, h, slog.LevelInfo, "VRRP_Script(chk) succeeded", slog.String("script", "chk"))
	want := []string{"Mon Dec 07 13:04:15.123456789 2026: VRRP_Script(chk) succeeded script=chk"}
	if diff := cmp.Diff(want, lines(&b)); diff != "" {
		t.Errorf("file (-want +got):\n%s", diff)
	}
}

// On journald's stream every line starts with its syslog severity and
// has no time (journald adds one).
func TestJournalPrefix(t *testing.T) {
	for _, f := range []Format{Text, JSON} {
		var b bytes.Buffer
		h := New(Config{Console: &b, Journal: true, Level: slog.LevelDebug, Format: f})
		for _, l := range []slog.Level{slog.LevelDebug, slog.LevelInfo, slog.LevelWarn, slog.LevelError, slog.LevelError + 4} {
			emit(t, h, l, "(VI_1) Entering BACKUP STATE")
		}
		var got []string
		for _, ln := range lines(&b) {
			got = append(got, ln[:3])
			if strings.Contains(ln, "2026") {
				t.Errorf("%v: journal line %q carries a time", f, ln)
			}
			if !strings.Contains(ln, "(VI_1) Entering BACKUP STATE") {
				t.Errorf("%v: journal line %q lacks the message", f, ln)
			}
		}
		if diff := cmp.Diff([]string{"<7>", "<6>", "<4>", "<3>", "<3>"}, got); diff != "" {
			t.Errorf("%v: prefixes (-want +got):\n%s", f, diff)
		}
	}
}

// --log-format json: one object a line with time, level, msg and the
// attributes as fields; the parent marker is not among them.
func TestJSON(t *testing.T) {
	var con, file, jour bytes.Buffer
	var h slog.Handler = New(Config{Console: &con, File: &file, Format: JSON})
	h = h.WithAttrs([]slog.Attr{slog.String("instance", "VI_1")})
	emit(t, h, slog.LevelWarn, "(VI_1) Entering FAULT STATE", slog.Int("priority", 100), Parent)
	emit(t, New(Config{Console: &jour, Journal: true, Format: JSON}), slog.LevelInfo, "Stopping")
	want := map[string]any{"time": at.Format(time.RFC3339Nano), "level": "WARN",
		"msg": "(VI_1) Entering FAULT STATE", "instance": "VI_1", "priority": 100.0}
	for name, b := range map[string]*bytes.Buffer{"console": &con, "file": &file} {
		var got map[string]any
		if err := json.Unmarshal(b.Bytes(), &got); err != nil {
			t.Fatalf("%s: %v: %q", name, err, b.String())
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", name, diff)
		}
	}
	var got map[string]any
	if err := json.Unmarshal(bytes.TrimPrefix(jour.Bytes(), []byte("<6>")), &got); err != nil {
		t.Fatalf("journal: %v: %q", err, jour.String())
	}
	if diff := cmp.Diff(map[string]any{"level": "INFO", "msg": "Stopping"}, got); diff != "" {
		t.Errorf("journal (-want +got):\n%s", diff)
	}
}

func TestParseFormat(t *testing.T) {
	tests := []struct {
		in      string
		want    Format
		wantErr bool
	}{
		{"", Text, false}, {"text", Text, false}, {"json", JSON, false}, {"JSON", 0, true}, {"logfmt", 0, true},
	}
	for _, tt := range tests {
		got, err := ParseFormat(tt.in)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("ParseFormat(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}
