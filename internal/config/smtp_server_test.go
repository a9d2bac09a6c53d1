package config

import (
	"slices"
	"testing"
)

// TestSMTPServerValid: the smtp_server values keepalived 2.2.7 refuses
// ("Invalid smtp server") on the differential run, and forms it takes.
func TestSMTPServerValid(t *testing.T) {
	tests := []struct {
		host, port string
		want       bool
	}{
		{"192.168.200.1", "25", true},
		{"2001:db8::1", "25", true},
		{"10.1", "25", true},      // inet_aton's two-part form
		{"167772161", "25", true}, // one 32-bit number
		{"0x0a000001", "25", true},
		{"smtp.example.com", "587", true},
		{"localhost", "25", true},
		{"10.0.0.300", "25", false},
		{"99999999999", "25", false},
		{"", "25", false},
		{"1.2.3.4.5", "25", false},
		{"bad_name", "25", false},
		{"192.168.200.1", "0", false},
		{"192.168.200.1", "65536", false},
		{"192.168.200.1", "smtp", false},
	}
	for _, tt := range tests {
		if got := smtpServerValid(tt.host, tt.port); got != tt.want {
			t.Errorf("smtpServerValid(%q, %q) = %v, want %v", tt.host, tt.port, got, tt.want)
		}
	}
}

// FuzzSMTPServerValid: the check never panics.
func FuzzSMTPServerValid(f *testing.F) {
	for _, s := range []string{"10.0.0.1", "0x", "1.2.3.4.5", "a-b.c", ""} {
		f.Add(s, "25")
	}
	f.Fuzz(func(t *testing.T, host, port string) { smtpServerValid(host, port) })
}

// TestSMTPAddr: smtp_server's words become the dial address the mailer
// uses (notify no longer reads them); a value keepalived refuses leaves
// none and is reported at its position.
func TestSMTPAddr(t *testing.T) {
	tests := []struct {
		line, want string
		diags      []string
	}{
		{"smtp_server 192.168.200.1", "192.168.200.1:25", nil},
		{"smtp_server 192.168.200.1 2525", "192.168.200.1:2525", nil},
		{"smtp_server 192.168.200.1 0587", "192.168.200.1:587", nil},
		{"smtp_server 2001:db8::1 587", "[2001:db8::1]:587", nil},
		{"smtp_server mail.example.com", "mail.example.com:25", nil},
		{"smtp_server 10.0.0.300", "", []string{"2:14: error: Invalid smtp server 10.0.0.300 25"}},
		{"smtp_server 10.0.0.1 70000", "", []string{"2:14: error: Invalid smtp server 10.0.0.1 70000"}},
		{"smtp_server 10.0.0.1 x", "", []string{"2:14: error: Invalid smtp server 10.0.0.1 x"}},
	}
	for _, tt := range tests {
		cfg, diags := load1(t, "global_defs {\n "+tt.line+"\n}\n")
		if cfg.Global.SMTPAddr != tt.want {
			t.Errorf("%q: SMTPAddr = %q, want %q", tt.line, cfg.Global.SMTPAddr, tt.want)
		}
		if !slices.Equal(diags, tt.diags) {
			t.Errorf("%q: diagnostics %q, want %q", tt.line, diags, tt.diags)
		}
		if (cfg.Global.SMTPServer == "") != (tt.want == "") {
			t.Errorf("%q: SMTPServer %q set apart from SMTPAddr %q", tt.line, cfg.Global.SMTPServer, tt.want)
		}
	}
}
