package system

import (
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseNameTable(t *testing.T) {
	in := "#\n# reserved values\n#\n255\tlocal\n254 main # the main table\n0x10 hex\nbogus line\n12\n100 vip\n101 vip\n"
	want := map[string]int{"local": 255, "main": 254, "hex": 16, "vip": 100}
	if diff := cmp.Diff(want, ParseNameTable([]byte(in))); diff != "" {
		t.Errorf("ParseNameTable (-want +got):\n%s", diff)
	}
}

func TestParseTableAndProtocol(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "rt_tables"), []byte("100 vips\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "rt_tables.d"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "rt_tables.d", "x.conf"), []byte("2000 extra\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "rt_protos"), []byte("77 mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	dirs := []string{filepath.Join(dir, "missing"), dir}
	tables := []struct {
		in      string
		want    int
		wantErr bool
	}{
		{"main", 254, false}, {"local", 255, false}, {"default", 253, false},
		{"100", 100, false}, {"0x100", 256, false}, {"4294967295", 1<<32 - 1, false},
		{"vips", 100, false}, {"extra", 2000, false},
		{"4294967296", 0, true}, {"nosuch", 0, true}, {"", 0, true},
	}
	for _, tc := range tables {
		got, err := ParseTable(tc.in, dirs)
		if (err != nil) != tc.wantErr || got != tc.want {
			t.Errorf("ParseTable(%q) = %d, %v; want %d, error %v", tc.in, got, err, tc.want, tc.wantErr)
		}
	}
	protos := []struct {
		in      string
		want    uint8
		wantErr bool
	}{
		{"keepalived", 18, false}, {"static", 4, false}, {"boot", 3, false},
		{"99", 99, false}, {"mine", 77, false}, {"256", 0, true}, {"nosuch", 0, true},
	}
	for _, tc := range protos {
		got, err := ParseProtocol(tc.in, dirs)
		if (err != nil) != tc.wantErr || got != tc.want {
			t.Errorf("ParseProtocol(%q) = %d, %v; want %d, error %v", tc.in, got, err, tc.want, tc.wantErr)
		}
	}
}

func TestRouteAndRuleStrings(t *testing.T) {
	s := ScopeHost
	r := Route{Type: RouteBlackhole, Dst: mustPrefix("10.0.0.0/8"), Table: 100, Metric: 5, Scope: &s}
	rule := NewRule()
	rule.From, rule.Table, rule.Priority, rule.HasMark, rule.Mark = mustPrefix("10.1.0.0/16"), 100, 7, true, 3
	got := []string{
		r.String(),
		Route{Dst: mustPrefix("::/0"), Via: mustAddr("fe80::1"), Dev: "eth1"}.String(),
		rule.String(),
		RouteUnreachable.String(), RouteType(200).String(), RuleProhibit.String(), RuleAction(99).String(),
	}
	want := []string{
		"blackhole 10.0.0.0/8 table 100 metric 5",
		"::/0 via fe80::1 dev eth1",
		"pref 7 from 10.1.0.0/16 fwmark 0x3 lookup 100",
		"unreachable", "200", "prohibit", "99",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("String (-want +got):\n%s", diff)
	}
	for _, name := range []string{"", "blackhole", "throw", "nat"} {
		ty, err := ParseRouteType(name)
		if err != nil || (name != "" && ty.String() != name) {
			t.Errorf("ParseRouteType(%q) = %v, %v", name, ty, err)
		}
	}
	if _, err := ParseRouteType("bogus"); err == nil {
		t.Error(`ParseRouteType("bogus") succeeded`)
	}
	for _, name := range []string{"goto", "nop", "blackhole"} {
		a, err := ParseRuleAction(name)
		if err != nil || a.String() != name {
			t.Errorf("ParseRuleAction(%q) = %v, %v", name, a, err)
		}
	}
}

func FuzzParseNameTable(f *testing.F) {
	f.Add([]byte("255 local\n254 main\n0x10 hex # c\n"))
	f.Add([]byte("# only a comment\n\n\t\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		for name, id := range ParseNameTable(b) {
			if name == "" || id < 0 {
				t.Fatalf("ParseNameTable gave %q → %d", name, id)
			}
		}
	})
}

func mustPrefix(s string) netip.Prefix { return netip.MustParsePrefix(s) }

func mustAddr(s string) netip.Addr { return netip.MustParseAddr(s) }
