package logging

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"
)

// Format is how a record's attributes are written.
type Format int

const (
	// Text writes the message, then the attributes as key=value pairs.
	Text Format = iota + 1
	// JSON writes one JSON object a line, with "msg" holding the message.
	JSON
)

// String returns the format's --log-format name.
func (f Format) String() string {
	switch f {
	case Text:
		return "text"
	case JSON:
		return "json"
	}
	return fmt.Sprintf("Format(%d)", int(f))
}

// ParseFormat parses a --log-format value: "text" or "json".
func ParseFormat(s string) (Format, error) {
	switch s {
	case "text", "":
		return Text, nil
	case "json":
		return JSON, nil
	}
	return 0, fmt.Errorf("log format %q: use text or json", s)
}

// parentKey marks a record of keepalived's parent process; see Parent.
const parentKey = "keepalived_parent"

// Parent, added to a record (or a logger's attributes), marks a line that
// keepalived's parent process logs (start, reload, stop): syslog gets it
// under the parent identifier. It is not written out.
var Parent = slog.Bool(parentKey, true)

// Time layouts of keepalived's console (strftime %c) and log file lines.
const (
	ConsoleTime = "Mon Jan _2 15:04:05 2006"
	FileTime    = "Mon Jan 02 15:04:05.000000000 2006"
)

// Config says where a Handler writes and what.
type Config struct {
	// Level is the lowest level written; nil means Info.
	Level slog.Leveler
	// Format is Text or JSON; zero means Text.
	Format Format
	// Console, when not nil, gets every line (stderr with -l).
	Console io.Writer
	// Journal says Console is journald's stream: lines start with the
	// "<N>" severity and carry no time of their own.
	Journal bool
	// File, when not nil, gets every line with keepalived's file time.
	File io.Writer
	// Syslog, when not nil, gets every line with its severity.
	Syslog *Syslog
}

// Handler is a slog.Handler writing keepalived-style lines; see the
// package documentation.
type Handler struct {
	out    *output
	inner  slog.Handler // formats the attributes into out.buf
	parent bool
}

// output is what every Handler derived from one New shares.
type output struct {
	mu  sync.Mutex
	buf bytes.Buffer
	cfg Config
}

// New returns a Handler writing to cfg's destinations.
func New(cfg Config) *Handler {
	if cfg.Level == nil {
		cfg.Level = slog.LevelInfo
	}
	if cfg.Format == 0 {
		cfg.Format = Text
	}
	o := &output{cfg: cfg}
	opts := &slog.HandlerOptions{Level: cfg.Level, ReplaceAttr: dropTime}
	var inner slog.Handler
	if cfg.Format == JSON {
		inner = slog.NewJSONHandler(&o.buf, opts)
	} else {
		opts.ReplaceAttr = textOnly
		inner = slog.NewTextHandler(&o.buf, opts)
	}
	return &Handler{out: o, inner: inner}
}

// dropTime leaves the time out of the formatted attributes: each
// destination writes its own (or none).
func dropTime(groups []string, a slog.Attr) slog.Attr {
	if len(groups) == 0 && a.Key == slog.TimeKey {
		return slog.Attr{}
	}
	return a
}

// textOnly keeps, of the built-in attributes, only a level other than
// Info: the message goes first, unquoted, as keepalived writes it.
func textOnly(groups []string, a slog.Attr) slog.Attr {
	if len(groups) > 0 {
		return a
	}
	switch a.Key {
	case slog.TimeKey, slog.MessageKey:
		return slog.Attr{}
	case slog.LevelKey:
		if l, ok := a.Value.Any().(slog.Level); ok && l == slog.LevelInfo {
			return slog.Attr{}
		}
	}
	return a
}

// Enabled reports whether records at l are written.
func (h *Handler) Enabled(_ context.Context, l slog.Level) bool {
	return l >= h.out.cfg.Level.Level()
}

// WithAttrs returns a Handler adding attrs to every record.
func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	c := *h
	kept := attrs[:0:0]
	for _, a := range attrs {
		if a.Key == parentKey {
			c.parent = true
			continue
		}
		kept = append(kept, a)
	}
	c.inner = h.inner.WithAttrs(kept)
	return &c
}

// WithGroup returns a Handler putting later attributes in group name.
func (h *Handler) WithGroup(name string) slog.Handler {
	c := *h
	c.inner = h.inner.WithGroup(name)
	return &c
}

// Handle writes r to every destination.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	parent := h.parent
	clean := slog.NewRecord(r.Time, r.Level, r.Message, r.PC)
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == parentKey {
			parent = true
		} else {
			clean.AddAttrs(a)
		}
		return true
	})
	o := h.out
	o.mu.Lock()
	defer o.mu.Unlock()
	o.buf.Reset()
	if err := h.inner.Handle(ctx, clean); err != nil {
		return err
	}
	attrs := bytes.TrimSuffix(o.buf.Bytes(), []byte("\n"))
	var line string
	if o.cfg.Format == JSON {
		line = string(attrs)
	} else {
		line = oneLine(r.Message)
		if len(attrs) > 0 {
			line += " " + string(attrs)
		}
	}
	if o.cfg.Console != nil {
		if o.cfg.Journal {
			fmt.Fprintf(o.cfg.Console, "<%d>%s\n", Severity(r.Level), line)
		} else {
			io.WriteString(o.cfg.Console, o.stamp(r.Time, ConsoleTime, line))
		}
	}
	if o.cfg.File != nil {
		io.WriteString(o.cfg.File, o.stamp(r.Time, FileTime, line))
	}
	if o.cfg.Syslog != nil {
		o.cfg.Syslog.write(r.Level, parent, line)
	}
	return nil
}

// stamp puts the time t in front of line: keepalived's "time: " in Text,
// a "time" field first in JSON.
func (o *output) stamp(t time.Time, layout, line string) string {
	if o.cfg.Format == JSON {
		ts := t.Format(time.RFC3339Nano)
		return `{"time":"` + ts + `",` + strings.TrimPrefix(line, "{") + "\n"
	}
	return t.Format(layout) + ": " + line + "\n"
}

// oneLine keeps a message on one line.
func oneLine(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	return strings.NewReplacer("\r", `\r`, "\n", `\n`).Replace(s)
}
