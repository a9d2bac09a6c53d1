//go:build linux

package config

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestKeepalivedRouteVerdicts checks optCases against keepalived itself:
// keepalived -t, in a throwaway namespace with eth1 and eth2, must give the
// recorded exit code and keep or drop each entry as recorded. Whether
// keepalived kept an entry shows in its own warning about it ("cannot
// track route", "no preference"), so only cases that would get that
// warning are judged on it.
func TestKeepalivedRouteVerdicts(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to create a network namespace for keepalived -t")
	}
	ka, err := exec.LookPath("keepalived")
	if err != nil {
		t.Skip("keepalived is not installed")
	}
	ns := newTestNetns(t, "eth1", "eth2")
	seen := regexp.MustCompile(`cannot track route|Rule has no preference`)
	dir := t.TempDir()
	for _, c := range optCases {
		if c.differs != "" {
			continue
		}
		t.Run(c.line, func(t *testing.T) {
			path := filepath.Join(dir, "k.conf")
			if err := os.WriteFile(path, []byte(c.conf()), 0o644); err != nil {
				t.Fatal(err)
			}
			out, code := keepalivedTest(t, ns, ka, path)
			if code != c.exit {
				t.Errorf("keepalived exit %d, recorded %d\n%s", code, c.exit, out)
			}
			observable := !strings.Contains(c.line, "dev ") && !strings.Contains(c.line, "no_track")
			if c.rule {
				observable = !regexp.MustCompile(`preference|priority|order`).MatchString(c.line)
			}
			if kept := seen.Match(out); observable && kept != c.kept {
				t.Errorf("keepalived kept the entry: %v, recorded %v\n%s", kept, c.kept, out)
			}
		})
	}
}
