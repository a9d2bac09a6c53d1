package logging

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzJournalStream: any JOURNAL_STREAM value is parsed without a panic,
// and one naming another file never matches ours.
func FuzzJournalStream(f *testing.F) {
	for _, s := range []string{"", "8:12345", "x:y", ":", "1:", "18446744073709551615:1", "-1:-1"} {
		f.Add(s)
	}
	file, err := os.Create(filepath.Join(f.TempDir(), "stream"))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { file.Close() })
	f.Fuzz(func(t *testing.T, env string) {
		if journalStream(env, file) && env == "" {
			t.Errorf("empty JOURNAL_STREAM matched")
		}
	})
}
