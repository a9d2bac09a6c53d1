package difft

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/lab"
)

// Interfaces are the interfaces the lab host has: every name the corpus
// uses, so that only the generator's unknown names are missing.
var Interfaces = []string{"eth0", "eth1", "eth2", "eth3", "eth0.1"}

// ConfigID is the -i both programs get, so @id lines resolve the same way.
const ConfigID = "difft"

// Hung is the Exit of a program that did not finish within the Runner's
// Timeout (keepalived 2.2.7 loops forever on some broken files).
const Hung = -1

// Loc is a place a config test names: a file's base name ("" when the
// message names no file) and a line.
type Loc struct {
	File string
	Line int
}

// Verdict is what one program's config test said.
type Verdict struct {
	Exit   int
	Locs   []Loc
	Output string
}

// kaLocRE finds keepalived's "(FILE: Line N)" or "(Line N)".
var kaLocRE = regexp.MustCompile(`\((?:([^():]+): )?Line (\d+)\)`)

// ourLocRE finds gokeepalived's "FILE:LINE:COL: error|warning:".
var ourLocRE = regexp.MustCompile(`(?m)^(\S+?):(\d+):\d+: (?:error|warning):`)

// KeepalivedLocs returns the places keepalived's -t output names, sorted
// and without repeats.
func KeepalivedLocs(out string) []Loc {
	return locs(kaLocRE.FindAllStringSubmatch(out, -1))
}

// OurLocs returns the places gokeepalived's -t output names.
func OurLocs(out string) []Loc {
	return locs(ourLocRE.FindAllStringSubmatch(out, -1))
}

func locs(ms [][]string) []Loc {
	var out []Loc
	for _, m := range ms {
		n, err := strconv.Atoi(m[2])
		if err != nil || n <= 0 {
			continue // lines count from 1; anything else is not a place
		}
		f := ""
		if m[1] != "" {
			f = filepath.Base(m[1])
		}
		out = append(out, Loc{f, n})
	}
	slices.SortFunc(out, func(a, b Loc) int {
		if a.Line != b.Line {
			return a.Line - b.Line
		}
		return cmpString(a.File, b.File)
	})
	return slices.Compact(out)
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Missed returns the places keepalived names that ours does not. A place
// keepalived gives without a file matches ours on any file.
func Missed(ka, ours []Loc) []Loc {
	var out []Loc
	for _, k := range ka {
		if !slices.ContainsFunc(ours, func(o Loc) bool {
			return o.Line == k.Line && (k.File == "" || k.File == o.File)
		}) {
			out = append(out, k)
		}
	}
	return out
}

// Runner runs both config tests inside a lab host.
type Runner struct {
	// Host is where both programs run; it must have Interfaces.
	Host *lab.Host
	// Keepalived and Ours are the programs' paths.
	Keepalived, Ours string
	// Dir holds the generated files.
	Dir string
	// Timeout bounds one program run; 0 means 30 s.
	Timeout time.Duration
}

// AddInterfaces gives h every name in Interfaces (its own LAN interface
// already has one of them), each one end of a veth pair inside h.
func AddInterfaces(ctx context.Context, h *lab.Host) error {
	for i, name := range Interfaces {
		if name == h.Ifname {
			continue
		}
		if _, err := h.Exec(ctx, "ip", "link", "add", name, "type", "veth", "peer", "name", fmt.Sprintf("dtp%d", i)); err != nil {
			return err
		}
		if _, err := h.Exec(ctx, "ip", "link", "set", name, "up"); err != nil {
			return err
		}
	}
	return nil
}

// Result is one case's two verdicts.
type Result struct {
	Case       Case
	Keepalived Verdict
	Ours       Verdict
}

// ExitAgrees says whether both exit statuses are equal.
func (r Result) ExitAgrees() bool { return r.Keepalived.Exit == r.Ours.Exit }

// Missed is the places keepalived names that ours does not.
func (r Result) Missed() []Loc { return Missed(r.Keepalived.Locs, r.Ours.Locs) }

// Run writes the files in dir name under r.Dir and runs both config tests
// on them.
func (r *Runner) Run(ctx context.Context, name string, files map[string]string) (Result, error) {
	dir := filepath.Join(r.Dir, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Result{}, err
	}
	for f, text := range files {
		if err := os.WriteFile(filepath.Join(dir, f), []byte(text), 0o644); err != nil {
			return Result{}, err
		}
	}
	main := filepath.Join(dir, MainFile)
	var res Result
	var err error
	if res.Keepalived, err = r.exec(ctx, dir, r.Keepalived, "-t", "-l", "-n", "-i", ConfigID, "-f", main); err != nil {
		return res, err
	}
	res.Keepalived.Locs = KeepalivedLocs(res.Keepalived.Output)
	if res.Ours, err = r.exec(ctx, dir, r.Ours, "-t", "-i", ConfigID, "-f", main); err != nil {
		return res, err
	}
	res.Ours.Locs = OurLocs(res.Ours.Output)
	return res, nil
}

// RunCase is Run for a generated case, in a directory named by its index.
func (r *Runner) RunCase(ctx context.Context, i int, c Case) (Result, error) {
	res, err := r.Run(ctx, fmt.Sprintf("c%05d", i), c.Files)
	res.Case = c
	return res, err
}

func (r *Runner) exec(ctx context.Context, dir, prog string, args ...string) (Verdict, error) {
	d := r.Timeout
	if d == 0 {
		d = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	cmd := r.Host.Command(ctx, prog, args...)
	cmd.Dir = dir
	var out bytes.Buffer // exec writes to one shared writer from one goroutine at a time
	cmd.Stdout, cmd.Stderr = &out, &out
	p, err := r.Host.Start(cmd)
	if err != nil {
		return Verdict{}, err
	}
	werr := p.Wait()
	v := Verdict{Output: out.String()}
	var ee *exec.ExitError
	switch {
	case ctx.Err() != nil:
		v.Exit = Hung
	case errors.As(werr, &ee):
		v.Exit = ee.ExitCode()
	case werr != nil:
		return v, fmt.Errorf("%s -t: %w", prog, werr)
	}
	return v, nil
}

// RepoRoot returns the module's root directory (where go.mod is).
func RepoRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil || len(bytes.TrimSpace(out)) == 0 {
		return "", fmt.Errorf("find the module root: %v", err)
	}
	return filepath.Dir(string(bytes.TrimSpace(out))), nil
}

// SeedPatterns are the seed corpus under the module root: keepalived's
// samples in ../shared (or $GOKEEPALIVED_SHARED), the config package's
// test configurations and the real-world corpus.
func SeedPatterns(root string) []string {
	shared := os.Getenv("GOKEEPALIVED_SHARED")
	if shared == "" {
		shared = filepath.Join(root, "..", "shared")
	}
	td := filepath.Join(root, "internal", "config", "testdata")
	return []string{
		filepath.Join(shared, "corpus", "keepalived-samples", "keepalived.conf*"),
		filepath.Join(td, "model", "*.conf"),
		filepath.Join(td, "syntax", "*.conf"),
		filepath.Join(td, "realworld", "*.conf"),
	}
}

// BuildOurs builds gokeepalived from the module at root into dir and
// returns the binary's path.
func BuildOurs(ctx context.Context, root, dir string) (string, error) {
	bin := filepath.Join(dir, "gokeepalived")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/gokeepalived")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %w: %s", err, out)
	}
	return bin, nil
}

// RealWorld returns the real-world corpus under the module root, by name.
func RealWorld(root string) ([]Seed, error) {
	files, err := filepath.Glob(filepath.Join(root, "internal", "config", "testdata", "realworld", "*.conf"))
	if err != nil {
		return nil, err
	}
	var out []Seed
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		out = append(out, Seed{Name: filepath.Base(f), Text: string(b)})
	}
	return out, nil
}

// TableRow formats one line of the real-world table: the file, then
// keepalived's exit status and lines, then ours ("-" for no lines).
func TableRow(name string, r Result) string {
	return fmt.Sprintf("%-36s %d %-16s %d %s", name, r.Keepalived.Exit, lineList(r.Keepalived.Locs), r.Ours.Exit, lineList(r.Ours.Locs))
}

// lineList formats the lines of locs as "1,5,9", or "-".
func lineList(locs []Loc) string {
	var b []byte
	seen := map[int]bool{}
	for _, l := range locs {
		if seen[l.Line] {
			continue
		}
		seen[l.Line] = true
		if len(b) > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, int64(l.Line), 10)
	}
	if len(b) == 0 {
		return "-"
	}
	return string(b)
}
