package golden

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// recorder is a testing.TB that keeps errors instead of failing the test.
type recorder struct {
	testing.TB
	errs  []string
	fatal bool
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, format)
}
func (r *recorder) Fatalf(format string, args ...any) {
	r.errs = append(r.errs, format)
	r.fatal = true
}

func TestCheck(t *testing.T) {
	if Updating() {
		t.Skip("-update rewrites files; this test checks comparing")
	}
	path := filepath.Join(t.TempDir(), "x.golden")
	if err := os.WriteFile(path, []byte("same\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := &recorder{TB: t}
	Check(r, path, []byte("same\n"))
	if len(r.errs) != 0 {
		t.Errorf("equal content: got errors %v", r.errs)
	}
	Check(r, path, []byte("other\n"))
	if len(r.errs) != 1 || !strings.Contains(r.errs[0], "mismatch") {
		t.Errorf("different content: got errors %v, want one mismatch", r.errs)
	}
	r = &recorder{TB: t}
	Check(r, filepath.Join(t.TempDir(), "missing.golden"), []byte("x"))
	if !r.fatal {
		t.Errorf("missing golden file: want a fatal error, got %v", r.errs)
	}
}
