package main

import (
	"log/syslog"
	"os"
	"path/filepath"
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
	log, closeLog, err := newLogger(&Options{LogFile: path, NoSyslog: true}, "", "")
	if err == nil {
		log.Info("written through the link")
		closeLog()
		t.Error("-g through a planted symlink: no error")
	}
	if b, _ := os.ReadFile(victim); string(b) != "root:x:0:0\n" {
		t.Errorf("symlink target written: %q", b)
	}
}
