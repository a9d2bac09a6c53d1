package config

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestKeepalivedConfigTestCases pins verdicts where the differential test
// (internal/config/difft) found keepalived 2.2.7's -t and ours apart: the
// exit code and the lines named, as keepalived gives them.
func TestKeepalivedConfigTestCases(t *testing.T) {
	const inst = "vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 1\n priority 100\n virtual_ipaddress {\n  10.0.0.1\n }\n"
	vs := func(body string) string {
		return "virtual_server 10.0.0.1 80 {\n protocol TCP\n lb_algo rr\n lb_kind NAT\n real_server 10.0.0.2 80 {\n" + body + " }\n}\n"
	}
	only := map[string]bool{"eth0": true, "eth1": true}
	tests := []struct {
		name      string
		in        string
		ifaces    map[string]bool // nil: no interface check
		wantExit  int
		wantLines []int
	}{
		{"missing include does not fail the test", "include missing.conf\n" + inst + "}\n", nil, 0, []int{1}},
		{"missing glob include does not fail the test", "include /nonexistent/*.conf\n" + inst + "}\n", nil, 0, []int{1}},
		{"instance interface missing", strings.Replace(inst, "eth0", "eth9", 1) + "}\n", only, 5, []int{2}},
		{"missing interface stops VRRP checks", "vrrp_instance X {\n interface eth9\n}\n", only, 5, []int{2}},
		{"missing interface, but dynamic_interfaces", "global_defs {\n dynamic_interfaces\n}\nvrrp_instance X {\n interface eth9\n virtual_router_id 1\n virtual_ipaddress {\n  10.0.0.1\n }\n}\n", only, 0, nil},
		{"tracked interface missing", inst + " track_interface {\n  eth7\n }\n}\n", only, 5, []int{9}},
		{"VIP dev missing", "vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 1\n virtual_ipaddress {\n  10.0.0.1 dev eth5\n }\n}\n", only, 5, []int{5}},
		{"no check without InterfaceExists", strings.Replace(inst, "eth0", "eth9", 1) + "}\n", nil, 0, nil},
		{"interface name too long", "vrrp_instance VI_1 {\n interface averyveryverylongname0\n virtual_router_id 1\n virtual_ipaddress {\n  10.0.0.1\n }\n}\n", nil, 5, []int{2}},
		{"tracking its own interface", inst + " track_interface {\n  eth0\n }\n}\n", only, 5, []int{9}},
		{"checker unknown keyword", vs("  TCP_CHECK {\n   connect_tiemout 3\n  }\n"), nil, 5, []int{7}},
		{"checker port out of range", vs("  TCP_CHECK {\n   connect_port 70000\n  }\n"), nil, 5, []int{7}},
		{"checker port not a number", vs("  TCP_CHECK {\n   connect_port 1e3\n  }\n"), nil, 5, []int{7}},
		{"bad status code", vs("  HTTP_GET {\n   url {\n    path /\n    status_code -1\n   }\n  }\n"), nil, 5, []int{9}},
		{"url without a path", vs("  HTTP_GET {\n   url {\n    digest 640205b7b0fc66c1ea91c463fac6334d\n   }\n  }\n"), nil, 5, []int{9}},
		{"unknown keyword in url", vs("  HTTP_GET {\n   url {\n    paht /\n    path /\n   }\n  }\n"), nil, 5, []int{8}},
		{"good checker", vs("  HTTP_GET {\n   url {\n    path /\n    status_code 200-299 301\n   }\n   connect_port 80\n   retry 3\n  }\n"), nil, 0, nil},
		{"SMTP host block", vs("  SMTP_CHECK {\n   host {\n    connect_ip 10.0.0.3\n    helo_name x\n   }\n  }\n"), nil, 5, []int{9}},
		{"bad scheduler", "virtual_server 10.0.0.1 80 {\n lb_algo foo\n protocol TCP\n}\n", nil, 5, []int{1, 2}},
		{"bad forwarding method", "virtual_server 10.0.0.1 80 {\n lb_kind XX\n protocol TCP\n lb_algo rr\n}\n", nil, 5, []int{1, 2}},
		{"virtual server weight", "virtual_server 10.0.0.1 80 {\n weight 2\n lb_algo wlc\n lb_kind DR\n protocol UDP\n real_server 10.0.0.2 80 {\n }\n}\n", nil, 0, nil},
		{"unknown block ends the enclosing block", "vrrp_instance VI_1 {\n interface eth0\n virtaul_ipaddress {\n  10.0.0.1\n }\n virtual_router_id 30\n priority 100\n virtual_ipaddress {\n  10.0.0.1/24\n }\n}\n", nil, 5, []int{1, 3, 4, 6, 7, 8, 9, 10, 11}},
		{"unknown block at the top level", "vrrp_instanc VI_1 {\n interface eth0\n}\n", nil, 5, []int{1, 2, 3}},
		{"unknown block nested twice", "virtual_server 10.0.0.1 80 {\n real_server 10.0.0.2 80 {\n  TCP_CHEK {\n   connect_port 80\n  }\n  weight 2\n }\n lb_algo rr\n}\n", nil, 5, []int{1, 3, 4, 8, 9}},
		{"no protocol, scheduler or method", "virtual_server 10.0.0.1 80 {\n real_server 10.0.0.2 80 {\n }\n}\n", nil, 5, []int{1}},
		{"fwmark needs no protocol", "virtual_server fwmark 1 {\n lb_algo rr\n lb_kind DR\n real_server 10.0.0.2 {\n }\n}\n", nil, 0, nil},
		{"fwmark real server with a port", "virtual_server fwmark 1 {\n lb_algo rr\n lb_kind DR\n real_server 10.0.0.2 80 {\n }\n}\n", nil, 5, []int{4}},
		{"no real servers", "virtual_server 10.0.0.1 80 {\n protocol UDP\n lb_algo rr\n lb_kind DR\n}\n", nil, 5, []int{1}},
		{"port 0 needs persistence", "virtual_server 10.0.0.1 0 {\n protocol TCP\n lb_algo rr\n lb_kind DR\n real_server 10.0.0.2 0 {\n }\n}\n", nil, 5, []int{1}},
		{"repeated real server", "virtual_server 10.0.0.1 80 {\n protocol TCP\n lb_algo rr\n lb_kind DR\n real_server 10.0.0.2 80 {\n }\n real_server 10.0.0.2 80 {\n }\n}\n", nil, 5, []int{7}},
		{"empty notification_email", "global_defs {\n notification_email {\n }\n}\n", nil, 5, []int{3}},
		{"garp interval 0", "global_defs {\n vrrp_garp_interval 0\n vrrp_gna_interval 0.001\n}\n", nil, 5, []int{2}},
		{"persistence_timeout 0", "virtual_server 10.0.0.1 80 {\n protocol TCP\n lb_algo rr\n lb_kind DR\n persistence_timeout 0\n real_server 10.0.0.2 80 {\n }\n}\n", nil, 5, []int{5}},
		{"persistence_timeout alone makes port 0 fine", "virtual_server 10.0.0.1 0 {\n protocol TCP\n lb_algo rr\n lb_kind DR\n persistence_timeout\n real_server 10.0.0.2 0 {\n }\n}\n", nil, 0, nil},
		{"nb_get_retry is deprecated", vs("  HTTP_GET {\n   url {\n    path /\n   }\n   nb_get_retry 3\n  }\n"), nil, 5, []int{10}},
		{"global_tracking is deprecated", "vrrp_sync_group G {\n group {\n  A\n  B\n }\n global_tracking\n}\n", nil, 5, []int{1, 3, 4, 6}},
		{"vrrp_vmac_garp_intvl is deprecated", "global_defs {\n vrrp_vmac_garp_intvl 5\n}\n", nil, 5, []int{2}},
		{"vrrp_script without any instance is not judged", "vrrp_script s {\n script \"/bin/sh -c true\"\n}\n", nil, 0, nil},
		{"duplicate track_script", "vrrp_script s {\n script \"/nonexistent/x\"\n}\n" + inst + " track_script {\n  s\n  s\n }\n}\n", nil, 5, []int{13}},
		{"ports differ without NAT", "virtual_server 10.0.0.1 80 {\n protocol TCP\n lb_algo rr\n lb_kind DR\n real_server 10.0.0.2 8080 {\n }\n}\n", nil, 5, []int{5}},
		{"ports may differ with NAT", "virtual_server 10.0.0.1 80 {\n protocol TCP\n lb_algo rr\n lb_kind NAT\n real_server 10.0.0.2 8080 {\n }\n}\n", nil, 0, nil},
		{"quorum above the real servers' weight", "virtual_server 10.0.0.1 80 {\n protocol TCP\n lb_algo rr\n lb_kind DR\n quorum 5\n hysteresis 1\n real_server 10.0.0.2 80 {\n  weight 3\n }\n}\n", nil, 5, []int{1}},
		{"empty number is 0", "virtual_server 10.0.0.1 80 {\n protocol TCP\n lb_algo rr\n lb_kind NAT\n real_server 10.0.0.2 80 {\n  weight \"\"\n }\n real_server 10.0.0.3 80 {\n }\n}\n", nil, 0, nil},
		{"empty priority is out of range", strings.Replace(inst, "priority 100", "priority \"\"", 1) + "}\n", nil, 5, []int{4}},
		{"unicast_src_ip without peers", strings.Replace(inst, " priority 100\n", " priority 100\n unicast_src_ip 10.0.0.5\n", 1) + "}\n", nil, 5, []int{1}},
		{"unicast_src_ip without peers but unicast_fault_no_peer", strings.Replace(inst, " priority 100\n", " priority 100\n unicast_src_ip 10.0.0.5\n unicast_fault_no_peer\n", 1) + "}\n", nil, 0, nil},
		{"bad checker values", vs("  TCP_CHECK {\n   retry 2001:db8::zz\n   connect_timeout \"\"\n   bindto 65536\n   connect_ip 10.0.0.9\n   delay_before_retry 0\n  }\n"), nil, 5, []int{7, 8, 9}},
		{"bad real server value", vs("  delay_loop 0\n"), nil, 5, []int{6}},
		{"timers are plain decimals", "vrrp_instance A {\n interface eth0\n virtual_router_id 1\n advert_int 1e0\n virtual_ipaddress {\n  10.0.0.1\n }\n}\n", nil, 5, []int{4}},
		{"checker timer and retry limits", vs("  TCP_CHECK {\n   connect_timeout 65536\n   retry \"\"\n  }\n"), nil, 5, []int{7}},
		{"notify script given twice", strings.Replace(inst, " priority 100\n", " priority 100\n notify_fault /nonexistent/a\n notify_fault /nonexistent/b\n", 1) + "}\n", nil, 5, []int{6}},
		{"lb_kind is not a real_server keyword", vs("  lb_kind DR\n"), nil, 5, []int{6}},
		// Braces as keepalived reads them (block_grammar.go); each verdict
		// is keepalived 2.2.7's on the same text.
		{"block read without its '{'", "vrrp_script chk\n script \"/bin/true\"\n interval 2\n}\n" + inst + " track_script {\n  chk\n }\n}\n", nil, 6, []int{2, 3, 4}},
		{"extra '{' in a block is ignored", "vrrp_script chk {\n script \"/bin/true\"\n{\n}\n" + inst + " track_script {\n  chk\n }\n}\n", nil, 6, []int{2, 3}},
		{"checker reads an instance's track_file as a nameless one", inst + " virtual_ipaddress_excluded\n  10.0.0.2\n }\n track_file {\n  tf\n }\n}\n", nil, 2, []int{9, 11, 12, 14}},
		{"track_file without a name", "track_file {\n file /tmp/x\n}\n", nil, 2, []int{1}},
		{"digest of the wrong length", vs("  HTTP_GET {\n   url {\n    path /\n    digest 10.0.0.1/33\n   }\n  }\n"), nil, 5, []int{9}},
		{"MISC_CHECK without misc_path", vs("  MISC_CHECK {\n   misc_timeout 5\n  }\n"), nil, 5, []int{8}},
		{"quorum_down given twice", "virtual_server 10.0.0.1 80 {\n protocol TCP\n lb_algo rr\n lb_kind NAT\n quorum_down /bin/a\n quorum_down /bin/b\n real_server 10.0.0.2 80 {\n }\n}\n", nil, 5, []int{6}},
		{"file given twice in a track_file", "track_file tf {\n file /run/a\n file /run/b\n}\n", nil, 5, []int{3}},
		{"smtp server that never resolves", "global_defs {\n smtp_server 10.0.0.300\n}\n", nil, 5, []int{2}},
		{"smtp server port out of range", "global_defs {\n smtp_server 10.0.0.1 0\n}\n", nil, 5, []int{2}},
		{"virtual_server_group without its '{'", "virtual_server_group G\n 10.0.0.1 80\n}\n", nil, 2, []int{2, 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := Options{ConfigID: "x"}
			if tt.ifaces != nil {
				opts.InterfaceExists = func(n string) bool { return tt.ifaces[n] }
			}
			cfg, diags := LoadBytes(t.TempDir()+"/k.conf", []byte(tt.in), opts)
			var lines []int
			for _, d := range diags {
				lines = append(lines, d.Pos.Line)
			}
			type verdict struct {
				Exit  int
				Lines []int
			}
			want := verdict{tt.wantExit, tt.wantLines}
			got := verdict{ExitCode(cfg), sortedUnion(lines)}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("verdict (-want +got):\n%s\n%s", diff, diagText(diags))
			}
		})
	}
}

// TestOwnInterfaceNotTracked checks the model drops a track_interface
// naming the instance's own interface, as keepalived does.
func TestOwnInterfaceNotTracked(t *testing.T) {
	src := "vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 1\n virtual_ipaddress {\n  10.0.0.1\n }\n track_interface {\n  eth0\n  eth1 weight 10\n }\n}\n"
	cfg, diags := LoadBytes("k.conf", []byte(src), Options{ConfigID: "x"})
	in := cfg.Instance("VI_1")
	if in == nil {
		t.Fatalf("no instance:\n%s", diagText(diags))
	}
	var names []string
	for _, r := range in.TrackInterfaces {
		names = append(names, r.Name)
	}
	if diff := cmp.Diff([]string{"eth1"}, names); diff != "" {
		t.Errorf("tracked interfaces (-want +got):\n%s", diff)
	}
}
