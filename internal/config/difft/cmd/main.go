// Command difft runs the differential config test at length: it generates
// -n configurations from seed -seed, runs keepalived's and gokeepalived's
// config tests on each inside a lab namespace, and prints the agreement.
// As root, from the repository:
//
//	go run ./internal/config/difft/cmd -n 5000 -seed 1
//	go run ./internal/config/difft/cmd -case 417 -seed 1 -v   # one case, files and outputs
//	go run ./internal/config/difft/cmd -file my.conf          # one file of your own
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/config/difft"
	"github.com/gokeepalived/gokeepalived/internal/lab"
)

func main() {
	n := flag.Int("n", 5000, "number of configurations to generate")
	seed := flag.Uint64("seed", 1, "generator seed")
	one := flag.String("case", "", "run only these cases (comma-separated) and print them")
	workers := flag.Int("workers", 4, "configurations checked at once")
	verbose := flag.Bool("v", false, "print every disagreement with both outputs")
	realworld := flag.Bool("realworld", false, "run the real-world corpus (internal/config/testdata/realworld) instead, and print its table")
	file := flag.String("file", "", "run only this configuration file (no includes) and print both outputs")
	keepalived := flag.String("keepalived", "/usr/sbin/keepalived", "keepalived binary")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	code, err := run(ctx, *n, *seed, *one, *workers, *verbose, *realworld, *file, *keepalived)
	if err != nil {
		fmt.Fprintln(os.Stderr, "difft:", err)
	}
	os.Exit(code)
}

func run(ctx context.Context, n int, seed uint64, one string, workers int, verbose, realworld bool, file, keepalived string) (int, error) {
	if _, err := exec.LookPath(keepalived); err != nil {
		return 2, err
	}
	root, err := difft.RepoRoot(ctx)
	if err != nil {
		return 2, err
	}
	seeds, err := difft.LoadSeeds(difft.SeedPatterns(root)...)
	if err != nil {
		return 2, err
	}
	dir, err := os.MkdirTemp("", "difft")
	if err != nil {
		return 2, err
	}
	defer os.RemoveAll(dir)
	ours, err := difft.BuildOurs(ctx, root, dir)
	if err != nil {
		return 2, err
	}
	l, err := lab.Build(ctx, lab.Spec{Hosts: []lab.HostSpec{{Name: "kt", Ifname: "eth0"}}})
	if err != nil {
		return 2, err
	}
	defer l.Close()
	h := l.Host("kt")
	if err := difft.AddInterfaces(ctx, h); err != nil {
		return 2, err
	}
	r := &difft.Runner{Host: h, Keepalived: keepalived, Ours: ours, Dir: dir, Timeout: 10 * time.Second}
	if realworld {
		return runRealWorld(ctx, r, root, verbose)
	}
	if file != "" {
		text, err := os.ReadFile(file)
		if err != nil {
			return 2, err
		}
		c := difft.Case{Seed: file, Files: map[string]string{difft.MainFile: string(text)}}
		res, err := r.RunCase(ctx, 0, c)
		if err != nil {
			return 2, err
		}
		printResult(0, res, true)
		return 0, nil
	}
	if one != "" {
		for _, f := range strings.Split(one, ",") {
			i, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil {
				return 2, fmt.Errorf("-case: %w", err)
			}
			res, err := r.RunCase(ctx, i, difft.Generate(seeds, seed, i))
			if err != nil {
				return 2, err
			}
			printResult(i, res, verbose || !strings.Contains(one, ","))
		}
		return 0, nil
	}
	fmt.Printf("%d seeds, seed %d, %d configurations\n", len(seeds), seed, n)
	t, err := r.RunMany(ctx, seeds, seed, n, workers, func(i int, res difft.Result) {
		if !difft.Agrees(res) {
			printResult(i, res, verbose)
		}
	})
	fmt.Println(t)
	if err != nil {
		return 2, err
	}
	return 0, nil
}

func printResult(i int, res difft.Result, full bool) {
	fmt.Printf("case %d: %s\n  keepalived exit %d lines %v; ours exit %d lines %v; missed %v\n",
		i, res.Case, res.Keepalived.Exit, res.Keepalived.Locs, res.Ours.Exit, res.Ours.Locs, res.Missed())
	for _, l := range splitLines(res.Keepalived.Output) {
		for _, m := range res.Missed() {
			if strings.Contains(l, fmt.Sprintf("Line %d)", m.Line)) {
				fmt.Printf("  missed: %s\n", l)
				break
			}
		}
	}
	if !full {
		return
	}
	for name, text := range res.Case.Files {
		fmt.Printf("--- %s\n", name)
		for k, l := range splitLines(text) {
			fmt.Printf("%4d  %s\n", k+1, l)
		}
	}
	fmt.Printf("--- keepalived -t\n%s--- gokeepalived -t\n%s", res.Keepalived.Output, res.Ours.Output)
}

func splitLines(s string) []string {
	var out []string
	start := 0
	for i := range len(s) {
		if s[i] == '\n' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// runRealWorld runs every real-world configuration and prints a table row
// for each: keepalived's exit and lines, then ours.
func runRealWorld(ctx context.Context, r *difft.Runner, root string, verbose bool) (int, error) {
	files, err := difft.RealWorld(root)
	if err != nil {
		return 2, err
	}
	var t difft.Tally
	for _, f := range files {
		res, err := r.Run(ctx, f.Name, map[string]string{difft.MainFile: f.Text})
		if err != nil {
			return 2, err
		}
		res.Case = difft.Case{Seed: f.Name}
		t.Add(res)
		fmt.Println(difft.TableRow(f.Name, res))
		if verbose && !difft.Agrees(res) {
			printResult(0, res, true)
		}
	}
	fmt.Println(t)
	return 0, nil
}
