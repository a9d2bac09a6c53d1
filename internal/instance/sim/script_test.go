package sim

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/golden"
)

func TestScripts(t *testing.T) {
	files, err := filepath.Glob("testdata/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scripts: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) { checkGolden(t, f) })
	}
}

func checkGolden(t *testing.T, path string) {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	got, failed, err := RunScript(string(src))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	for _, f := range failed {
		t.Errorf("%s: %s", path, f)
	}
	golden.Check(t, strings.TrimSuffix(path, ".txt")+".golden", []byte(got))
}

func TestScriptErrors(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"unknown verb", "node A addr=10.0.0.1\n1s jump A\n", "unknown verb"},
		{"time goes back", "node A addr=10.0.0.1\n2s start A\n1s stop A\n", "non-decreasing"},
		{"no addr", "node A prio=10\n", "needs addr"},
		{"bad prio", "node A addr=10.0.0.1 prio=0\n", "out of range"},
		{"unknown node", "1s start Z\n", "no node"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := RunScript(tt.src)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("RunScript error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func FuzzRunScript(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.txt")
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(string(b))
		}
	}
	f.Fuzz(func(t *testing.T, src string) {
		// Keep each run to a few ms: the fuzz engine minimizes every new
		// interesting input, and runs of ~1 s (8 routers at 1 ms adverts
		// for 2 minutes) let that outlive CI's -fuzztime ("context deadline
		// exceeded"). Virtual time up to 20 s, adverts no faster than 10 ms.
		for _, l := range strings.Split(src, "\n") {
			fs := strings.Fields(l)
			if len(fs) > 0 {
				if d, err := time.ParseDuration(fs[0]); err == nil && d > 20*time.Second {
					return
				}
			}
			for _, f := range fs {
				if v, ok := strings.CutPrefix(f, "int="); ok {
					if d, err := time.ParseDuration(v); err != nil || d < 10*time.Millisecond {
						return
					}
				}
			}
		}
		if strings.Count(src, "node") > 8 {
			return
		}
		_, _, _ = RunScript(src)
	})
}
