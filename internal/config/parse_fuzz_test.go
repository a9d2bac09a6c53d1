package config

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzParseBytes checks that any input parses without panicking or hanging,
// that every position reported points inside the input, and that inputs
// without errors survive Dump and a second parse unchanged.
func FuzzParseBytes(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "syntax", "*.conf"))
	samples, _ := filepath.Glob(filepath.Join("..", "..", "..", "shared", "corpus", "keepalived-samples", "*"))
	for _, name := range append(seeds, samples...) {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("a { b \"c\\x41\" } d\r\n@main $X=1\n~SEQ(I,1,3) ~LST(J,a,b) x${I}$J\n"))
	f.Add([]byte("$M= \\\nm {\\\n$M\\\n}\n$M\n"))
	opts := Options{ConfigID: "main", ReadFile: noFiles, Glob: noGlob, MaxExpansion: 64 << 10}
	f.Fuzz(func(t *testing.T, src []byte) {
		nodes, diags := ParseBytes("f.conf", src, opts)
		lines := strings.Split(string(src), "\n")
		inside := func(what string, p Pos) {
			if p.Line == 0 && p.Col == 0 {
				return
			}
			if p.File != "f.conf" || p.Line < 1 || p.Line > len(lines) || p.Col < 1 || p.Col > len(lines[p.Line-1])+1 {
				t.Fatalf("%s at %v lies outside the input (%d lines)", what, p, len(lines))
			}
		}
		for _, d := range diags {
			inside("diagnostic "+d.Msg, d.Pos)
		}
		var walk func([]*Node)
		walk = func(ns []*Node) {
			for _, n := range ns {
				inside("keyword "+n.Keyword.Text, n.Keyword.Pos)
				for _, a := range n.Args {
					inside("argument "+a.Text, a.Pos)
				}
				inside("closing brace", n.End)
				walk(n.Children)
			}
		}
		walk(nodes)
		for _, d := range diags {
			if d.Severity == SeverityError {
				return
			}
		}
		var buf bytes.Buffer
		if err := Dump(&buf, nodes); err != nil {
			t.Fatal(err)
		}
		again, diags2 := ParseBytes("dump.conf", buf.Bytes(), opts)
		if len(diags2) > 0 {
			t.Fatalf("dump does not parse cleanly: %v\ndump:\n%s", diags2, buf.String())
		}
		if diff := cmp.Diff(stripPos(nodes), stripPos(again)); diff != "" {
			t.Fatalf("round trip (-want +got):\n%s\ndump:\n%s", diff, buf.String())
		}
	})
}
