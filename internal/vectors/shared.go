package vectors

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// EnvShared names the environment variable that points at the shared
// folder (the one holding vectors/ and corpus/) when it is not ../shared
// next to the repository root.
const EnvShared = "GOKEEPALIVED_SHARED"

// Files in the shared folder's vectors/ directory.
const (
	File227 = "keepalived-2.2.7.txt" // 2.2.7: all cases
	File228 = "keepalived-2.2.8.txt" // 2.2.8: v3_checksum_as_v2
)

// ErrNoShared is returned by SharedDir when the folder cannot be found.
var ErrNoShared = errors.New("shared folder not found")

// SharedDir returns the shared folder: $GOKEEPALIVED_SHARED if set, else
// ../shared relative to the repository root (the first parent of the
// working directory holding go.mod).
func SharedDir() (string, error) {
	if d := os.Getenv(EnvShared); d != "" {
		if !isDir(d) {
			return "", fmt.Errorf("%s=%s: %w", EnvShared, d, ErrNoShared)
		}
		return d, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("find shared folder: %w", err)
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			s := filepath.Join(filepath.Dir(d), "shared")
			if !isDir(s) {
				return "", fmt.Errorf("%s (set %s): %w", s, EnvShared, ErrNoShared)
			}
			return s, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no go.mod above %s (set %s): %w", wd, EnvShared, ErrNoShared)
		}
	}
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

// Path returns the path of a file in the shared vectors/ folder, or skips
// the test with the reason when the shared folder is absent.
func Path(tb testing.TB, name string) string {
	tb.Helper()
	d, err := SharedDir()
	if err != nil {
		tb.Skipf("skipping: wire vectors unavailable: %v", err)
	}
	return filepath.Join(d, "vectors", name)
}

// LoadT loads a file from the shared vectors/ folder for a test: it skips
// when the shared folder is absent and fails the test on a read error.
func LoadT(tb testing.TB, name string) []Vector {
	tb.Helper()
	vs, err := Load(Path(tb, name))
	if err != nil {
		tb.Fatal(err)
	}
	return vs
}

// Adverts returns the vectors of kind advert.
func Adverts(vs []Vector) []Vector {
	var out []Vector
	for _, v := range vs {
		if v.Kind == "advert" {
			out = append(out, v)
		}
	}
	return out
}
