package plan

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gokeepalived/gokeepalived/internal/golden"
)

// TestRunGolden runs the subcommand on the seed's configurations and on bad
// input, and compares stdout with testdata/golden/NAME (-update rewrites).
func TestRunGolden(t *testing.T) {
	fixed := []string{"--node", "A=testdata/seed-fixed/a.conf,eth1=192.168.1.2", "--node", "B=testdata/seed-fixed/b.conf,eth1=192.168.1.3"}
	orig := []string{"--node", "A=testdata/seed-original/a.conf", "--node", "B=testdata/seed-original/b.conf",
		"--addr", "A:eth1=192.168.1.2", "--addr", "B:eth1=192.168.1.3"}
	tests := []struct {
		name     string
		args     []string
		wantCode int
	}{
		{"seed-fixed.txt", fixed, ExitOK},
		{"seed-fixed.json", append([]string{"--json"}, fixed...), ExitOK},
		{"seed-original.txt", orig, ExitOK},
		{"seed-original.json", append([]string{"--json"}, orig...), ExitOK},
		{"assumed-addresses.txt", []string{"testdata/seed-original/a.conf", "testdata/seed-original/b.conf"}, ExitOK},
		{"bad-config.txt", []string{"testdata/seed-fixed/a.conf", "testdata/bad/b.conf"}, ExitProblem},
		{"sync-group.txt", []string{"--node", "A=testdata/sync-group/a.conf,eth1=192.168.1.2/24,eth2=10.1.1.2/24",
			"--node", "B=testdata/sync-group/b.conf,eth1=192.168.1.3/24,eth2=10.1.1.3/24"}, ExitOK},
		{"no-subnet.txt", []string{"--addr", "a=192.168.1.2", "--addr", "b=10.1.1.3", "testdata/seed-fixed/a.conf", "testdata/seed-fixed/b.conf"}, ExitProblem},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := Run(tt.args, &stdout, &stderr)
			if code != tt.wantCode {
				t.Errorf("exit code = %d, want %d; stderr:\n%s", code, tt.wantCode, stderr.String())
			}
			golden.Check(t, filepath.Join("testdata", "golden", tt.name), stdout.Bytes())
		})
	}
}

func TestRunUsage(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"no node", nil, "no node"},
		{"bad node", []string{"--node", "A"}, "want NAME=PATH"},
		{"addr for an unknown node", []string{"--addr", "C:eth1=10.0.0.1", "a.conf"}, "no node called C"},
		{"config id for an unknown node", []string{"-i", "C=x", "a.conf"}, "no node called C"},
		{"bad address", []string{"--addr", "a:eth1=10.0.0", "a.conf"}, "bad address"},
		{"unknown flag", []string{"--frobnicate"}, "unknown flag"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := Run(tt.args, &stdout, &stderr); code != ExitUsage {
				t.Errorf("exit code = %d, want %d", code, ExitUsage)
			}
			if !strings.Contains(stderr.String(), tt.wantErr) {
				t.Errorf("stderr %q does not say %q", stderr.String(), tt.wantErr)
			}
		})
	}
}
