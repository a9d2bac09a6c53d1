package config

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// corpusRow is one line of testdata/model/corpus_expect.txt.
type corpusRow struct {
	sample, configID string
	exit             int
	kaLines, added   []int
}

// samplesDir finds keepalived's sample configs in ../shared next to the
// repository root, or in $GOKEEPALIVED_SHARED; it skips the test when
// neither exists.
func samplesDir(t *testing.T) string {
	t.Helper()
	d := os.Getenv("GOKEEPALIVED_SHARED")
	if d == "" {
		_, file, _, _ := runtime.Caller(0)
		d = filepath.Join(filepath.Dir(file), "..", "..", "..", "shared")
	}
	d = filepath.Join(d, "corpus", "keepalived-samples")
	if _, err := os.Stat(d); err != nil {
		t.Skipf("no keepalived sample corpus (set GOKEEPALIVED_SHARED): %v", err)
	}
	return d
}

func parseLines(t *testing.T, s string) []int {
	t.Helper()
	if s == "-" {
		return nil
	}
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(f)
		if err != nil {
			t.Fatalf("corpus_expect.txt: bad line list %q", s)
		}
		out = append(out, n)
	}
	return out
}

func readCorpusTable(t *testing.T) []corpusRow {
	t.Helper()
	f, err := os.Open("testdata/model/corpus_expect.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows []corpusRow
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		w := strings.Fields(sc.Text())
		if len(w) == 0 || strings.HasPrefix(w[0], "#") {
			continue
		}
		if len(w) != 5 {
			t.Fatalf("corpus_expect.txt: want 5 fields: %q", sc.Text())
		}
		exit, err := strconv.Atoi(w[2])
		if err != nil {
			t.Fatalf("corpus_expect.txt: bad exit code in %q", sc.Text())
		}
		id := w[1]
		if id == "-" {
			id = ""
		}
		rows = append(rows, corpusRow{w[0], id, exit, parseLines(t, w[3]), parseLines(t, w[4])})
	}
	return rows
}

// sortedUnion returns the sorted, deduplicated union of line lists.
func sortedUnion(ls ...[]int) []int {
	var out []int
	for _, l := range ls {
		out = append(out, l...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// scriptsPresent says whether the programs the localcheck sample runs exist
// here; keepalived only flags script security for scripts it can find.
func scriptsPresent() bool {
	_, err := exec.LookPath("killall")
	return err == nil
}

// TestCorpusVerdicts checks that Load judges every keepalived sample as
// keepalived 2.2.7's -t does: same exit code, problems on the same lines.
func TestCorpusVerdicts(t *testing.T) {
	dir := samplesDir(t)
	rows := readCorpusTable(t)
	files, _ := filepath.Glob(filepath.Join(dir, "keepalived.conf*"))
	if len(files) != len(rows) {
		t.Errorf("corpus has %d samples, table has %d rows", len(files), len(rows))
	}
	for _, r := range rows {
		t.Run(r.sample, func(t *testing.T) {
			if r.exit == 6 && !scriptsPresent() {
				t.Skip("killall is not installed; keepalived would not flag script security here either")
			}
			cfg, diags := Load(filepath.Join(dir, r.sample), Options{ConfigID: r.configID})
			var lines []int
			for _, d := range diags {
				lines = append(lines, d.Pos.Line)
			}
			got := struct {
				Exit  int
				Lines []int
			}{ExitCode(cfg), sortedUnion(lines)}
			want := got
			want.Exit, want.Lines = r.exit, sortedUnion(r.kaLines, r.added)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("verdict (-want +got):\n%s\ndiagnostics:\n%s", diff, diagText(diags))
			}
		})
	}
}

func diagText(diags []Diagnostic) string {
	var b strings.Builder
	for _, d := range diags {
		b.WriteString(d.String())
		b.WriteByte('\n')
	}
	return b.String()
}
