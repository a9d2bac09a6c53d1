package main

import (
	"log/syslog"
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
