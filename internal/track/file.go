package track

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/gokeepalived/gokeepalived/internal/runfile"
)

// ParseFileValue reads a track_file's content as keepalived does with
// strtol(buf, NULL, 0): leading white space, an optional sign, then a
// decimal, 0x-prefixed hexadecimal or 0-prefixed octal number, stopping at
// the first other character. Anything unreadable is 0. The result is
// clamped to [-254, 254].
func ParseFileValue(b []byte) int {
	i := 0
	for i < len(b) && (b[i] == ' ' || (b[i] >= '\t' && b[i] <= '\r')) {
		i++
	}
	neg := false
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		neg = b[i] == '-'
		i++
	}
	base := 10
	switch {
	case i+2 < len(b) && b[i] == '0' && (b[i+1] == 'x' || b[i+1] == 'X') && digit(b[i+2], 16) >= 0:
		base, i = 16, i+2
	case i < len(b) && b[i] == '0':
		base = 8
	}
	v := 0
	for ; i < len(b); i++ {
		d := digit(b[i], base)
		if d < 0 {
			break
		}
		if v = v*base + d; v > 254 {
			v = 255 // saturate: clamped below anyway
		}
	}
	if neg {
		v = -v
	}
	return min(max(v, -254), 254)
}

func digit(c byte, base int) int {
	d := -1
	switch {
	case c >= '0' && c <= '9':
		d = int(c - '0')
	case c >= 'a' && c <= 'f':
		d = int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		d = int(c-'A') + 10
	}
	if d >= base {
		return -1
	}
	return d
}

// ReadFileValue reads a track file's value from its first 127 bytes.
// A missing or unreadable file reads as 0, as in keepalived; err says why.
func ReadFileValue(path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("read track file %s: %w", path, err)
	}
	defer f.Close()
	buf := make([]byte, 127)
	n, err := f.Read(buf)
	if n == 0 && err != nil {
		return 0, nil // empty file
	}
	return ParseFileValue(buf[:n]), nil
}

// InitFile implements `init_file [VALUE] [overwrite]`: it writes VALUE and
// a newline to path when the file does not exist, or always with overwrite.
// An existing path that is not a regular file is an error. As keepalived's
// fopen_safe, it writes a new file (mode 0644) renamed over path, so a
// symlink at path (even a dangling one) is replaced, never written through.
func InitFile(path string, value int, overwrite bool) error {
	st, err := os.Stat(path)
	switch {
	case err == nil && !st.Mode().IsRegular():
		return fmt.Errorf("init track file %s: not a regular file", path)
	case err == nil && !overwrite:
		return nil
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("init track file %s: %w", path, err)
	}
	write := func(w io.Writer) error { _, err := fmt.Fprintf(w, "%d\n", value); return err }
	if err := runfile.Replace(path, 0o644, write); err != nil {
		return fmt.Errorf("init track file %s: %w", path, err)
	}
	return nil
}

// FileWatcher watches track files with inotify and reports every value
// change. It watches each file's directory (for close-after-write, delete
// and rename), so a file created later, replaced by a rename or deleted
// (value 0) is seen too.
type FileWatcher struct {
	fd     int
	log    *slog.Logger
	files  map[int]map[string]string // watch descriptor → base name → track file name
	values map[string]int            // track file name → last value
	paths  map[string]string         // track file name → path
}

// NewFileWatcher starts watching files (track file name → path) and
// returns the watcher with every file's current value read. A file whose
// directory does not exist is an error naming it; a missing file reads as
// 0 and is logged.
func NewFileWatcher(files map[string]string, log *slog.Logger) (*FileWatcher, error) {
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC | unix.IN_NONBLOCK)
	if err != nil {
		return nil, fmt.Errorf("watch track files: inotify: %w", err)
	}
	w := &FileWatcher{fd: fd, log: log, files: map[int]map[string]string{}, values: map[string]int{}, paths: map[string]string{}}
	for name, path := range files {
		abs, err := filepath.Abs(path)
		if err != nil {
			w.Close()
			return nil, fmt.Errorf("track file %s: %w", name, err)
		}
		dir := filepath.Dir(abs)
		wd, err := unix.InotifyAddWatch(fd, dir, unix.IN_CLOSE_WRITE|unix.IN_DELETE|unix.IN_MOVE)
		if err != nil {
			w.Close()
			return nil, fmt.Errorf("track file %s: watch directory %s: %w", name, dir, err)
		}
		if w.files[wd] == nil {
			w.files[wd] = map[string]string{}
		}
		w.files[wd][filepath.Base(abs)] = name
		w.paths[name] = abs
		v, err := ReadFileValue(abs)
		if err != nil {
			log.Warn("track file cannot be read; its value is 0 until it is written", "track_file", name, "err", err)
		}
		w.values[name] = v
	}
	return w, nil
}

// Value returns the last value read for track file name.
func (w *FileWatcher) Value(name string) int { return w.values[name] }

// Run reports each change of a file's value as onChange(name, value) until
// ctx is done; it then closes the watcher.
func (w *FileWatcher) Run(ctx context.Context, onChange func(name string, value int)) error {
	defer w.Close()
	// Wake poll when ctx ends.
	efd, err := unix.Eventfd(0, unix.EFD_CLOEXEC)
	if err != nil {
		return fmt.Errorf("watch track files: eventfd: %w", err)
	}
	defer unix.Close(efd)
	stop := context.AfterFunc(ctx, func() { _, _ = unix.Write(efd, []byte{1, 0, 0, 0, 0, 0, 0, 0}) })
	defer stop()
	buf := make([]byte, 64*(unix.SizeofInotifyEvent+unix.NAME_MAX+1))
	for {
		pfd := []unix.PollFd{{Fd: int32(w.fd), Events: unix.POLLIN}, {Fd: int32(efd), Events: unix.POLLIN}}
		if _, err := unix.Poll(pfd, -1); err != nil && !errors.Is(err, unix.EINTR) {
			return fmt.Errorf("watch track files: poll: %w", err)
		}
		if ctx.Err() != nil {
			return nil
		}
		n, err := unix.Read(w.fd, buf)
		if errors.Is(err, unix.EAGAIN) || errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return fmt.Errorf("watch track files: read: %w", err)
		}
		w.handle(buf[:n], onChange)
	}
}

func (w *FileWatcher) handle(b []byte, onChange func(string, int)) {
	for len(b) >= unix.SizeofInotifyEvent {
		ev := (*unix.InotifyEvent)(unsafe.Pointer(&b[0]))
		end := unix.SizeofInotifyEvent + int(ev.Len)
		if end > len(b) {
			return
		}
		base := string(b[unix.SizeofInotifyEvent:end])
		for len(base) > 0 && base[len(base)-1] == 0 {
			base = base[:len(base)-1]
		}
		b = b[end:]
		name, ok := w.files[int(ev.Wd)][base]
		if !ok || ev.Mask&unix.IN_ISDIR != 0 {
			continue
		}
		v := 0
		if ev.Mask&(unix.IN_DELETE|unix.IN_MOVED_FROM) == 0 {
			var err error
			if v, err = ReadFileValue(w.paths[name]); err != nil {
				w.log.Warn("track file cannot be read; value 0", "track_file", name, "err", err)
			}
		}
		if v != w.values[name] {
			w.values[name] = v
			onChange(name, v)
		}
	}
}

// Close stops watching.
func (w *FileWatcher) Close() {
	if w.fd >= 0 {
		unix.Close(w.fd)
		w.fd = -1
	}
}
