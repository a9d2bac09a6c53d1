package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestBenchQuick runs the side-by-side benchmark (bench/failover) in quick
// mode and checks only that it works: every table has rows with numbers
// for both daemons. The figures themselves are not judged here.
func TestBenchQuick(t *testing.T) {
	needRoot(t)
	if testing.Short() {
		t.Skip("quick benchmark takes about a minute; skipped in -short")
	}
	ka, err := exec.LookPath("keepalived")
	if err != nil {
		t.Skip("keepalived not installed (Debian package keepalived): nothing to compare against")
	}
	dir := t.TempDir()
	bench := filepath.Join(dir, "failover")
	if out, err := exec.Command("go", "build", "-o", bench, "github.com/gokeepalived/gokeepalived/bench/failover").CombinedOutput(); err != nil {
		t.Fatalf("go build bench/failover: %v\n%s", err, out)
	}
	outFile := filepath.Join(dir, "bench.md")
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bench, "--quick", "--gk", binary(t), "--keepalived", ka, "--out", outFile)
	// SIGTERM lets the benchmark close its labs before it exits.
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 20 * time.Second
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("bench --quick: %v\n%s", err, tail(string(out), 80))
	}
	md, err := os.ReadFile(outFile)
	if err != nil {
		t.Fatal(err)
	}
	rows := strings.Split(string(md), "\n")

	tests := []struct {
		name    string
		prefix  string // start of the table row
		cols    []int  // cells (0-based, after the leading '|') that must hold a number
		section string // the row is looked for after this heading ("": anywhere)
	}{
		{"S1 both daemons", "| VRRPv3 advert 0.1 s | S1 master host dies |", []int{2, 4}, ""},
		{"S2 both daemons", "| VRRPv3 advert 0.1 s | S2 graceful stop |", []int{2, 4}, ""},
		{"S3 both daemons", "| VRRPv3 advert 0.1 s | S3 checked service dies |", []int{2, 4}, ""},
		{"S4 both daemons", "| VRRPv3 advert 0.1 s | S4 master returns: VIP back |", []int{2, 4}, ""},
		{"footprint RSS and CPU", "| 50 | 0.01 s |", []int{3, 4, 6, 7}, ""},
		{"memory RSS, PSS, anonymous", "| 50 | 0.01 s |", []int{2, 3, 4, 5, 6, 7}, "## Memory"},
		{"timer gokeepalived", "| gokeepalived | idle |", []int{2, 3, 4}, ""},
		{"timer keepalived", "| keepalived | idle |", []int{2, 3, 4}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs := rows
			for i, r := range rows {
				if tt.section != "" && strings.HasPrefix(r, tt.section) {
					rs = rows[i:]
					break
				}
			}
			row := findRow(rs, tt.prefix)
			if row == nil {
				t.Fatalf("no row starting %q in:\n%s", tt.prefix, md)
			}
			for _, c := range tt.cols {
				if c >= len(row) || !leadingNumber(row[c]) {
					t.Errorf("cell %d of %q is not a number: %q", c, tt.prefix, row)
				}
			}
		})
	}
}

// findRow returns the cells of the first markdown table row starting with
// prefix.
func findRow(rows []string, prefix string) []string {
	for _, r := range rows {
		if strings.HasPrefix(r, prefix) {
			cells := strings.Split(strings.Trim(r, "|"), "|")
			for i := range cells {
				cells[i] = strings.TrimSpace(cells[i])
			}
			return cells
		}
	}
	return nil
}

// leadingNumber reports whether s starts with a decimal number ("12.5 [..]").
func leadingNumber(s string) bool {
	f, _, _ := strings.Cut(s, " ")
	_, err := strconv.ParseFloat(f, 64)
	return err == nil
}
