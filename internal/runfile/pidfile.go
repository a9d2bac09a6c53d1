package runfile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// RunningError is returned by WritePID when another live daemon holds the
// pid file.
type RunningError struct {
	Path string
	PID  int // 0 when the holder's pid could not be read
}

// Error names the pid file and the daemon holding it.
func (e *RunningError) Error() string {
	if e.PID == 0 {
		return fmt.Sprintf("daemon is already running (pid file %s is locked)", e.Path)
	}
	return fmt.Sprintf("daemon is already running (pid %d, pid file %s)", e.PID, e.Path)
}

// PIDFile is a pid file the daemon holds: open, locked (an open file
// description lock, as keepalived takes) and removed by Close.
type PIDFile struct {
	f     *os.File
	entry *Entry
}

// WritePID creates or takes over the pid file at path and writes our pid
// in it. The directory is made if missing and must be one only trusted
// users can change; the file is opened without following a symlink and
// must be a regular file of ours. It fails with a *RunningError when a
// live daemon holds the file: one that has it locked, or (for a file
// written without a lock) one running this same executable.
func WritePID(path string, trusted []uint32) (*PIDFile, error) {
	dir, err := MakeDir(filepath.Dir(path), trusted)
	if err != nil {
		return nil, fmt.Errorf("pid file %s: %w", path, err)
	}
	dirfd, err := openDir(dir)
	if err != nil {
		return nil, fmt.Errorf("pid file %s: %w", path, err)
	}
	for range 10 {
		p, retry, err := tryPID(path, dirfd)
		if !retry {
			if err != nil {
				unix.Close(dirfd)
			}
			return p, err
		}
	}
	unix.Close(dirfd)
	return nil, fmt.Errorf("pid file %s: keeps being replaced", path)
}

// tryPID is one attempt of WritePID; retry asks for another when the file
// was replaced between open and lock.
func tryPID(path string, dirfd int) (p *PIDFile, retry bool, err error) {
	name := filepath.Base(path)
	fd, err := unix.Openat(dirfd, name, unix.O_RDWR|unix.O_CREAT|unix.O_NOFOLLOW|unix.O_NONBLOCK|unix.O_CLOEXEC, 0o644)
	if err != nil {
		if errors.Is(err, unix.ELOOP) {
			return nil, false, fmt.Errorf("pid file %s is a symlink: refusing to follow it", path)
		}
		return nil, false, &os.PathError{Op: "open", Path: path, Err: err}
	}
	f := os.NewFile(uintptr(fd), path)
	fail := func(err error) (*PIDFile, bool, error) { f.Close(); return nil, false, err }
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return fail(err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG || st.Uid != uint32(os.Geteuid()) {
		return fail(fmt.Errorf("pid file %s: not a regular file of ours (uid %d, mode %o): refusing it", path, st.Uid, st.Mode))
	}
	lk := unix.Flock_t{Type: unix.F_WRLCK, Whence: 0}
	if err := unix.FcntlFlock(uintptr(fd), unix.F_OFD_SETLK, &lk); err != nil {
		if errors.Is(err, unix.EAGAIN) || errors.Is(err, unix.EACCES) {
			return fail(&RunningError{Path: path, PID: readPID(f)})
		}
		return fail(fmt.Errorf("lock pid file %s: %w", path, err))
	}
	var now unix.Stat_t
	if err := unix.Fstatat(dirfd, name, &now, unix.AT_SYMLINK_NOFOLLOW); err != nil || now.Dev != st.Dev || now.Ino != st.Ino {
		f.Close()
		return nil, true, nil
	}
	// A daemon of a version that did not lock still counts.
	if pid := readPID(f); pid > 0 && pid != os.Getpid() && SameExecutable(pid) {
		return fail(&RunningError{Path: path, PID: pid})
	}
	if err := f.Truncate(0); err != nil {
		return fail(err)
	}
	if _, err := f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0); err != nil {
		return fail(err)
	}
	if err := f.Chmod(0o644); err != nil {
		return fail(err)
	}
	// The entry keeps dirfd (WritePID closes it only on failure).
	return &PIDFile{f: f, entry: &Entry{path: path, dirfd: dirfd, name: name, dev: st.Dev, ino: st.Ino}}, false, nil
}

func readPID(f *os.File) int {
	b := make([]byte, 32)
	n, _ := f.ReadAt(b, 0)
	pid, err := strconv.Atoi(strings.TrimSpace(string(b[:n])))
	if err != nil || pid <= 0 {
		return 0
	}
	return pid
}

// Path returns the pid file's path.
func (p *PIDFile) Path() string { return p.entry.path }

// Close removes the pid file, if it is still the one written, and
// releases the lock.
func (p *PIDFile) Close() error {
	err := p.entry.Remove()
	p.f.Close()
	return err
}

// SameExecutable reports whether process pid runs the program this
// process runs: the same file (device and inode), or, when that file was
// replaced since (an upgrade), the same path. The process name is not
// looked at: it can be anything (a symlink named keepalived, prctl).
func SameExecutable(pid int) bool {
	var ours, theirs unix.Stat_t
	if unix.Stat("/proc/self/exe", &ours) == nil &&
		unix.Stat(fmt.Sprintf("/proc/%d/exe", pid), &theirs) == nil &&
		ours.Dev == theirs.Dev && ours.Ino == theirs.Ino {
		return true
	}
	self, err1 := os.Readlink("/proc/self/exe")
	other, err2 := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid))
	if err1 != nil || err2 != nil {
		return false
	}
	return strings.TrimSuffix(self, " (deleted)") == strings.TrimSuffix(other, " (deleted)")
}

// WritePIDs writes and locks every distinct non-empty path of paths (as
// WritePID, trusting Trusted's owners). One that fails closes those
// already written and stops. release closes them all and hands what fails
// to warn.
func WritePIDs(paths []string, warn func(msg string, args ...any)) (release func(), err error) {
	var pids []*PIDFile
	release = func() {
		for _, p := range pids {
			if err := p.Close(); err != nil {
				warn("pid file", "err", err)
			}
		}
	}
	var seen []string
	for _, path := range paths {
		if path == "" || slices.Contains(seen, path) {
			continue
		}
		seen = append(seen, path)
		p, err := WritePID(path, Trusted())
		if err != nil {
			release()
			return nil, err
		}
		pids = append(pids, p)
	}
	return release, nil
}
