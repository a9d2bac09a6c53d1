package config

import "testing"

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
