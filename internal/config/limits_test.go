package config

import (
	"fmt"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
)

// TestDiagnosticsCapped: a file with thousands of problems gives
// MaxDiagnostics of them and one summary, an error since the rest are
// errors. Before the cap, 2,000 stray braces gave 2,000 diagnostics.
func TestDiagnosticsCapped(t *testing.T) {
	const n = 2000
	_, diags := LoadBytes("t.conf", []byte(strings.Repeat("}\n", n)), Options{ConfigID: "main", ReadFile: noFiles, Glob: noGlob})
	if len(diags) != MaxDiagnostics+1 {
		t.Fatalf("got %d diagnostics, want %d and a summary", len(diags), MaxDiagnostics)
	}
	last := diags[len(diags)-1]
	want := fmt.Sprintf("%d:1: error: ... and %d more problems from here on (%d of them errors), not shown",
		MaxDiagnostics+1, n-MaxDiagnostics, n-MaxDiagnostics)
	if diff := cmp.Diff(want, diagStrings([]Diagnostic{last})[0]); diff != "" {
		t.Errorf("summary (-want +got):\n%s", diff)
	}
}

// TestDiagnosticsCapKeepsHints: a hint belongs to its diagnostic even when
// that one was not kept; it must not land on the last kept one.
func TestDiagnosticsCapKeepsHints(t *testing.T) {
	var list []Diagnostic
	var c diagCap
	for i := range MaxDiagnostics + 2 {
		c.add(&list, Diagnostic{Pos: Pos{Line: i + 1}, Severity: SeverityWarning, Msg: "w"})
		c.hint(list, fmt.Sprint("hint ", i))
	}
	if got, want := list[MaxDiagnostics-1].Hint, fmt.Sprint("hint ", MaxDiagnostics-1); got != want {
		t.Errorf("last kept hint = %q, want %q", got, want)
	}
	out := c.finish(list)
	if s := out[len(out)-1]; s.Severity != SeverityWarning || s.Pos.Line != MaxDiagnostics+1 {
		t.Errorf("summary of warnings = %v, want a warning at line %d", s, MaxDiagnostics+1)
	}
}

// TestNestingBounded: blocks nested far deeper than any configuration
// give one error and are skipped, without recursion (a million levels
// overflowed the goroutine stack before); what follows is still read.
func TestNestingBounded(t *testing.T) {
	const depth = 100000
	in := strings.Repeat("a {\n", depth) + strings.Repeat("}\n", depth) + "after\n"
	nodes, diags := ParseBytes("t.conf", []byte(in), Options{ConfigID: "main", ReadFile: noFiles, Glob: noGlob})
	want := []string{fmt.Sprintf("%d:3: error: blocks nested more than %d deep; this block is ignored", maxBlockDepth+1, maxBlockDepth)}
	if diff := cmp.Diff(want, diagStrings(diags)); diff != "" {
		t.Errorf("diagnostics (-want +got):\n%s", diff)
	}
	if len(nodes) != 2 || nodes[1].Keyword.Text != "after" {
		t.Errorf("top level = %s, want a and after", compact(nodes))
	}
}

// TestLongLineIgnored: a line longer than maxLineBytes is reported and
// skipped unread (keepalived skips lines over 1 KiB); the next is read.
func TestLongLineIgnored(t *testing.T) {
	in := "global_defs {\n router_id " + strings.Repeat("x", maxLineBytes) + "\n}\nnext\n"
	nodes, diags := ParseBytes("t.conf", []byte(in), Options{ConfigID: "main", ReadFile: noFiles, Glob: noGlob})
	want := []string{fmt.Sprintf("2:1: error: line is longer than %d bytes; ignored", maxLineBytes)}
	if diff := cmp.Diff(want, diagStrings(diags)); diff != "" {
		t.Errorf("diagnostics (-want +got):\n%s", diff)
	}
	if got := compact(nodes); got != "global_defs {}; next" {
		t.Errorf("tree = %q", got)
	}
}

// TestWordBudgetStopsReading: a generator that would make ten million
// instances stops at the word budget with one error, and Load refuses the
// configuration instead of loading what was read. Before, reading went on
// after "expansion stopped", and every half-made instance was an error.
func TestWordBudgetStopsReading(t *testing.T) {
	defer func(n int) { maxWords = n }(maxWords)
	maxWords = 1000
	in := "~SEQ(i, 1, 10000000) vrrp_instance VI_$i { interface eth0 }\n"
	cfg, diags := LoadBytes("t.conf", []byte(in), Options{ConfigID: "main", ReadFile: noFiles, Glob: noGlob})
	want := []string{"1:22: error: the configuration has more than 1000 words and braces; reading stopped here"}
	if diff := cmp.Diff(want, diagStrings(diags)); diff != "" {
		t.Errorf("diagnostics (-want +got):\n%s", diff)
	}
	if cfg != nil || ExitCode(cfg) != 4 {
		t.Errorf("config = %v, exit code %d; want nil and 4", cfg, ExitCode(cfg))
	}
}

// TestIncludeDiamond: 41 files, each including the next twice, is legal
// keepalived (it reads the files again each time) but 2^40 reads; the
// input budget stops it after a bounded number of reads, with an error
// that is shown even past MaxDiagnostics. Before, it never finished.
func TestIncludeDiamond(t *testing.T) {
	files := fstest.MapFS{}
	for i := range 40 {
		files[fmt.Sprintf("etc/d%d.conf", i)] = &fstest.MapFile{Data: fmt.Appendf(nil, "include d%d.conf\ninclude d%d.conf\n", i+1, i+1)}
	}
	files["etc/d40.conf"] = &fstest.MapFile{Data: []byte("x\n")}
	opts := memFS{files: files}.options()
	read := opts.ReadFile
	reads := 0
	opts.ReadFile = func(name string) ([]byte, error) { reads++; return read(name) }
	opts.MaxInput = 1 << 20
	cfg, diags := Load("etc/d0.conf", opts)
	if limit := opts.MaxInput / fileCharge; reads > limit {
		t.Errorf("%d files read, want at most %d", reads, limit)
	}
	if cfg != nil {
		t.Errorf("config loaded from an unfinished read")
	}
	halts := 0
	for _, d := range diags {
		if strings.HasSuffix(d.Msg, "reading stopped here") {
			halts++
			if !strings.Contains(d.Msg, "more than 1048576 bytes to read") {
				t.Errorf("stop reason = %q", d.Msg)
			}
		}
	}
	if halts != 1 || len(diags) > MaxDiagnostics+2 {
		t.Errorf("%d diagnostics, %d saying why reading stopped; want at most %d and exactly 1", len(diags), halts, MaxDiagnostics+2)
	}
}

// TestInputBudgetCountsLines: empty lines are not free, so a file of
// nothing but newlines cannot keep the parser busy for long.
func TestInputBudgetCountsLines(t *testing.T) {
	in := strings.Repeat("\n", 10000)
	_, diags := ParseBytes("t.conf", []byte(in), Options{ConfigID: "main", ReadFile: noFiles, Glob: noGlob, MaxInput: 1000 * minLineCharge})
	want := []string{fmt.Sprintf("1001:1: error: the configuration and its includes are more than %d bytes to read (each include counted every time); reading stopped here", 1000*minLineCharge)}
	if diff := cmp.Diff(want, diagStrings(diags)); diff != "" {
		t.Errorf("diagnostics (-want +got):\n%s", diff)
	}
}

// TestCheckContentChunks: the binary check reads a file in chunks; a
// character split between two chunks is not invalid, and the first bad
// byte is placed right however far into the file it is.
func TestCheckContentChunks(t *testing.T) {
	buf := make([]byte, 16) // tiny chunks, so that every boundary case occurs
	line := "é€𝄞 ok\n"      // 2-, 3- and 4-byte characters
	clean := strings.Repeat(line, 50)
	for shift := range 4 {
		in := strings.Repeat("a", shift) + clean
		if d, err := checkContent("t.conf", strings.NewReader(in), buf); d != nil || err != nil {
			t.Fatalf("shift %d: clean UTF-8 judged binary: %v %v", shift, d, err)
		}
	}
	in := clean + "abc\x00"
	d, err := checkContent("t.conf", strings.NewReader(in), buf)
	if err != nil || d == nil || d.Pos.Line != 51 || d.Pos.Col != 4 {
		t.Errorf("NUL at 51:4 reported as %v (%v)", d, err)
	}
	in = clean + "xy" + strings.Repeat("\xff", 200)
	d, err = checkContent("t.conf", strings.NewReader(in), buf)
	if err != nil || d == nil || d.Pos.Line != 51 || d.Pos.Col != 3 {
		t.Errorf("invalid bytes from 51:3 reported as %v (%v)", d, err)
	}
}
