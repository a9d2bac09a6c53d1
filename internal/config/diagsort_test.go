package config

import (
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
)

// SortDiagnostics orders by file, line, column and message, keeps equal
// positions in the order found, and leaves the Summary last.
func TestSortDiagnostics(t *testing.T) {
	d := func(file string, line, col int, msg string) Diagnostic {
		return Diagnostic{Pos: Pos{file, line, col}, Severity: SeverityError, Msg: msg}
	}
	sum := Diagnostic{Pos: Pos{"a.conf", 1, 1}, Severity: SeverityWarning, Msg: "... and 3 more", Summary: true}
	tests := []struct {
		name string
		in   []Diagnostic
		want []string
	}{
		{"already sorted", []Diagnostic{d("a", 1, 1, "x"), d("a", 2, 1, "y")},
			[]string{"a:1:1: error: x", "a:2:1: error: y"}},
		{"validation after parsing, two files",
			[]Diagnostic{d("b.conf", 3, 2, "parse b"), d("a.conf", 9, 1, "parse a"), d("b.conf", 1, 5, "validate b"), d("a.conf", 2, 7, "validate a")},
			[]string{"a.conf:2:7: error: validate a", "a.conf:9:1: error: parse a", "b.conf:1:5: error: validate b", "b.conf:3:2: error: parse b"}},
		{"column, then message", []Diagnostic{d("a", 4, 9, "m"), d("a", 4, 2, "z"), d("a", 4, 2, "b")},
			[]string{"a:4:2: error: b", "a:4:2: error: z", "a:4:9: error: m"}},
		{"equal keys keep their order", []Diagnostic{d("a", 1, 1, "same"), {Pos: Pos{"a", 1, 1}, Severity: SeverityWarning, Msg: "same"}},
			[]string{"a:1:1: error: same", "a:1:1: warning: same"}},
		{"no position sorts first in its file", []Diagnostic{d("a", 5, 1, "late"), d("a", 0, 0, "cannot read")},
			[]string{"a: error: cannot read", "a:5:1: error: late"}},
		{"summary stays last", []Diagnostic{d("b", 1, 1, "b1"), sum, d("a", 7, 1, "a7")},
			[]string{"a:7:1: error: a7", "b:1:1: error: b1", "a.conf:1:1: warning: ... and 3 more"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			SortDiagnostics(tt.in)
			var got []string
			for _, x := range tt.in {
				got = append(got, x.String())
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("sorted (-want +got):\n%s", diff)
			}
		})
	}
}

// A configuration split over two included files: Load reports in
// keepalived's order (each block's validation after the reading), and
// SortDiagnostics puts that list in file, line, column order.
func TestSortDiagnosticsLoad(t *testing.T) {
	file := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }
	m := memFS{files: fstest.MapFS{
		"etc/main.conf": file("include b.conf\ninclude a.conf\n"),
		// read first: a group whose only instance is unknown, so it is
		// removed at validation, reported at line 1 after line 3.
		"etc/b.conf": file("track_group G {\n group {\n  NOPE\n }\n}\nno_such_keyword_b\n"),
		"etc/a.conf": file("track_group H {\n}\nno_such_keyword_a\n" + trackGroupInsts()),
	}}
	_, diags := Load("etc/main.conf", m.options())
	var found []Pos
	for _, x := range diags {
		found = append(found, x.Pos)
	}
	if len(diags) < 4 {
		t.Fatalf("want at least 4 diagnostics, got %v", diags)
	}
	if isSorted(found) {
		t.Fatalf("Load's order is already by position, the test proves nothing: %v", found)
	}
	SortDiagnostics(diags)
	var got []Pos
	for _, x := range diags {
		got = append(got, x.Pos)
	}
	if !isSorted(got) {
		t.Errorf("not sorted by position: %v", got)
	}
	if len(got) != len(found) {
		t.Errorf("sorting changed the count: %d, was %d", len(got), len(found))
	}
}

func isSorted(ps []Pos) bool {
	for i := 1; i < len(ps); i++ {
		a, b := ps[i-1], ps[i]
		if a.File > b.File || a.File == b.File && (a.Line > b.Line || a.Line == b.Line && a.Col > b.Col) {
			return false
		}
	}
	return true
}
