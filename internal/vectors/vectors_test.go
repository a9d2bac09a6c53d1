package vectors

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLoadShared(t *testing.T) {
	tests := []struct {
		file  string
		kinds map[string]int
	}{
		{File227, map[string]int{"advert": 59, "garp": 25, "unsolicited-na": 8}},
		{File228, map[string]int{"advert": 8, "garp": 3}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			vs := LoadT(t, tt.file)
			got := map[string]int{}
			names := map[string]bool{}
			for _, v := range vs {
				got[v.Kind]++
				if names[v.Name] {
					t.Errorf("name %s twice", v.Name)
				}
				names[v.Name] = true
				if n, err := v.Int("frame.len"); err != nil || n != len(v.Frame) {
					t.Errorf("%s: frame.len %d (%v), frame has %d bytes", v.Name, n, err, len(v.Frame))
				}
				if src, err := v.MAC("eth.src"); err != nil || src.String() != v.Fields["eth.src"] || len(v.Frame) < 12 ||
					string(v.Frame[6:12]) != string(src) {
					t.Errorf("%s: eth.src %v (%v) is not bytes 6..12 of the frame", v.Name, src, err)
				}
				if v.Kind == "advert" && len(v.VRRP) == 0 {
					t.Errorf("%s: advert without vrrp", v.Name)
				}
			}
			if diff := cmp.Diff(tt.kinds, got); diff != "" {
				t.Errorf("kinds (-want +got):\n%s", diff)
			}
		})
	}
}

const sample = `# comment
name: c01/01-advert-a
case: c01
kind: advert
sender: a
frame: 0102
vrrp: 2150
ip.ttl: 255
vrrp.checksum: 0x5397
checksum_form: pseudo-header(src=192.168.1.2,dst=224.0.0.18)
checksum.message_only: 0x5397 match
vrrp.auth_data.text: 12\0\x41\\
vrrp.addresses: fe80::1,2001:db8::10
empty:

name: c01/02-garp-a
case: c01
kind: garp
sender: a vmac
frame: ff
`

func TestRead(t *testing.T) {
	vs, err := Read(strings.NewReader(sample), "sample")
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 2 {
		t.Fatalf("got %d vectors, want 2", len(vs))
	}
	v := vs[0]
	type decoded struct {
		Name, Case, Kind, Sender string
		Frame, VRRP, Text        []byte
		TTL, Sum                 int
		Form                     Checksum
		Addrs                    []netip.Addr
		Match                    uint16
		Matched                  bool
		Line                     int
	}
	got := decoded{Name: v.Name, Case: v.Case, Kind: v.Kind, Sender: v.Sender, Frame: v.Frame, VRRP: v.VRRP, Line: v.Line}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	got.TTL, err = v.Int("ip.ttl")
	must(err)
	got.Sum, err = v.Int("vrrp.checksum")
	must(err)
	got.Form, err = v.ChecksumForm()
	must(err)
	got.Text, err = v.Text("vrrp.auth_data.text")
	must(err)
	got.Addrs, err = v.Addrs("vrrp.addresses")
	must(err)
	got.Match, got.Matched, err = v.Match("checksum.message_only")
	must(err)
	want := decoded{
		Name: "c01/01-advert-a", Case: "c01", Kind: "advert", Sender: "a",
		Frame: []byte{1, 2}, VRRP: []byte{0x21, 0x50}, Text: []byte("12\x00A\\"),
		TTL: 255, Sum: 0x5397,
		Form:  Checksum{Form: "pseudo-header", Src: netip.MustParseAddr("192.168.1.2"), Dst: netip.MustParseAddr("224.0.0.18")},
		Addrs: []netip.Addr{netip.MustParseAddr("fe80::1"), netip.MustParseAddr("2001:db8::10")},
		Match: 0x5397, Matched: true, Line: 2,
	}
	if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b netip.Addr) bool { return a == b })); diff != "" {
		t.Errorf("decoded (-want +got):\n%s", diff)
	}
	if !v.Has("empty") || v.Fields["empty"] != "" {
		t.Errorf("empty key: got %q, present %v", v.Fields["empty"], v.Has("empty"))
	}
	if vs[1].Sender != "a vmac" || vs[1].VRRP != nil {
		t.Errorf("second vector: sender %q vrrp %x", vs[1].Sender, vs[1].VRRP)
	}
}

func TestReadErrors(t *testing.T) {
	tests := []struct {
		name, in, wantErr string
	}{
		{"no name first", "case: x\n", "sample:1: entry starts with \"case\", want name"},
		{"no colon", "name: a\nfoo\n", "sample:2: want 'key: value', got \"foo\""},
		{"duplicate", "name: a\nframe: 00\nframe: 01\n", "sample:3: key \"frame\" twice in one entry"},
		{"bad frame hex", "name: a\nframe: 0g\n", "sample:1: vector a: frame: encoding/hex: invalid byte: U+0067 'g'"},
		{"missing frame", "name: a\n\n", "sample:1: vector a: no frame"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Read(strings.NewReader(tt.in), "sample")
			got := ""
			if err != nil {
				got = err.Error()
			}
			if diff := cmp.Diff(tt.wantErr, got); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAccessorErrors(t *testing.T) {
	v := Vector{Name: "n", Fields: map[string]string{
		"int": "x1", "form": "pseudo-header(src=1.2.3.4)", "text": `a\q`, "match": "0x12 maybe", "addr": "1.2.3",
	}}
	tests := []struct {
		name string
		call func() error
	}{
		{"missing", func() error { _, err := v.Str("nope"); return err }},
		{"int", func() error { _, err := v.Int("int"); return err }},
		{"text", func() error { _, err := v.Text("text"); return err }},
		{"match", func() error { _, _, err := v.Match("match"); return err }},
		{"addr", func() error { _, err := v.Addr("addr"); return err }},
		{"addrs", func() error { _, err := v.Addrs("addr"); return err }},
		{"mac", func() error { _, err := v.MAC("addr"); return err }},
		{"form", func() error {
			v.Fields["checksum_form"] = v.Fields["form"]
			_, err := v.ChecksumForm()
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.call(); err == nil {
				t.Error("got no error")
			}
		})
	}
}

func TestSharedDirEnv(t *testing.T) {
	t.Setenv(EnvShared, t.TempDir())
	if _, err := SharedDir(); err != nil {
		t.Errorf("existing dir: %v", err)
	}
	t.Setenv(EnvShared, "/nonexistent/gk")
	if _, err := SharedDir(); err == nil {
		t.Error("missing dir: got no error")
	}
}

func FuzzRead(f *testing.F) {
	f.Add(sample)
	f.Add("name: a\nframe: 00\n\n\nname: b\nframe:\n")
	f.Fuzz(func(t *testing.T, in string) {
		vs, err := Read(strings.NewReader(in), "fuzz")
		if err != nil {
			return
		}
		for _, v := range vs {
			if v.Name == "" && v.Fields["name"] != "" {
				t.Fatalf("name lost: %+v", v)
			}
			v.ChecksumForm()
			v.Text("vrrp.auth_data.text")
			v.Match("checksum.message_only")
		}
	})
}
