package main

import (
	"cmp"
	"fmt"
	"io"
	"log/slog"
	"log/syslog"
	"os"
	"strconv"
	"strings"
	"syscall"

	"github.com/gokeepalived/gokeepalived/internal/logging"
)

// syslogNet and syslogAddr name the syslog socket; empty is the local
// syslog (/dev/log). Tests point them at a socket of their own.
var syslogNet, syslogAddr string

// newLogger builds the logger keepalived's flags ask for: syslog unless
// -G, the console with -l, a file with -g; Debug level with -D. ns and inst
// (global_defs net_namespace or -s, and instance) extend the syslog
// identifiers as keepalived does.
func newLogger(o *Options, ns, inst string) (*slog.Logger, func(), error) {
	format, err := logging.ParseFormat(o.LogFormat)
	if err != nil {
		return nil, nil, err
	}
	cfg := logging.Config{Level: slog.LevelInfo, Format: format}
	if o.LogDetail {
		cfg.Level = slog.LevelDebug
	}
	var closers []io.Closer
	if o.LogConsole {
		cfg.Console = os.Stderr
		cfg.Journal = logging.JournalStream(os.Stderr)
	}
	if o.LogFile != "" {
		f, err := os.OpenFile(o.LogFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND|syscall.O_NOFOLLOW, 0o644) // as keepalived: never through a planted symlink
		if err != nil {
			return nil, nil, fmt.Errorf("log file: %w", err)
		}
		cfg.File = f
		closers = append(closers, f)
	}
	if !o.NoSyslog {
		fac, err := syslogFacility(o.LogFacility)
		if err != nil {
			return nil, nil, err
		}
		s, err := logging.DialSyslog(logging.SyslogConfig{Network: syslogNet, Addr: syslogAddr,
			Facility: fac, Ident: logging.Ident(cmp.Or(o.LogIdent, logging.DefaultIdent), ns, inst)})
		if err != nil {
			// keepalived carries on without syslog too; say so where we can.
			fmt.Fprintf(os.Stderr, "gokeepalived: %v; logging without it\n", err)
		} else {
			cfg.Syslog = s
			closers = append(closers, s)
		}
	}
	closeAll := func() {
		for _, c := range closers {
			c.Close()
		}
	}
	return slog.New(logging.New(cfg)), closeAll, nil
}

// syslogFacility maps keepalived's -S argument (0-7 for local0-7, or a
// name: local0..local7, user, daemon) to a facility; empty is daemon.
func syslogFacility(s string) (syslog.Priority, error) {
	switch s {
	case "", "daemon":
		return syslog.LOG_DAEMON, nil
	case "user":
		return syslog.LOG_USER, nil
	}
	n, err := strconv.Atoi(strings.TrimPrefix(s, "local"))
	if err != nil || n < 0 || n > 7 {
		return 0, fmt.Errorf("log facility %q: use 0-7, local0-local7, user or daemon", s)
	}
	return syslog.LOG_LOCAL0 + syslog.Priority(n)<<3, nil
}
