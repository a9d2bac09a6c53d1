package main

import (
	"log/syslog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSyslogFacility(t *testing.T) {
	tests := []struct {
		in      string
		want    syslog.Priority
		wantErr bool
	}{
		{"", syslog.LOG_DAEMON, false},
		{"daemon", syslog.LOG_DAEMON, false},
		{"user", syslog.LOG_USER, false},
		{"0", syslog.LOG_LOCAL0, false},
		{"local3", syslog.LOG_LOCAL3, false},
		{"7", syslog.LOG_LOCAL7, false},
		{"8", 0, true},
		{"kern", 0, true},
	}
	for _, tt := range tests {
		got, err := syslogFacility(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("syslogFacility(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

// -g appends log lines to a file, -D adds debug lines; -G keeps syslog out
// of the test.
func TestLogFile(t *testing.T) {
	for _, detail := range []bool{false, true} {
		path := filepath.Join(t.TempDir(), "gk.log")
		log, closeLog, err := newLogger(&Options{LogFile: path, NoSyslog: true, LogDetail: detail})
		if err != nil {
			t.Fatal(err)
		}
		log.Info("hello", "vrid", 51)
		log.Debug("details")
		closeLog()
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		got := string(b)
		if !strings.Contains(got, "level=INFO msg=hello vrid=51") {
			t.Errorf("-D=%v: log file %q lacks the info line", detail, got)
		}
		if strings.Contains(got, "msg=details") != detail {
			t.Errorf("-D=%v: log file %q: debug line present = %v", detail, got, !detail)
		}
	}
	if _, _, err := newLogger(&Options{LogFile: "/nonexistent/dir/gk.log", NoSyslog: true}); err == nil {
		t.Errorf("a log file that cannot be opened: want an error")
	}
}

// -g opens the log file without following a symlink, as keepalived does:
// one planted at the path is refused and its target left untouched.
func TestLogFileRefusesSymlink(t *testing.T) {
	dir := t.TempDir()
	victim := filepath.Join(dir, "shadow")
	if err := os.WriteFile(victim, []byte("root:x:0:0\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "gk.log")
	if err := os.Symlink(victim, path); err != nil {
		t.Fatal(err)
	}
	log, closeLog, err := newLogger(&Options{LogFile: path, NoSyslog: true})
	if err == nil {
		log.Info("written through the link")
		closeLog()
		t.Error("-g through a planted symlink: no error")
	}
	if b, _ := os.ReadFile(victim); string(b) != "root:x:0:0\n" {
		t.Errorf("symlink target written: %q", b)
	}
}
