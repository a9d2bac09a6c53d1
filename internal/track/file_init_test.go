package track

import (
	"os"
	"path/filepath"
	"testing"
)

// init_file never writes through a symlink at the track file's path (a
// non-root user who can plant one must not make root write elsewhere):
// like keepalived's fopen_safe, the link is replaced by a new file.
func TestInitFileNeverWritesThroughSymlink(t *testing.T) {
	dir := t.TempDir()
	victim := filepath.Join(dir, "victim")
	if err := os.WriteFile(victim, []byte("precious\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "would-be-created")
	for _, tt := range []struct {
		name, target string
		overwrite    bool
	}{
		{"link to a file, overwrite", victim, true},
		{"dangling link", missing, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "track")
			if err := os.Symlink(tt.target, p); err != nil {
				t.Fatal(err)
			}
			if err := InitFile(p, 4, tt.overwrite); err != nil {
				t.Fatal(err)
			}
			if b, _ := os.ReadFile(victim); string(b) != "precious\n" {
				t.Errorf("written through the link: victim now %q", b)
			}
			if _, err := os.Lstat(missing); err == nil {
				t.Errorf("the dangling link's target %s was created", missing)
			}
			fi, err := os.Lstat(p)
			if err != nil {
				t.Fatal(err)
			}
			if !fi.Mode().IsRegular() {
				t.Fatalf("track file after init has mode %v, want a regular file", fi.Mode())
			}
			if b, _ := os.ReadFile(p); string(b) != "4\n" {
				t.Errorf("track file = %q, want \"4\\n\"", b)
			}
		})
	}
}
