package plan

import (
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// inst1 renders a small vrrp_instance; extra lines go inside it.
func inst1(name string, vrid, prio int, vip string, extra ...string) string {
	return fmt.Sprintf("vrrp_instance %s {\n    interface eth1\n    virtual_router_id %d\n    priority %d\n    advert_int 1\n%s    virtual_ipaddress {\n        %s\n    }\n}\n",
		name, vrid, prio, indent(extra), vip)
}

func indent(lines []string) string {
	var b strings.Builder
	for _, l := range lines {
		b.WriteString("    " + l + "\n")
	}
	return b.String()
}

// planFiles writes each config into a temporary directory as a.conf,
// b.conf, ... and plans them as nodes A, B, ... on 10.0.0.1, .2, ...
func planFiles(t *testing.T, confs ...string) (*Plan, string) {
	t.Helper()
	dir := t.TempDir()
	var specs []NodeSpec
	for i, c := range confs {
		name := string(rune('a' + i))
		path := filepath.Join(dir, name+".conf")
		if err := os.WriteFile(path, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
		specs = append(specs, NodeSpec{Name: strings.ToUpper(name), Path: path,
			Addrs: []IfaceAddr{{Iface: "eth1", Prefix: netip.MustParsePrefix(fmt.Sprintf("10.0.0.%d/24", i+1))}}})
	}
	return New(specs), dir
}

// where is a finding or problem reduced to what the tests assert: its kind
// and file:line with the file's base name.
func where(kind, file string, line int) string { return fmt.Sprintf("%s %s:%d", kind, file, line) }

func findingsOf(p *Plan) []string {
	var out []string
	for _, f := range p.Findings {
		out = append(out, where(f.Kind.String(), filepath.Base(f.Pos.File), f.Pos.Line))
	}
	return out
}

const checkScript = "vrrp_script chk {\n    script \"/bin/true\"\n    weight -20\n}\n"

func TestFindings(t *testing.T) {
	tests := []struct {
		name  string
		confs []string
		want  []string
	}{
		{
			name:  "clean pair",
			confs: []string{inst1("VI", 10, 100, "10.0.0.10"), inst1("VI", 10, 90, "10.0.0.10")},
		},
		{
			name:  "equal priorities",
			confs: []string{inst1("VI", 10, 100, "10.0.0.10"), inst1("VI", 10, 100, "10.0.0.10")},
			want:  []string{where("equal-priority", "a.conf", 4)},
		},
		{
			// lines: vrrp_script 1-4, instance from 5; track_script entry at 11.
			name: "weight too small",
			confs: []string{
				checkScript + inst1("VI", 10, 100, "10.0.0.10", "track_script {", "    chk", "}"),
				inst1("VI", 10, 70, "10.0.0.10"),
			},
			want: []string{where("weight-too-small", "a.conf", 11)},
		},
		{
			name: "weight large enough",
			confs: []string{
				checkScript + inst1("VI", 10, 100, "10.0.0.10", "track_script {", "    chk", "}"),
				inst1("VI", 10, 90, "10.0.0.10"),
			},
		},
		{
			name: "weight ties and the holder has the lower address",
			confs: []string{
				checkScript + inst1("VI", 10, 100, "10.0.0.10", "track_script {", "    chk", "}"),
				inst1("VI", 10, 80, "10.0.0.10"),
			},
		},
		{
			name: "weight ties and the holder has the higher address",
			confs: []string{
				inst1("VI", 10, 80, "10.0.0.10"),
				checkScript + inst1("VI", 10, 100, "10.0.0.10", "track_script {", "    chk", "}"),
			},
			want: []string{where("weight-too-small", "b.conf", 11)},
		},
		{
			name:  "vips differ",
			confs: []string{inst1("VI", 10, 100, "10.0.0.10"), inst1("VI", 10, 90, "10.0.0.11")},
			want:  []string{where("vips-differ", "b.conf", 3)},
		},
		{
			name: "one vip in two vrids",
			confs: []string{
				inst1("VI", 10, 100, "10.0.0.10") + inst1("VJ", 11, 90, "10.0.0.10"),
				inst1("VI", 10, 90, "10.0.0.10") + inst1("VJ", 11, 100, "10.0.0.10"),
			},
			want: []string{where("vip-in-two-vrids", "a.conf", 12)},
		},
		{
			name:  "advert_int mismatch",
			confs: []string{inst1("VI", 10, 100, "10.0.0.10"), strings.Replace(inst1("VI", 10, 90, "10.0.0.10"), "advert_int 1", "advert_int 3", 1)},
			want:  []string{where("advert-int-mismatch", "b.conf", 1)},
		},
		{
			name: "auth mismatch",
			confs: []string{
				inst1("VI", 10, 100, "10.0.0.10", "authentication {", "    auth_type PASS", "    auth_pass 1234", "}"),
				inst1("VI", 10, 90, "10.0.0.10", "authentication {", "    auth_type PASS", "    auth_pass 9999", "}"),
			},
			want: []string{where("auth-mismatch", "b.conf", 6)},
		},
		{
			name:  "version mismatch",
			confs: []string{inst1("VI", 10, 100, "10.0.0.10"), inst1("VI", 10, 90, "10.0.0.10", "version 3")},
			want:  []string{where("version-mismatch", "b.conf", 1)},
		},
		{
			name: "nopreempt with state MASTER",
			confs: []string{
				inst1("VI", 10, 100, "10.0.0.10", "state MASTER", "nopreempt"),
				inst1("VI", 10, 90, "10.0.0.10", "state BACKUP", "nopreempt"),
			},
			want: []string{where("nopreempt-with-master", "a.conf", 7)},
		},
		{
			// keepalived's state words are case-sensitive: "master" is an
			// error that leaves BACKUP, so nopreempt stays in force.
			name: "nopreempt with state master in lower case",
			confs: []string{
				inst1("VI", 10, 100, "10.0.0.10", "state master", "nopreempt"),
				inst1("VI", 10, 90, "10.0.0.10", "state BACKUP", "nopreempt"),
			},
		},
		{
			name:  "no backup",
			confs: []string{inst1("VI", 10, 100, "10.0.0.10") + inst1("VJ", 11, 100, "10.0.0.11"), inst1("VI", 10, 90, "10.0.0.10")},
			want:  []string{where("no-backup", "a.conf", 12)},
		},
		{
			name:  "state MASTER on the lower priority",
			confs: []string{inst1("VI", 10, 100, "10.0.0.10", "state BACKUP"), inst1("VI", 10, 90, "10.0.0.10", "state MASTER")},
			want:  []string{where("state-master-not-top", "b.conf", 6)},
		},
		{
			name: "unicast peer missing",
			confs: []string{
				inst1("VI", 10, 100, "10.0.0.10", "unicast_src_ip 10.0.0.1", "unicast_peer {", "    10.0.0.9", "}"),
				inst1("VI", 10, 90, "10.0.0.10", "unicast_src_ip 10.0.0.2", "unicast_peer {", "    10.0.0.1", "}"),
			},
			want: []string{where("unicast-peers", "a.conf", 8)},
		},
		{
			name: "unicast and multicast mixed",
			confs: []string{
				inst1("VI", 10, 100, "10.0.0.10", "unicast_peer {", "    10.0.0.2", "}"),
				inst1("VI", 10, 90, "10.0.0.10"),
			},
			want: []string{where("unicast-peers", "a.conf", 1)},
		},
		{
			name: "sync group",
			confs: []string{
				"vrrp_sync_group G {\n    group {\n        VI\n        VJ\n    }\n}\n" + inst1("VI", 10, 100, "10.0.0.10") + inst1("VJ", 11, 100, "10.0.0.11"),
				inst1("VI", 10, 90, "10.0.0.10") + inst1("VJ", 11, 90, "10.0.0.11"),
			},
		},
		{
			// The plan simulates each address family on its own.
			name: "sync group across IPv4 and IPv6",
			confs: []string{
				"vrrp_sync_group G {\n    group {\n        VI\n        VJ\n    }\n}\n" + inst1("VI", 10, 100, "10.0.0.10") + inst1("VJ", 11, 100, "fd00::11"),
				inst1("VI", 10, 90, "10.0.0.10") + inst1("VJ", 11, 90, "fd00::11"),
			},
			want: []string{where("sync-group-not-modeled", "a.conf", 1)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, _ := planFiles(t, tt.confs...)
			if len(p.Problems) > 0 {
				t.Fatalf("problems: %v", p.Problems)
			}
			if diff := cmp.Diff(tt.want, findingsOf(p)); diff != "" {
				t.Errorf("findings (-want +got):\n%s\nall: %v", diff, p.Findings)
			}
		})
	}
}

func TestProblems(t *testing.T) {
	tests := []struct {
		name  string
		confs []string
		addrs []string // per node, overriding 10.0.0.N/24
		want  []string
	}{
		{
			name:  "config error",
			confs: []string{inst1("VI", 10, 100, "10.0.0.10"), "vrrp_instance VI {\n    interface eth1\n    virtual_router_id 300\n    priority 90\n}\n"},
			want:  []string{"b.conf:3:23", "b.conf:1:15"},
		},
		{
			name:  "no common subnet",
			confs: []string{inst1("VI", 10, 100, "10.0.0.10"), inst1("VI", 10, 90, "10.0.0.10")},
			addrs: []string{"10.0.0.1/24", "10.9.0.2/24"},
			want:  []string{"b.conf:1:15"},
		},
		{
			name:  "one address on two nodes",
			confs: []string{inst1("VI", 10, 100, "10.0.0.10"), inst1("VI", 10, 90, "10.0.0.10")},
			addrs: []string{"10.0.0.1/24", "10.0.0.1/24"},
			want:  []string{"b.conf:1:15"},
		},
		{
			name:  "peers on different families",
			confs: []string{inst1("VI", 10, 100, "10.0.0.10"), inst1("VI", 10, 90, "fd00::10")},
			want:  []string{"b.conf:3:23"},
		},
		{
			name:  "one vrid twice on a node",
			confs: []string{inst1("VI", 10, 100, "10.0.0.10") + inst1("VJ", 10, 100, "10.0.0.11"), inst1("VI", 10, 90, "10.0.0.10")},
			want:  []string{"a.conf:12:23"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			var specs []NodeSpec
			for i, c := range tt.confs {
				name := string(rune('a' + i))
				path := filepath.Join(dir, name+".conf")
				if err := os.WriteFile(path, []byte(c), 0o644); err != nil {
					t.Fatal(err)
				}
				addr := fmt.Sprintf("10.0.0.%d/24", i+1)
				if tt.addrs != nil {
					addr = tt.addrs[i]
				}
				specs = append(specs, NodeSpec{Name: strings.ToUpper(name), Path: path,
					Addrs: []IfaceAddr{{Prefix: netip.MustParsePrefix(addr)}}})
			}
			p := New(specs)
			var got []string
			for _, pr := range p.Problems {
				got = append(got, fmt.Sprintf("%s:%d:%d", filepath.Base(pr.Pos.File), pr.Pos.Line, pr.Pos.Col))
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("problems (-want +got):\n%s\nall: %v", diff, p.Problems)
			}
			if len(p.Failures) > 0 || len(p.Steady) > 0 {
				t.Errorf("simulated despite problems: %d steady rows, %d failures", len(p.Steady), len(p.Failures))
			}
		})
	}
}
