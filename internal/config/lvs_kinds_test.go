package config

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// TestLVSTypedWords checks that protocol, the checker keywords and TUN's
// options are resolved into typed values while loading, with errors at
// the offending word.
func TestLVSTypedWords(t *testing.T) {
	for _, tc := range []struct {
		name, proto, method string
		wantProto           Protocol
		wantTun             Tunnel
		wantErr             string // "line:col: substring"; "" for none
	}{
		{name: "tcp", proto: "TCP", method: "NAT", wantProto: ProtoTCP},
		{name: "sctp lower case", proto: "sctp", method: "DR", wantProto: ProtoSCTP},
		{name: "bad protocol", proto: "ICMP", method: "NAT", wantProto: ProtoUDP, wantErr: "3:12: unknown protocol"},
		{name: "tun plain", proto: "UDP", method: "TUN", wantProto: ProtoUDP},
		{name: "tun gue", proto: "TCP", method: "TUN type gue port 6080 csum", wantProto: ProtoTCP,
			wantTun: Tunnel{Type: TunnelGUE, Port: 6080, Csum: TunnelCsumOn}},
		{name: "tun gre remcsum", proto: "TCP", method: "TUN type gre remcsum", wantProto: ProtoTCP,
			wantErr: "4:15: gre tunnels do not support the remote checksum"},
		{name: "tun gre csum", proto: "TCP", method: "TUN csum type gre", wantProto: ProtoTCP,
			wantTun: Tunnel{Type: TunnelGRE, Csum: TunnelCsumOn}},
		{name: "tun ipip csum", proto: "TCP", method: "TUN type ipip csum", wantProto: ProtoTCP,
			wantErr: "4:15: ipip tunnels do not support a checksum"},
		{name: "tun gue no port", proto: "TCP", method: "TUN type gue", wantProto: ProtoTCP,
			wantErr: "4:15: gue tunnels require a port"},
		{name: "tun port without gue", proto: "TCP", method: "TUN port 80", wantProto: ProtoTCP,
			wantErr: "4:15: gue tunnels require a port"},
		{name: "tun bad type", proto: "TCP", method: "TUN type vxlan", wantProto: ProtoTCP,
			wantErr: "4:20: unknown tunnel type vxlan"},
		{name: "tun bad port", proto: "TCP", method: "TUN type gue port 70000", wantProto: ProtoTCP,
			wantErr: "4:29: invalid gue tunnel port 70000"},
		{name: "tun missing type", proto: "TCP", method: "TUN type", wantProto: ProtoTCP,
			wantErr: "4:15: missing tunnel type"},
		{name: "tun bad option", proto: "TCP", method: "TUN fast", wantProto: ProtoTCP,
			wantErr: "4:15: invalid tunnel option fast"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := fmt.Sprintf("virtual_server 10.0.0.1 80 {\n  lb_algo rr\n  protocol %s\n  lb_kind %s\n"+
				"  real_server 10.0.0.2 80 {\n    TCP_CHECK {\n    }\n    MISC_CHECK {\n      misc_path /bin/true\n    }\n  }\n}\n",
				tc.proto, tc.method)
			cfg, diags := LoadBytes("t.conf", []byte(src), Options{ConfigID: "x"})
			var errs []string
			for _, d := range diags {
				if d.Severity == SeverityError {
					errs = append(errs, fmt.Sprintf("%d:%d: %s", d.Pos.Line, d.Pos.Col, d.Msg))
				}
			}
			at, msg, _ := strings.Cut(tc.wantErr, " ")
			if tc.wantErr == "" && len(errs) > 0 || tc.wantErr != "" && (len(errs) == 0 || !strings.HasPrefix(errs[0], at) || !strings.Contains(errs[0], msg)) {
				t.Fatalf("errors %q, want %q", errs, tc.wantErr)
			}
			v := cfg.VirtualServers[0]
			rs := v.RealServers[0]
			if v.Protocol != tc.wantProto || v.Tunnel != tc.wantTun || rs.Tunnel != tc.wantTun {
				t.Errorf("protocol %v tunnel %+v (real server %+v), want %v %+v", v.Protocol, v.Tunnel, rs.Tunnel, tc.wantProto, tc.wantTun)
			}
			if len(rs.Checkers) != 2 || rs.Checkers[0].Type != CheckTCP || rs.Checkers[1].Type != CheckMisc {
				t.Errorf("checkers %+v, want TCP_CHECK and MISC_CHECK", rs.Checkers)
			}
			j, _ := json.Marshal(rs.Checkers[0].Type)
			if string(j) != `"TCP_CHECK"` {
				t.Errorf("checker kind JSON %s, want the keyword", j)
			}
		})
	}
}
