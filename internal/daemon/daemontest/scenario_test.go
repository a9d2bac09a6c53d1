package daemontest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/gokeepalived/gokeepalived/internal/golden"
)

// TestScenarios plays every testdata/*.txt and compares its transcript
// with the .golden beside it (-update rewrites them).
func TestScenarios(t *testing.T) {
	files, err := filepath.Glob("testdata/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scenarios: %v", err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".txt")
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			sc, err := Parse(string(src))
			if err != nil {
				t.Fatal(err)
			}
			synctest.Test(t, func(t *testing.T) {
				got := Run(t, sc)
				golden.Check(t, strings.TrimSuffix(f, ".txt")+".golden", []byte(got))
			})
		})
	}
}
