package config

import (
	"slices"
	"testing"
)

// TestLVSSMTPAlert: a virtual or real server's smtp_alert is read here,
// into SMTPAlert (the director no longer reads the word); a value that is
// not a boolean is an error at its position, as keepalived 2.2.7's
// "Invalid virtual_server/real_server smtp_alert parameter", and leaves
// the setting unwritten.
func TestLVSSMTPAlert(t *testing.T) {
	on, off := true, false
	tests := []struct {
		vs, rs       string
		wantVS, want *bool
		diags        []string
	}{
		{"", "", nil, nil, nil},
		{"smtp_alert", "smtp_alert", &on, &on, nil},
		{"smtp_alert off", "smtp_alert no", &off, &off, nil},
		{"smtp_alert YES", "smtp_alert False", &on, &off, nil},
		{"smtp_alert bogus", "smtp_alert maybe", nil, nil, []string{
			"5:13: error: Invalid virtual_server smtp_alert parameter bogus",
			"7:14: error: Invalid real_server smtp_alert parameter maybe"}},
	}
	for _, tt := range tests {
		src := "virtual_server 10.0.0.9 80 {\n protocol TCP\n lb_algo rr\n lb_kind NAT\n " + tt.vs +
			"\n real_server 10.0.1.1 80 {\n  " + tt.rs + "\n }\n}\n"
		cfg, diags := load1(t, src)
		if !slices.Equal(diags, tt.diags) {
			t.Errorf("%q/%q: diagnostics %q, want %q", tt.vs, tt.rs, diags, tt.diags)
		}
		vs := cfg.VirtualServers[0]
		if got := vs.SMTPAlert; !samePtr(got, tt.wantVS) {
			t.Errorf("%q: virtual server SMTPAlert = %v, want %v", tt.vs, show(got), show(tt.wantVS))
		}
		if got := vs.RealServers[0].SMTPAlert; !samePtr(got, tt.want) {
			t.Errorf("%q: real server SMTPAlert = %v, want %v", tt.rs, show(got), show(tt.want))
		}
		for _, o := range append(vs.Options, vs.RealServers[0].Options...) {
			if o.Name == "smtp_alert" {
				t.Errorf("smtp_alert still kept as an untyped option: %+v", o)
			}
		}
	}
}

func samePtr(a, b *bool) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

func show(p *bool) any {
	if p == nil {
		return "unset"
	}
	return *p
}
