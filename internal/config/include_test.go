package config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"
)

// memFS serves files from a map through Options, so include tests need no
// disk; sizes come from the map, or from bigFiles for files never read.
type memFS struct {
	files    fstest.MapFS
	bigFiles map[string]int64
}

func (m memFS) options() Options {
	return Options{
		ConfigID: "main",
		ReadFile: func(name string) ([]byte, error) {
			if _, ok := m.bigFiles[name]; ok {
				return nil, errors.New("read a file whose size should have been refused")
			}
			return m.files.ReadFile(name)
		},
		Glob: func(pattern string) ([]string, error) {
			out, err := fs.Glob(m.files, pattern)
			for name := range m.bigFiles {
				if ok, _ := filepath.Match(pattern, name); ok {
					out = append(out, name)
				}
			}
			return out, err
		},
		Stat: func(name string) (fs.FileInfo, error) {
			if n, ok := m.bigFiles[name]; ok {
				return bigInfo{name: name, size: n}, nil
			}
			return m.files.Stat(name)
		},
	}
}

type bigInfo struct {
	name string
	size int64
}

func (b bigInfo) Name() string       { return b.name }
func (b bigInfo) Size() int64        { return b.size }
func (b bigInfo) Mode() fs.FileMode  { return 0o644 }
func (b bigInfo) ModTime() time.Time { return time.Time{} }
func (b bigInfo) IsDir() bool        { return false }
func (b bigInfo) Sys() any           { return nil }

func TestInclude(t *testing.T) {
	file := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }
	etc, err := filepath.Abs("etc") // ${_PWD} is absolute, as keepalived's
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		files   fstest.MapFS
		big     map[string]int64
		want    string
		wantErr []string
	}{
		{name: "glob and braces in order",
			files: fstest.MapFS{
				"etc/main.conf":     file("include conf.d/{b,a}.conf\ninclude conf.d/x*.conf\nlast"),
				"etc/conf.d/a.conf": file("a"), "etc/conf.d/b.conf": file("b"),
				"etc/conf.d/x2.conf": file("x2"), "etc/conf.d/x1.conf": file("x1"),
			},
			want: "b; a; x1; x2; last"},
		{name: "relative to the including file",
			files: fstest.MapFS{
				"etc/main.conf":    file("include sub/one.conf"),
				"etc/sub/one.conf": file("include two.conf"),
				"etc/sub/two.conf": file("two"),
			},
			want: "two"},
		{name: "block spans files",
			files: fstest.MapFS{
				"etc/main.conf": file("vrrp_instance X {\ninclude body.conf\n}"),
				"etc/body.conf": file("priority 1"),
			},
			want: "vrrp_instance X { priority 1 }"},
		{name: "parameters cross files",
			files: fstest.MapFS{
				"etc/main.conf": file("include defs.conf\np $P"),
				"etc/defs.conf": file("$P=7"),
			},
			want: "p 7"},
		{name: "_PWD is the directory of the file being read",
			files: fstest.MapFS{
				"etc/main.conf":    file("a ${_PWD}\ninclude sub/one.conf\nc ${_PWD}"),
				"etc/sub/one.conf": file("b ${_PWD}"),
			},
			want: "a " + etc + "; b " + etc + "/sub; c " + etc},
		{name: "directory skipped",
			files: fstest.MapFS{
				"etc/main.conf":    file("include d/*"),
				"etc/d/f.conf":     file("f"),
				"etc/d/sub/g.conf": file("g"),
			},
			want: "f"},
		{name: "cycle",
			files: fstest.MapFS{
				"etc/main.conf": file("include a.conf\nafter"),
				"etc/a.conf":    file("x\ninclude b.conf"),
				"etc/b.conf":    file("include a.conf"),
			},
			want:    "x; after",
			wantErr: []string{"etc/b.conf:1:9: error: include cycle: etc/a.conf -> etc/b.conf -> etc/a.conf"}},
		{name: "self include",
			files:   fstest.MapFS{"etc/main.conf": file("include main.conf")},
			wantErr: []string{"etc/main.conf:1:9: error: include cycle: etc/main.conf -> etc/main.conf"}},
		{name: "missing",
			files:   fstest.MapFS{"etc/main.conf": file("include nope/*.conf\nincludeb {nope,x}.conf")},
			wantErr: []string{"etc/main.conf:1:9: warning: include nope/*.conf: no configuration file matches", "etc/main.conf:2:10: error: includeb {nope,x}.conf: no configuration file matches"}},
		{name: "too big",
			files:   fstest.MapFS{"etc/main.conf": file("include big.conf")},
			big:     map[string]int64{"etc/big.conf": MaxFileSize + 1},
			wantErr: []string{"etc/main.conf:1:9: error: include big.conf: file is larger than the 100 MB limit for a configuration file"}},
		{name: "binary",
			files: fstest.MapFS{
				"etc/main.conf": file("include bin.conf\nok"),
				"etc/bin.conf":  file("\x7fELF\x02\x01\x01\x00\x00"),
			},
			want:    "ok",
			wantErr: []string{"etc/bin.conf:1:8: error: this is a binary file, not a keepalived configuration (NUL or non-UTF-8 bytes)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := memFS{files: tt.files, bigFiles: tt.big}
			nodes, diags := ParseFile("etc/main.conf", m.options())
			if diff := cmp.Diff(tt.want, compact(nodes)); diff != "" {
				t.Errorf("tree (-want +got):\n%s", diff)
			}
			var got []string
			for _, d := range diags {
				got = append(got, d.String())
			}
			if diff := cmp.Diff(tt.wantErr, got); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseFileErrors(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.conf")
	_, diags := ParseFile(missing, Options{ConfigID: "main"})
	want := []string{missing + ": error: read configuration: stat " + missing + ": no such file or directory"}
	var got []string
	for _, d := range diags {
		got = append(got, d.String())
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("missing file (-want +got):\n%s", diff)
	}

	// A sparse file over the limit is refused from its size, unread.
	big := filepath.Join(dir, "big.conf")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(MaxFileSize + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	_, diags = ParseFile(big, Options{ConfigID: "main"})
	if len(diags) != 1 || !strings.Contains(diags[0].Msg, "larger than the 100 MB limit") {
		t.Errorf("big file: got %v, want one size error", diags)
	}
}

func TestExpandBraces(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"a.conf", []string{"a.conf"}},
		{"{a,b}.conf", []string{"a.conf", "b.conf"}},
		{"x/{,cat,dog}/y", []string{"x//y", "x/cat/y", "x/dog/y"}},
		{"{foo/{,cat,dog},bar}", []string{"foo/", "foo/cat", "foo/dog", "bar"}},
		{"{a,b}{1,2}", []string{"a1", "a2", "b1", "b2"}},
		{"{single}", []string{"{single}"}},
		{"{open", []string{"{open"}},
		{"close}", []string{"close}"}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, expandBraces(tt.in)); diff != "" {
			t.Errorf("expandBraces(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
	if n := len(expandBraces(strings.Repeat("{a,b}", 30))); n > maxBraceExpansions+1 {
		t.Errorf("30 nested alternatives expand to %d patterns, want at most %d", n, maxBraceExpansions)
	}
}
