package config

import (
	"net/netip"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// TestCheckerTyped: each checker keyword is read here, once, into its
// typed field (the checker engine parses no string); a value keepalived
// refuses is an error at its position and leaves the field unwritten.
func TestCheckerTyped(t *testing.T) {
	sec := func(f float64) *time.Duration { d := time.Duration(f * float64(time.Second)); return &d }
	codes := func(w ...string) StatusCodes { s, _ := ParseStatusCodes(w); return s }
	tests := []struct {
		typ, body string
		want      Checker
		diags     []string
	}{
		{"TCP_CHECK", "delay_loop 2.5\n connect_timeout 3\n delay_before_retry 0\n warmup 1\n retry 4\n alpha off",
			Checker{Timing: CheckTiming{DelayLoop: sec(2.5), ConnectTimeout: sec(3), DelayBeforeRetry: sec(0),
				Warmup: sec(1), Retry: ptr(4), Alpha: ptr(false)}, Conn: CheckConn{Set: true}}, nil},
		{"TCP_CHECK", "alpha", Checker{Timing: CheckTiming{Alpha: ptr(true)}}, nil},
		{"TCP_CHECK", "alpha maybe", Checker{}, []string{`7:7: error: invalid alpha parameter "maybe", ignoring it`}},
		{"TCP_CHECK", "delay_loop 1e3", Checker{}, []string{`7:12: error: delay_loop: invalid value "1e3", ignoring it`}},
		{"TCP_CHECK", "connect_timeout 0", Checker{}, []string{`7:17: error: connect_timeout: invalid value "0", ignoring it`}},
		{"TCP_CHECK", "connect_ip 10.0.0.7\n connect_port 8080\n bindto 10.0.1.9\n bind_port 99\n bind_if eth1\n fwmark 7",
			Checker{Conn: CheckConn{ConnectIP: netip.MustParseAddr("10.0.0.7"), ConnectPort: 8080,
				BindTo: netip.MustParseAddr("10.0.1.9"), BindPort: 99, BindIf: "eth1", Fwmark: 7, Set: true}}, nil},
		{"TCP_CHECK", "connect_port 0", Checker{}, []string{`7:14: error: invalid checker connect_port "0", must be 1-65535`}},
		{"TCP_CHECK", "fwmark x", Checker{}, []string{`7:8: error: invalid checker fwmark "x", ignoring it`}},
		{"HTTP_GET", "http_protocol 1.0c\n virtualhost www.example\n enable_sni\n nb_get_retry 2\n url {\n  path /a\n  digest 0123456789ABCDEF0123456789abcdef\n  status_code 200 300-302\n  status_code 404\n  regex \"ok.*\"\n  regex_no_match\n }",
			Checker{HTTPProtocol: "1.0C", VirtualHost: "www.example", EnableSNI: true, Timing: CheckTiming{Retry: ptr(2)},
				URLs: []URLCheck{{Path: "/a", Digest: "0123456789abcdef0123456789abcdef", Status: codes("200", "300-302", "404"),
					Regex: Regexp{regexp.MustCompile("ok.*")}, RegexNoMatch: true}}},
			[]string{`10:2: warning: nb_get_retry is deprecated, use retry`}},
		{"HTTP_GET", "http_protocol 2\n url {\n  path /\n  digest 0123456789abcdef0123456789abcdeg\n  status_code 99 200\n  regex (\n }\n url {\n }",
			Checker{URLs: []URLCheck{{Path: "/", Status: codes("200")}}},
			[]string{`7:15: error: invalid http_protocol "2", using 1.0`,
				`10:10: error: digest '0123456789abcdef0123456789abcdeg' is not a hex MD5, ignoring it`,
				`11:15: error: invalid HTTP_GET status code "99", must be 100-599 or a range of them`,
				"12:9: error: invalid regex \"(\": error parsing regexp: missing closing ): `(`, ignoring it",
				`15:2: error: HTTP/SSL_GET checker url has no path, ignoring it`}},
		{"SMTP_CHECK", "helo_name me.example\n host {\n  connect_ip 10.0.0.5\n  connect_port 2525\n  connect_timeout 9\n }",
			Checker{HeloName: "me.example", Hosts: []CheckHost{{Conn: CheckConn{ConnectIP: netip.MustParseAddr("10.0.0.5"),
				ConnectPort: 2525, Set: true}, Timing: CheckTiming{ConnectTimeout: sec(9)}}}}, nil},
		{"DNS_CHECK", "type aaaa\n name example.org", Checker{DNSType: 28, DNSName: "example.org"}, nil},
		{"DNS_CHECK", "type BOGUS", Checker{}, []string{`7:6: error: unknown DNS check type "BOGUS", using SOA`}},
		{"MISC_CHECK", "misc_path /bin/true\n user nobody nogroup\n misc_timeout 5\n misc_dynamic",
			Checker{User: "nobody", Group: "nogroup", MiscTimeout: 5 * time.Second, MiscDynamic: true},
			[]string{"7:11: warning: SECURITY VIOLATION - scripts are being executed but script_security not enabled"}},
		{"UDP_CHECK", "payload 01 ab\n require_reply 0x ff\n min_reply_length 2\n max_reply_length 9",
			Checker{Payload: []byte{1, 0xab}, RequireReply: true, Reply: []byte{0, 0xff}, ReplyMask: []byte{0x0f, 0},
				MinReplyLength: 2, MaxReplyLength: 9}, nil},
		{"UDP_CHECK", "payload zz\n require_reply", Checker{RequireReply: true, MaxReplyLength: 255},
			[]string{`7:9: error: invalid UDP_CHECK payload "zz": invalid hex string zz`}},
		{"FILE_CHECK", "track_file f1\n weight -7 reverse", Checker{TrackFile: "f1", FileWeight: Weight{Value: -7, Reverse: true, Set: true}}, nil},
	}
	ignore := cmpopts.IgnoreFields(Checker{}, "Pos", "Type", "Misc", "Options", "Sub")
	for _, tt := range tests {
		src := "virtual_server 10.0.0.9 80 {\n protocol TCP\n lb_algo rr\n lb_kind NAT\n real_server 10.0.1.1 80 {\n  " +
			tt.typ + " {\n" + tt.body + "\n  }\n }\n}\n"
		cfg, diags := load1(t, src)
		if !slices.Equal(diags, tt.diags) {
			t.Errorf("%s %q: diagnostics\n%q, want\n%q", tt.typ, tt.body, diags, tt.diags)
		}
		got := cfg.VirtualServers[0].RealServers[0].Checkers[0]
		if diff := cmp.Diff(&tt.want, got, ignore, cmpopts.IgnoreFields(URLCheck{}, "Pos"),
			cmpopts.IgnoreFields(CheckHost{}, "Pos"), cmpopts.EquateEmpty(), cmpopts.EquateComparable(netip.Addr{})); diff != "" {
			t.Errorf("%s %q (-want +got):\n%s", tt.typ, tt.body, diff)
		}
	}
}

// TestServerTiming: virtual and real server timing keywords are typed too.
func TestServerTiming(t *testing.T) {
	src := "virtual_server 10.0.0.9 80 {\n protocol TCP\n lb_algo rr\n lb_kind NAT\n retry 3\n connect_timeout 2\n real_server 10.0.1.1 80 {\n" +
		"  delay_loop 7\n  warmup 0.5\n  virtualhost rs.example\n  delay_before_retry x\n }\n}\n"
	cfg, diags := load1(t, src)
	if want := []string{`11:22: error: delay_before_retry: invalid value "x", ignoring it`}; !slices.Equal(diags, want) {
		t.Errorf("diagnostics %q, want %q", diags, want)
	}
	vs := cfg.VirtualServers[0]
	d := func(f float64) *time.Duration { x := time.Duration(f * float64(time.Second)); return &x }
	if diff := cmp.Diff(CheckTiming{Retry: ptr(3), ConnectTimeout: d(2)}, vs.Timing); diff != "" {
		t.Errorf("virtual server timing (-want +got):\n%s", diff)
	}
	rs := vs.RealServers[0]
	if diff := cmp.Diff(CheckTiming{DelayLoop: d(7), Warmup: d(0.5)}, rs.Timing); diff != "" {
		t.Errorf("real server timing (-want +got):\n%s", diff)
	}
	if rs.VirtualHost != "rs.example" {
		t.Errorf("real server VirtualHost = %q", rs.VirtualHost)
	}
}

// TestSSLFiles: the SSL block's files are typed.
func TestSSLFiles(t *testing.T) {
	cfg, _ := load1(t, "SSL {\n ca /a\n certificate /c\n key /k\n}\n")
	if s := cfg.SSL; s == nil || s.CA != "/a" || s.Certificate != "/c" || s.Key != "/k" {
		t.Errorf("SSL = %+v", s)
	}
}
