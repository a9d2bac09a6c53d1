package config

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gokeepalived/gokeepalived/internal/golden"

	"github.com/google/go-cmp/cmp"
)

// goldenTree renders nodes with every token's position, one statement per
// line, followed by the diagnostics. Paths are shown relative to dir.
func goldenTree(dir string, nodes []*Node, diags []Diagnostic) string {
	var b strings.Builder
	rel := func(p Pos) string {
		if p == (Pos{}) {
			return "-"
		}
		f := p.File
		if r, err := filepath.Rel(dir, f); err == nil {
			f = r
		}
		return fmt.Sprintf("%s:%d:%d", f, p.Line, p.Col)
	}
	var walk func(ns []*Node, depth int)
	walk = func(ns []*Node, depth int) {
		for _, n := range ns {
			b.WriteString(strings.Repeat("    ", depth))
			b.WriteString(tokString(n.Keyword) + "@" + rel(n.Keyword.Pos))
			for _, a := range n.Args {
				b.WriteString(" " + tokString(a) + "@" + rel(a.Pos))
			}
			if n.Block {
				b.WriteString(" {\n")
				walk(n.Children, depth+1)
				b.WriteString(strings.Repeat("    ", depth) + "}@" + rel(n.End))
			}
			b.WriteString("\n")
		}
	}
	walk(nodes, 0)
	b.WriteString("--- diagnostics\n")
	for _, d := range diags {
		d.Pos.File = rel(d.Pos)
		fmt.Fprintf(&b, "%s: %s: %s\n", d.Pos.File, d.Severity, d.Msg)
	}
	return b.String()
}

// TestGolden parses every testdata/syntax/*.conf (config id "main") and
// compares the positioned tree and diagnostics with the .golden file next
// to it; go test -run TestGolden -update rewrites them.
func TestGolden(t *testing.T) {
	dir := filepath.Join("testdata", "syntax")
	files, err := filepath.Glob(filepath.Join(dir, "*.conf"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden inputs in %s: %v", dir, err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			nodes, diags := ParseFile(f, Options{ConfigID: "main"})
			got := goldenTree(dir, nodes, diags)
			golden.Check(t, strings.TrimSuffix(f, ".conf")+".golden", []byte(got))
		})
	}
}

// stripPos returns a copy of nodes with positions and quoting cleared, for
// comparing trees that were written differently.
func stripPos(nodes []*Node) []*Node {
	var out []*Node
	for _, n := range nodes {
		c := &Node{Keyword: Token{Text: n.Keyword.Text}, Block: n.Block}
		for _, a := range n.Args {
			c.Args = append(c.Args, Token{Text: a.Text})
		}
		c.Children = stripPos(n.Children)
		out = append(out, c)
	}
	return out
}

// roundTrip dumps nodes, parses the dump and reports any difference.
func roundTrip(t *testing.T, nodes []*Node) {
	t.Helper()
	var buf bytes.Buffer
	if err := Dump(&buf, nodes); err != nil {
		t.Fatalf("Dump: %v", err)
	}
	again, diags := ParseBytes("dump.conf", buf.Bytes(), Options{ConfigID: "main", ReadFile: noFiles, Glob: noGlob})
	for _, d := range diags {
		t.Errorf("parsing the dump: %v\ndump:\n%s", d, buf.String())
	}
	if diff := cmp.Diff(stripPos(nodes), stripPos(again)); diff != "" {
		t.Errorf("round trip (-want +got):\n%s\ndump:\n%s", diff, buf.String())
	}
}

func TestGoldenRoundTrip(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "syntax", "*.conf"))
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			nodes, _ := ParseFile(f, Options{ConfigID: "main"})
			roundTrip(t, nodes)
		})
	}
}

// sharedDir finds ../shared (or $GOKEEPALIVED_SHARED) from the repository.
func sharedDir(t *testing.T) string {
	t.Helper()
	if d := os.Getenv("GOKEEPALIVED_SHARED"); d != "" {
		return d
	}
	d, err := filepath.Abs(filepath.Join("..", "..", "..", "shared"))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestCorpus parses every keepalived sample config: no syntax diagnostics
// at all, and each survives Dump and ParseBytes unchanged.
func TestCorpus(t *testing.T) {
	dir := filepath.Join(sharedDir(t), "corpus", "keepalived-samples")
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(files) == 0 {
		t.Skipf("no keepalived samples in %s (set GOKEEPALIVED_SHARED to the shared checkout)", dir)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			for _, id := range []string{"main", "high", "low"} {
				nodes, diags := ParseFile(f, Options{ConfigID: id})
				for _, d := range diags {
					t.Errorf("-i %s: %v", id, d)
				}
				if len(nodes) == 0 {
					t.Errorf("-i %s: no statements", id)
				}
				roundTrip(t, nodes)
			}
		})
	}
}
