package difft

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/lab"
	"github.com/gokeepalived/gokeepalived/internal/track"
)

var testSeeds = []Seed{
	{Name: "a.conf", Text: "global_defs {\n    router_id A\n}\nvrrp_instance VI_1 {\n    state MASTER\n    interface eth0\n    virtual_router_id 51\n    priority 100\n    virtual_ipaddress {\n        10.0.0.1/24 dev eth1\n    }\n}\n"},
	{Name: "b.conf", Text: "virtual_server 10.0.0.1 80 {\n    lb_algo rr\n    lb_kind NAT\n    protocol TCP\n    real_server 10.0.0.2 80 {\n        TCP_CHECK {\n            connect_port 80\n        }\n    }\n}\n"},
}

// TestGenerateDeterministic checks that a case depends only on the seed
// and its index, that cases differ, and that every kind of mutation is
// made.
func TestGenerateDeterministic(t *testing.T) {
	const n = 400
	texts := map[string]bool{}
	kinds := map[string]bool{}
	for i := range n {
		a, b := Generate(testSeeds, 7, i), Generate(testSeeds, 7, i)
		if diff := cmp.Diff(a, b); diff != "" {
			t.Fatalf("case %d differs between two runs (-first +second):\n%s", i, diff)
		}
		texts[a.Files[MainFile]+a.Files[IncludeFile]] = true
		for _, m := range a.Mutations {
			kinds[strings.Fields(m)[0]] = true
		}
	}
	if len(texts) < n*3/4 {
		t.Errorf("only %d distinct configurations in %d cases", len(texts), n)
	}
	// The first word of each mutator's description.
	for _, k := range []string{"drop", "duplicate", "misspell", "line", "move", "add", "interface", "lines", "insert", "track"} {
		if !kinds[k] {
			t.Errorf("no mutation starting %q in %d cases; made: %v", k, n, kinds)
		}
	}
	if Generate(testSeeds, 7, 1).Files[MainFile] == Generate(testSeeds, 8, 1).Files[MainFile] &&
		Generate(testSeeds, 7, 2).Files[MainFile] == Generate(testSeeds, 8, 2).Files[MainFile] {
		t.Errorf("seeds 7 and 8 give the same cases")
	}
}

// TestLocs checks how the lines each program names are read.
func TestLocs(t *testing.T) {
	ka := "(Line 3) Unknown keyword 'x'\n(/tmp/d/keepalived.conf: Line 20) Invalid lvs_scheduler 'foo' - ignoring\n" +
		"(/tmp/d/part.conf: Line 2) bad\nVirtual server [10.0.0.1]:udp:80: no scheduler set\n(/tmp/d/keepalived.conf: Line 20) again\n"
	ours := "/tmp/d/keepalived.conf:3:5: warning: unknown keyword \"x\" in vrrp_instance\n\thint: h\n" +
		"/tmp/d/part.conf:2:1: error: bad\nnot a diagnostic: 4:5: error:\n"
	wantKA := []Loc{{"part.conf", 2}, {"", 3}, {"keepalived.conf", 20}}
	wantOurs := []Loc{{"part.conf", 2}, {"keepalived.conf", 3}}
	if diff := cmp.Diff(wantKA, KeepalivedLocs(ka)); diff != "" {
		t.Errorf("KeepalivedLocs (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantOurs, OurLocs(ours)); diff != "" {
		t.Errorf("OurLocs (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]Loc{{"keepalived.conf", 20}}, Missed(wantKA, wantOurs)); diff != "" {
		t.Errorf("Missed (-want +got):\n%s", diff)
	}
}

// FuzzKeepalivedLocs checks that reading either program's output never
// panics and yields only positive lines.
func FuzzKeepalivedLocs(f *testing.F) {
	f.Add("(/x/k.conf: Line 7) y\n(Line 99999999999999999999) z")
	f.Add("/x/k.conf:3:4: error: e")
	f.Fuzz(func(t *testing.T, s string) {
		for _, l := range append(KeepalivedLocs(s), OurLocs(s)...) {
			if l.Line <= 0 {
				t.Fatalf("line %d from %q", l.Line, s)
			}
		}
	})
}

// realWorldRow is one line of testdata/realworld/expect.txt.
type realWorldRow struct {
	file           string
	exit           int
	kaLines, known []int
}

// lineSet reads "3,7,9" or "-" (none).
func lineSet(t *testing.T, s string) []int {
	t.Helper()
	var out []int
	for f := range strings.SplitSeq(strings.TrimPrefix(s, "-"), ",") {
		if n, err := strconv.Atoi(f); err == nil {
			out = append(out, n)
		} else if f != "" {
			t.Fatalf("expect.txt: bad line list %q", s)
		}
	}
	return out
}

// readRealWorld reads testdata/realworld/expect.txt.
func readRealWorld(t *testing.T) (string, []realWorldRow) {
	t.Helper()
	dir := filepath.Join("..", "testdata", "realworld")
	b, err := os.ReadFile(filepath.Join(dir, "expect.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var rows []realWorldRow
	for line := range strings.Lines(string(b)) {
		if line = strings.TrimSpace(line); line == "" || line[0] == '#' {
			continue
		}
		var r realWorldRow
		var ka, known string
		if _, err := fmt.Sscan(line, &r.file, &r.exit, &ka, &known); err != nil {
			t.Fatalf("expect.txt: %q: %v", line, err)
		}
		r.kaLines, r.known = lineSet(t, ka), lineSet(t, known)
		rows = append(rows, r)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.conf"))
	if len(files) != len(rows) || len(rows) < 20 {
		t.Fatalf("realworld has %d files and %d table rows; want them equal and at least 20", len(files), len(rows))
	}
	return dir, rows
}

// scriptsPresent says whether the programs the real-world checks run
// exist here; keepalived only flags script security (exit 6) for those.
func scriptsPresent() bool {
	for _, p := range []string{"killall", "pgrep", "pidof"} {
		if _, err := exec.LookPath(p); err != nil {
			return false
		}
	}
	return true
}

// TestRealWorldTable checks that Load judges every real-world file as
// keepalived 2.2.7's -t does (expect.txt): the same exit code, and every
// line keepalived names but the known misses.
func TestRealWorldTable(t *testing.T) {
	dir, rows := readRealWorld(t)
	opts := config.Options{ConfigID: ConfigID, InterfaceExists: func(n string) bool { return slices.Contains(Interfaces, n) }}
	for _, r := range rows {
		t.Run(r.file, func(t *testing.T) {
			if r.exit == 6 && !scriptsPresent() {
				t.Skip("killall, pgrep or pidof is missing; keepalived would not flag script security here either")
			}
			cfg, diags := config.Load(filepath.Join(dir, r.file), opts)
			var ours []Loc
			for _, d := range diags {
				ours = append(ours, Loc{filepath.Base(d.Pos.File), d.Pos.Line})
			}
			var ka []Loc
			for _, n := range r.kaLines {
				if !slices.Contains(r.known, n) {
					ka = append(ka, Loc{"", n})
				}
			}
			got := struct {
				Exit   int
				Missed []Loc
			}{exitCode(cfg), Missed(ka, ours)}
			want := got
			want.Exit, want.Missed = r.exit, nil
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("verdict (-want +got):\n%s", diff)
			}
		})
	}
}

// exitCode is -t's exit code for cfg, scripts judged as the daemon will.
func exitCode(cfg *config.Config) int {
	code, _ := track.ConfigTest(cfg)
	return code
}

// newRunner builds gokeepalived and a lab host with Interfaces for a
// test; it skips without root or keepalived.
func newRunner(t *testing.T) *Runner {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root: both config tests run in a lab network namespace")
	}
	ka, err := exec.LookPath("keepalived")
	if err != nil {
		t.Skip("keepalived is not installed")
	}
	ctx := context.Background()
	root, err := RepoRoot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	ours, err := BuildOurs(ctx, root, dir)
	if err != nil {
		t.Fatal(err)
	}
	l := lab.New(t, lab.Spec{Hosts: []lab.HostSpec{{Name: "kt", Ifname: "eth0"}}})
	h := l.Host("kt")
	if err := AddInterfaces(ctx, h); err != nil {
		t.Fatal(err)
	}
	return &Runner{Host: h, Keepalived: ka, Ours: ours, Dir: dir}
}

// TestDifferentialQuick is the seeded quick run: 200 generated
// configurations through keepalived's -t and ours. The long run is
// `go run ./internal/config/difft/cmd -n 5000 -seed N`.
func TestDifferentialQuick(t *testing.T) {
	r := newRunner(t)
	root, err := RepoRoot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	seeds, err := LoadSeeds(SeedPatterns(root)...)
	if err != nil {
		t.Skip(err)
	}
	tally, err := r.RunMany(context.Background(), seeds, 1, 200, 4, func(i int, res Result) {
		if !Agrees(res) {
			t.Logf("case %d %s: keepalived exit %d lines %v; ours exit %d; missed %v",
				i, res.Case, res.Keepalived.Exit, res.Keepalived.Locs, res.Ours.Exit, res.Missed())
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Log(tally)
	// Gates a little under what the run measures (docs/config-test.md),
	// so that a regression fails while the listed deviations do not.
	if tally.ExitRate() < 0.99 || tally.LineRate() < 0.97 {
		t.Errorf("agreement fell: %s", tally)
	}
}

// TestRealWorldKeepalived re-runs keepalived's -t and ours on every
// real-world file in a lab namespace: keepalived must still give what
// expect.txt records, and ours must agree with it.
func TestRealWorldKeepalived(t *testing.T) {
	dir, rows := readRealWorld(t)
	r := newRunner(t)
	var tally Tally
	for _, row := range rows {
		t.Run(row.file, func(t *testing.T) {
			if row.exit == 6 && !scriptsPresent() {
				t.Skip("killall, pgrep or pidof is missing")
			}
			b, err := os.ReadFile(filepath.Join(dir, row.file))
			if err != nil {
				t.Fatal(err)
			}
			res, err := r.Run(context.Background(), row.file, map[string]string{MainFile: string(b)})
			if err != nil {
				t.Fatal(err)
			}
			tally.Add(res)
			t.Log(TableRow(row.file, res))
			var kaLines []int
			for _, l := range res.Keepalived.Locs {
				kaLines = append(kaLines, l.Line)
			}
			slices.Sort(kaLines)
			if diff := cmp.Diff(row.kaLines, slices.Compact(kaLines)); diff != "" || res.Keepalived.Exit != row.exit {
				t.Errorf("keepalived -t: exit %d, want %d; lines (-table +now):\n%s\n%s", res.Keepalived.Exit, row.exit, diff, res.Keepalived.Output)
			}
			var missed []Loc
			for _, m := range res.Missed() {
				if !slices.Contains(row.known, m.Line) {
					missed = append(missed, m)
				}
			}
			if !res.ExitAgrees() || len(missed) > 0 {
				t.Errorf("ours disagrees: exit %d (keepalived %d), missed %v\n%s", res.Ours.Exit, res.Keepalived.Exit, missed, res.Ours.Output)
			}
		})
	}
	t.Log(tally)
}
