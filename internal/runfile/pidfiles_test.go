package runfile

import (
	"os"
	"path/filepath"
	"testing"
)

// TestWritePIDsOnceEach: a path given twice is written once (no
// self-conflict), empty paths are skipped, and release removes them all.
func TestWritePIDsOnceEach(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.pid"), filepath.Join(dir, "b.pid")
	release, err := WritePIDs([]string{a, "", b, a}, func(string, ...any) { t.Error("warned") })
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{a, b} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s not written: %v", p, err)
		}
	}
	release()
	for _, p := range []string{a, b} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s still there after release: %v", p, err)
		}
	}
}
