package logging

import (
	"errors"
	"fmt"
	"log/slog"
	"log/syslog"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// DefaultIdent is keepalived's syslog identifier: "Keepalived" for its
// parent process; its VRRP child logs as DefaultIdent+VRRPSuffix.
const (
	DefaultIdent = "Keepalived"
	VRRPSuffix   = "_vrrp"
)

// Ident returns keepalived's identifier for base in network namespace ns
// and with global_defs instance name inst: keepalived appends "_ns" and
// "_inst" to "Keepalived" and "Keepalived_vrrp" when they are set.
func Ident(base, ns, inst string) string {
	if ns != "" {
		base += "_" + ns
	}
	if inst != "" {
		base += "_" + inst
	}
	return base
}

// Syslog sends lines to a syslog socket with a severity per level, under
// two identifiers: the parent's and the VRRP process's.
type Syslog struct {
	parent, vrrp *syslog.Writer
}

// SyslogConfig says where and how to reach syslog.
type SyslogConfig struct {
	// Network and Addr name the socket ("unixgram", "/dev/log"); both
	// empty mean the local syslog (/dev/log and its usual fallbacks).
	Network, Addr string
	// Facility is the facility, e.g. syslog.LOG_DAEMON.
	Facility syslog.Priority
	// Ident is the parent's identifier ("Keepalived"); VRRP lines use
	// Ident+VRRPSuffix. Empty means DefaultIdent.
	Ident string
}

// DialSyslog connects to syslog as cfg says.
func DialSyslog(cfg SyslogConfig) (*Syslog, error) {
	ident := cfg.Ident
	if ident == "" {
		ident = DefaultIdent
	}
	parent, err := syslog.Dial(cfg.Network, cfg.Addr, cfg.Facility|syslog.LOG_INFO, ident)
	if err != nil {
		return nil, fmt.Errorf("syslog: %w", err)
	}
	vrrp, err := syslog.Dial(cfg.Network, cfg.Addr, cfg.Facility|syslog.LOG_INFO, ident+VRRPSuffix)
	if err != nil {
		parent.Close()
		return nil, fmt.Errorf("syslog: %w", err)
	}
	return &Syslog{parent: parent, vrrp: vrrp}, nil
}

// Close closes the connections.
func (s *Syslog) Close() error {
	return errors.Join(s.parent.Close(), s.vrrp.Close())
}

// write sends line at the severity of level l.
func (s *Syslog) write(l slog.Level, parent bool, line string) {
	w := s.vrrp
	if parent {
		w = s.parent
	}
	switch Severity(l) {
	case syslog.LOG_ERR:
		w.Err(line)
	case syslog.LOG_WARNING:
		w.Warning(line)
	case syslog.LOG_INFO:
		w.Info(line)
	default:
		w.Debug(line)
	}
}

// Severity maps a slog level to a syslog severity: Error and above to
// err, Warn to warning, Info to info, anything lower to debug.
func Severity(l slog.Level) syslog.Priority {
	switch {
	case l >= slog.LevelError:
		return syslog.LOG_ERR
	case l >= slog.LevelWarn:
		return syslog.LOG_WARNING
	case l >= slog.LevelInfo:
		return syslog.LOG_INFO
	}
	return syslog.LOG_DEBUG
}

// JournalStream reports whether f is the stream systemd-journald reads,
// as named by JOURNAL_STREAM ("device:inode"), so that lines written to it
// may carry "<N>" severity prefixes (sd-daemon(3)).
func JournalStream(f *os.File) bool {
	return journalStream(os.Getenv("JOURNAL_STREAM"), f)
}

func journalStream(env string, f *os.File) bool {
	devS, inoS, ok := strings.Cut(env, ":")
	if !ok {
		return false
	}
	dev, err1 := strconv.ParseUint(devS, 10, 64)
	ino, err2 := strconv.ParseUint(inoS, 10, 64)
	if err1 != nil || err2 != nil {
		return false
	}
	var st syscall.Stat_t
	if err := syscall.Fstat(int(f.Fd()), &st); err != nil {
		return false
	}
	return uint64(st.Dev) == dev && uint64(st.Ino) == ino
}
