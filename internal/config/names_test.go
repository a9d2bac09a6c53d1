package config

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestNameRule: names that would break a metric label, a log line or a
// notify FIFO line are refused where they are written; a block defined
// under such a name is ignored. Before the rule these configurations
// loaded without an error, and the daemon panicked at the first metric
// carrying the name (or wrote a forged FIFO line).
func TestNameRule(t *testing.T) {
	const inst = " interface eth0\n virtual_router_id 1\n no_virtual_ipaddress\n}\n"
	tests := []struct {
		name    string
		in      string
		wantErr []string // diagnostics that are errors
		gone    string   // an instance that must not be loaded
	}{
		{name: "instance with a newline", in: "vrrp_instance \"VI_1\\n\" {\n" + inst, gone: "VI_1\n",
			wantErr: []string{`1:15: error: vrrp_instance name "VI_1\n" holds the control character U+000A; ignoring the vrrp_instance`}},
		{name: "instance not UTF-8", in: "vrrp_instance VI_\xff {\n" + inst, gone: "VI_\xff",
			wantErr: []string{`1:15: error: vrrp_instance name "VI_\xff" is not valid UTF-8; ignoring the vrrp_instance`}},
		{name: "forged FIFO field", in: "vrrp_instance 'A\" FAULT 0' {\n" + inst, gone: `A" FAULT 0`,
			wantErr: []string{`1:15: error: vrrp_instance name "A\" FAULT 0" holds a double quote, which notify FIFO lines put names in; ignoring the vrrp_instance`}},
		{name: "empty instance name", in: "vrrp_instance \"\" {\n" + inst, gone: "",
			wantErr: []string{`1:15: error: vrrp_instance name "" is empty; ignoring the vrrp_instance`}},
		{name: "script", in: "vrrp_script \"chk\\x01\" {\n script true\n}\n",
			wantErr: []string{`1:13: error: vrrp_script name "chk\x01" holds the control character U+0001; ignoring the vrrp_script`}},
		{name: "track_file and track_process",
			in: "track_file \"f\\t\" {\n file /tmp/x\n}\nvrrp_track_process p\xc3 {\n process x\n}\n",
			wantErr: []string{
				`1:12: error: track_file name "f\t" holds the control character U+0009; ignoring the track_file`,
				`4:20: error: vrrp_track_process name "p\xc3" is not valid UTF-8; ignoring the vrrp_track_process`}},
		{name: "sync group and its members",
			in:      "vrrp_instance VI_1 {\n" + inst + "vrrp_sync_group G\x85 {\n group {\n VI_1 \"V\\r\"\n }\n}\n",
			wantErr: []string{`6:17: error: vrrp_sync_group name "G\x85" is not valid UTF-8; ignoring the vrrp_sync_group`}},
		{name: "group member",
			in: "vrrp_instance VI_1 {\n" + inst + "vrrp_sync_group G {\n group {\n VI_1 \"V\\r\"\n }\n}\n",
			wantErr: []string{
				`8:7: error: group name "V\r" holds the control character U+000D`,
				`8:7: error: virtual router V` + "\r" + ` specified in sync group G doesn't exist, ignoring it`}},
		{name: "interfaces",
			in: "vrrp_instance VI_1 {\n interface eth0123456789abc\n virtual_router_id 1\n track_interface {\n \"e\\n\" weight 2\n }\n" +
				" virtual_ipaddress {\n 10.0.0.1/24 dev \"x\\x7f\"\n }\n}\n",
			wantErr: []string{
				`2:12: error: interface name "eth0123456789abc" is longer than 15 bytes`,
				`5:2: error: track_interface name "e\n" holds the control character U+000A`,
				`8:18: error: dev name "x\x7f" holds the control character U+007F`}},
		{name: "track group and static routes",
			in: "track_group T\x01 {\n group {\n VI_1\n }\n}\nstatic_routes {\n 10.1.0.0/16 dev \"a\\nb\"\n}\n",
			wantErr: []string{
				`1:13: error: track_group name "T\x01" holds the control character U+0001; ignoring the track_group`,
				`7:18: error: dev name "a\nb" holds the control character U+000A`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, diags := LoadBytes("t.conf", []byte(tt.in), Options{ConfigID: "main", ReadFile: noFiles, Glob: noGlob})
			var errs []Diagnostic
			for _, d := range diags {
				if d.Severity == SeverityError {
					errs = append(errs, d)
				}
			}
			if diff := cmp.Diff(tt.wantErr, diagStrings(errs)); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
			if cfg != nil && tt.gone != "" && cfg.Instance(tt.gone) != nil {
				t.Errorf("instance %q loaded", tt.gone)
			}
		})
	}
}

// TestNameRuleAllowsOrdinaryNames: UTF-8 letters, spaces in a quoted name
// and keepalived's usual punctuation are all fine.
func TestNameRuleAllowsOrdinaryNames(t *testing.T) {
	in := `vrrp_script "chk web-1.é" {
 script true
}
vrrp_instance "VI 1/α" {
 interface eth0.100
 virtual_router_id 1
 track_script {
  "chk web-1.é"
 }
 virtual_ipaddress {
  10.0.0.1/24 dev eth0.100
 }
}
vrrp_sync_group G_ü {
 group {
  "VI 1/α"
 }
}
`
	_, diags := LoadBytes("t.conf", []byte(in), Options{ConfigID: "main", ReadFile: noFiles, Glob: noGlob})
	for _, d := range diags {
		if d.Severity == SeverityError || strings.Contains(d.Msg, " name ") {
			t.Errorf("unexpected: %s", d)
		}
	}
}
