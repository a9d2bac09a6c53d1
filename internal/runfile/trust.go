package runfile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/sys/unix"
)

// maxLinks bounds the symlinks followed while checking one path, as the
// kernel's ELOOP limit does.
const maxLinks = 40

// UntrustedError says why a path is refused: a component that a user other
// than the trusted ones could change.
type UntrustedError struct {
	// Path is the component at fault.
	Path string
	// Why is what is wrong with it ("is writable by everyone", ...).
	Why string
	// Fix is the command or change that makes it acceptable.
	Fix string
}

// Error returns the component, the reason and the fix.
func (e *UntrustedError) Error() string {
	return fmt.Sprintf("%s %s, so another user could swap what is inside (%s)", e.Path, e.Why, e.Fix)
}

// Trusted returns the users whose files the current process may rely on:
// root, and the process's own user when it is not root.
func Trusted() []uint32 {
	euid := uint32(os.Geteuid())
	if euid == 0 {
		return []uint32{0}
	}
	return []uint32{0, euid}
}

// CheckDir checks that dir is a directory that only the trusted users can
// change: dir and every directory above it (following symlinks, each of
// which must be owned by a trusted user too) are owned by a trusted user
// and are not writable by group or others unless sticky. It returns the
// directory with every symlink resolved.
func CheckDir(dir string, trusted []uint32) (string, error) {
	real, st, err := walk(dir, trusted)
	if err != nil {
		return "", err
	}
	if st.Mode&unix.S_IFMT != unix.S_IFDIR {
		return "", fmt.Errorf("%s: not a directory", real)
	}
	return real, nil
}

// CheckPath checks path as CheckDir checks a directory, and also its last
// element, which must exist and be owned by a trusted user. It returns the
// resolved path and the element's stat.
func CheckPath(path string, trusted []uint32) (string, *unix.Stat_t, error) {
	return walk(path, trusted)
}

// walk resolves path component by component, as the kernel does, checking
// each directory and symlink it passes and the last element.
func walk(path string, trusted []uint32) (string, *unix.Stat_t, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", nil, err
	}
	cur := "/"
	var st unix.Stat_t
	if err := checkEntry(cur, &st, trusted); err != nil {
		return "", nil, err
	}
	pending := splitPath(abs)
	links := 0
	for len(pending) > 0 {
		c := pending[0]
		pending = pending[1:]
		switch c {
		case "", ".":
			continue
		case "..":
			cur = filepath.Dir(cur)
			continue
		}
		if st.Mode&unix.S_IFMT != unix.S_IFDIR {
			return "", nil, fmt.Errorf("%s: not a directory", cur)
		}
		next := filepath.Join(cur, c)
		if err := checkEntry(next, &st, trusted); err != nil {
			return "", nil, err
		}
		if st.Mode&unix.S_IFMT != unix.S_IFLNK {
			cur = next
			continue
		}
		if links++; links > maxLinks {
			return "", nil, fmt.Errorf("%s: too many levels of symbolic links", abs)
		}
		target, err := os.Readlink(next)
		if err != nil {
			return "", nil, err
		}
		if filepath.IsAbs(target) {
			cur = "/"
		}
		pending = append(splitPath(target), pending...)
		// cur is the symlink's directory again, which was checked.
		if err := unix.Lstat(cur, &st); err != nil {
			return "", nil, &os.PathError{Op: "lstat", Path: cur, Err: err}
		}
	}
	return cur, &st, nil
}

func splitPath(p string) []string {
	return strings.Split(strings.Trim(p, "/"), "/")
}

// checkEntry lstats p into st and refuses it when an untrusted user owns
// it or, for a directory, when others may write it without the sticky bit.
func checkEntry(p string, st *unix.Stat_t, trusted []uint32) error {
	if err := unix.Lstat(p, st); err != nil {
		return &os.PathError{Op: "lstat", Path: p, Err: err}
	}
	if !slices.Contains(trusted, st.Uid) {
		return &UntrustedError{Path: p, Why: fmt.Sprintf("is owned by uid %d", st.Uid),
			Fix: fmt.Sprintf("it must belong to %s", ownerNames(trusted))}
	}
	if st.Mode&unix.S_IFMT == unix.S_IFDIR && st.Mode&0o022 != 0 && st.Mode&unix.S_ISVTX == 0 {
		who := "everyone"
		if st.Mode&0o002 == 0 {
			who = fmt.Sprintf("group %d", st.Gid)
		}
		return &UntrustedError{Path: p, Why: fmt.Sprintf("is writable by %s (mode %04o)", who, st.Mode&0o7777),
			Fix: "chmod go-w " + p}
	}
	return nil
}

func ownerNames(trusted []uint32) string {
	var s []string
	for _, u := range trusted {
		if u == 0 {
			s = append(s, "root")
		} else {
			s = append(s, fmt.Sprintf("uid %d", u))
		}
	}
	return strings.Join(s, " or ")
}

// MakeDir creates dir (and missing parents) with mode 0755 whatever the
// umask, then checks it as CheckDir does for the trusted users. It
// returns the resolved directory.
func MakeDir(dir string, trusted []uint32) (string, error) {
	if err := mkdirAll(dir); err != nil {
		return "", err
	}
	return CheckDir(dir, trusted)
}

func mkdirAll(dir string) error {
	if fi, err := os.Stat(dir); err == nil {
		if !fi.IsDir() {
			return fmt.Errorf("%s: not a directory", dir)
		}
		return nil
	}
	if parent := filepath.Dir(dir); parent != dir {
		if err := mkdirAll(parent); err != nil {
			return err
		}
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		if errors.Is(err, os.ErrExist) {
			return nil
		}
		return err
	}
	// Mkdir is subject to the umask; a loose umask must not make a
	// directory others can write.
	return os.Chmod(dir, 0o755)
}
