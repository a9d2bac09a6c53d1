package runfile

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Replace writes a file the way keepalived's fopen_safe does for "w":
// write runs into a new temporary file (O_EXCL, ours) in path's
// directory, which gets mode perm and is then renamed over path. A
// symlink planted at path is replaced, never followed; a reader that had
// the old file open cannot see the new content; readers never see half a
// file. On error nothing is left behind and path is unchanged.
func Replace(path string, perm os.FileMode, write func(io.Writer) error) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err := write(f); err != nil {
		return err
	}
	if err := f.Chmod(perm); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("rename into place: %w", err)
	}
	return nil
}
