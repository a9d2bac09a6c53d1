package runfile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// Entry is a directory entry the daemon made: the directory it is in
// (held open, so a later swap of the path does not move it) and the
// identity of the file it named then.
type Entry struct {
	path  string
	dirfd int
	name  string
	dev   uint64
	ino   uint64
}

// Track records the file now at path, which the caller has just made, so
// that Remove can later remove it and only it.
func Track(path string) (*Entry, error) {
	dirfd, err := openDir(filepath.Dir(path))
	if err != nil {
		return nil, err
	}
	e := &Entry{path: path, dirfd: dirfd, name: filepath.Base(path)}
	var st unix.Stat_t
	if err := unix.Fstatat(dirfd, e.name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		unix.Close(dirfd)
		return nil, &os.PathError{Op: "stat", Path: path, Err: err}
	}
	e.dev, e.ino = st.Dev, st.Ino
	return e, nil
}

// openDir opens dir for *at calls only.
func openDir(dir string) (int, error) {
	fd, err := unix.Open(dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, &os.PathError{Op: "open", Path: dir, Err: err}
	}
	return fd, nil
}

// Path returns the path the entry was made at.
func (e *Entry) Path() string { return e.path }

// Ours reports whether the entry's name, in the directory it was made in,
// still names the file that was made.
func (e *Entry) Ours() bool {
	var st unix.Stat_t
	err := unix.Fstatat(e.dirfd, e.name, &st, unix.AT_SYMLINK_NOFOLLOW)
	return err == nil && st.Dev == e.dev && st.Ino == e.ino
}

// Remove removes the entry if it is still the file that was made, and
// releases the directory. Anything else found at the name is left alone
// and reported. It is safe to call more than once.
func (e *Entry) Remove() error {
	if e.dirfd < 0 {
		return nil
	}
	defer func() { unix.Close(e.dirfd); e.dirfd = -1 }()
	if !e.Ours() {
		return fmt.Errorf("%s was replaced by another file since it was created: leaving it", e.path)
	}
	if err := unix.Unlinkat(e.dirfd, e.name, 0); err != nil && !errors.Is(err, unix.ENOENT) {
		return &os.PathError{Op: "remove", Path: e.path, Err: err}
	}
	return nil
}
