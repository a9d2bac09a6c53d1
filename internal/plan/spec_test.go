package plan

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func pfx(s string) netip.Prefix { return netip.MustParsePrefix(s) }

func TestParseNodeSpec(t *testing.T) {
	tests := []struct {
		in      string
		want    NodeSpec
		wantErr string
	}{
		{in: "A=a.conf", want: NodeSpec{Name: "A", Path: "a.conf"}},
		{in: "A=/etc/k/a.conf,id=lb1,eth1=192.168.1.2,eth2=10.0.0.1/16,fd00::1", want: NodeSpec{
			Name: "A", Path: "/etc/k/a.conf", ConfigID: "lb1",
			Addrs: []IfaceAddr{{"eth1", pfx("192.168.1.2/24")}, {"eth2", pfx("10.0.0.1/16")}, {"", pfx("fd00::1/64")}},
		}},
		{in: "A=a.conf,eth1=::ffff:10.0.0.1", want: NodeSpec{Name: "A", Path: "a.conf", Addrs: []IfaceAddr{{"eth1", pfx("10.0.0.1/24")}}}},
		{in: "A", wantErr: "want NAME=PATH"},
		{in: "=a.conf", wantErr: "want NAME=PATH"},
		{in: "A=", wantErr: "want NAME=PATH"},
		{in: "A:x=a.conf", wantErr: "may not contain"},
		{in: "A=a.conf,id=", wantErr: "empty id"},
		{in: "A=a.conf,eth1=300.1.1.1", wantErr: "bad address"},
		{in: "A=a.conf,eth1=10.0.0.1/33", wantErr: "bad address"},
		{in: "A=a.conf,fe80::1%eth1", wantErr: "zones"},
		{in: "A=a.conf,eth/1=10.0.0.1", wantErr: "bad interface"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseNodeSpec(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one saying %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseAddrSpec(t *testing.T) {
	tests := []struct {
		in       string
		wantNode string
		want     IfaceAddr
		wantErr  string
	}{
		{in: "A:eth1=192.168.1.2", wantNode: "A", want: IfaceAddr{"eth1", pfx("192.168.1.2/24")}},
		{in: "A=192.168.1.2/25", wantNode: "A", want: IfaceAddr{"", pfx("192.168.1.2/25")}},
		{in: "lb-1:bond0.10=2001:db8::2", wantNode: "lb-1", want: IfaceAddr{"bond0.10", pfx("2001:db8::2/64")}},
		{in: "A:eth1", wantErr: "want NODE:IFACE=ADDR"},
		{in: "A:=10.0.0.1", wantErr: "empty interface"},
		{in: ":eth1=10.0.0.1", wantErr: "empty node name"},
		{in: "A:eth1=nope", wantErr: "bad address"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			node, got, err := ParseAddrSpec(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one saying %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if node != tt.wantNode || got != tt.want {
				t.Errorf("= %q, %v; want %q, %v", node, got, tt.wantNode, tt.want)
			}
		})
	}
}

func TestParseConfigID(t *testing.T) {
	tests := []struct {
		in, wantNode, wantID, wantErr string
	}{
		{in: "A=lb1", wantNode: "A", wantID: "lb1"},
		{in: "lb1", wantID: "lb1"},
		{in: "A=", wantErr: "empty id"},
		{in: "", wantErr: "empty id"},
		{in: "=x", wantErr: "empty node name"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			node, id, err := ParseConfigID(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one saying %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || node != tt.wantNode || id != tt.wantID {
				t.Errorf("= %q, %q, %v; want %q, %q", node, id, err, tt.wantNode, tt.wantID)
			}
		})
	}
}

func TestNameFromPath(t *testing.T) {
	tests := map[string]string{
		"a.conf":                     "a",
		"/etc/keepalived/lb1.conf":   "lb1",
		"nodes/lb2/keepalived.conf":  "lb2",
		"keepalived.conf":            "keepalived",
		"odd name,with=chars.conf":   "odd_name_with_chars",
		"/srv/cfg/server:a.cfg.conf": "server_a.cfg",
	}
	for in, want := range tests {
		if got := NameFromPath(in); got != want {
			t.Errorf("NameFromPath(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestBuildSpecs(t *testing.T) {
	got, err := buildSpecs(
		[]string{"a=x/a.conf,eth1=10.0.0.1"},
		[]string{"y/b.conf", "z/a.conf"},
		[]string{"b:eth1=10.0.0.2", "a3=10.0.0.3"},
		[]string{"b=lb2", "common"},
	)
	if err != nil {
		t.Fatal(err)
	}
	want := []NodeSpec{
		{Name: "a", Path: "x/a.conf", ConfigID: "common", Addrs: []IfaceAddr{{"eth1", pfx("10.0.0.1/24")}}},
		{Name: "b", Path: "y/b.conf", ConfigID: "lb2", Addrs: []IfaceAddr{{"eth1", pfx("10.0.0.2/24")}}},
		{Name: "a3", Path: "z/a.conf", ConfigID: "common", Addrs: []IfaceAddr{{"", pfx("10.0.0.3/24")}}},
	}
	if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// FuzzParseNodeSpec: never panics, and what parses formats back (NAME=PATH,
// id=ID, IFACE=ADDR/LEN...) to the same spec.
func FuzzParseNodeSpec(f *testing.F) {
	for _, s := range []string{"A=a.conf", "A=a.conf,id=x,eth1=10.0.0.1,fd00::1/48", "A=,", "=", ",,=,", "A=a,eth1=::ffff:1.2.3.4"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseNodeSpec(s)
		if err != nil {
			return
		}
		parts := []string{n.Name + "=" + n.Path}
		if n.ConfigID != "" {
			parts = append(parts, "id="+n.ConfigID)
		}
		for _, a := range n.Addrs {
			parts = append(parts, a.String())
		}
		again, err := ParseNodeSpec(strings.Join(parts, ","))
		if err != nil {
			t.Fatalf("%q parsed to %+v, which formats to %q that does not parse: %v", s, n, strings.Join(parts, ","), err)
		}
		if diff := cmp.Diff(n, again, cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })); diff != "" {
			t.Fatalf("round trip of %q (-first +second):\n%s", s, diff)
		}
	})
}

// FuzzParseAddrSpec: never panics; a parsed address re-parses the same.
func FuzzParseAddrSpec(f *testing.F) {
	for _, s := range []string{"A:eth1=10.0.0.1", "A=fd00::1/64", "A:=", ":=", "A:b:c=1.2.3.4"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		node, a, err := ParseAddrSpec(s)
		if err != nil {
			return
		}
		lhs := node
		if a.Iface != "" {
			lhs += ":" + a.Iface
		}
		n2, a2, err := ParseAddrSpec(lhs + "=" + a.Prefix.String())
		if err != nil || n2 != node || a2 != a {
			t.Fatalf("%q: round trip gave %q %v %v, want %q %v", s, n2, a2, err, node, a)
		}
	})
}
