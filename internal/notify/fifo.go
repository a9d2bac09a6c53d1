package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"

	"github.com/gokeepalived/gokeepalived/internal/runfile"
	"github.com/gokeepalived/gokeepalived/internal/track"
)

// FIFO is one notify FIFO (notify_fifo or vrrp_notify_fifo) and its
// optional *_fifo_script reader.
//
// It is opened read-write and non-blocking, as keepalived opens it: the
// open never waits for a reader, and a write to a FIFO nobody drains fails
// at once with EAGAIN once the pipe buffer (64 KiB) is full; the line is
// then dropped and counted, and the daemon is never blocked. Lines are
// shorter than PIPE_BUF, so each is written whole or not at all.
type FIFO struct {
	path    string
	fd      int
	created *runfile.Entry // the FIFO we made, removed by Close; nil if it existed
	log     *slog.Logger
	dropped atomic.Uint64
	mu      sync.Mutex // serialises writes and Close

	scriptStop context.CancelFunc
	scriptDone chan struct{}
}

// OpenFIFO creates path as a FIFO (mode 0644, owned by owner when given)
// unless it exists, and opens it. An existing path must be a FIFO owned by
// us or by owner; anything else is refused.
func OpenFIFO(path string, owner *track.Credential, log *slog.Logger) (*FIFO, error) {
	f := &FIFO{path: path, fd: -1, log: log.With("fifo", path)}
	err := unix.Mkfifo(path, 0o644)
	switch {
	case err == nil:
		if f.created, err = runfile.Track(path); err != nil {
			return nil, fmt.Errorf("create notify fifo %s: %w", path, err)
		}
		if owner != nil {
			if err := unix.Chown(path, int(owner.UID), int(owner.GID)); err != nil {
				f.log.Warn("cannot set owner of notify fifo", "err", err)
			}
		}
	case errors.Is(err, unix.EEXIST):
	default:
		return nil, fmt.Errorf("create notify fifo %s: %w", path, err)
	}
	fd, err := unix.Open(path, unix.O_RDWR|unix.O_NONBLOCK|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		f.unlink()
		return nil, fmt.Errorf("open notify fifo %s: %w", path, err)
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil || st.Mode&unix.S_IFMT != unix.S_IFIFO ||
		(st.Uid != uint32(unix.Geteuid()) && (owner == nil || st.Uid != owner.UID)) {
		unix.Close(fd)
		f.unlink()
		return nil, fmt.Errorf("open notify fifo %s: not a fifo we own", path)
	}
	f.fd = fd
	return f, nil
}

// Path returns the FIFO's path.
func (f *FIFO) Path() string { return f.path }

// Dropped returns how many lines could not be written (FIFO full).
func (f *FIFO) Dropped() uint64 { return f.dropped.Load() }

// WriteLine writes one line without blocking and reports whether it was
// written; a full FIFO drops the line and counts it.
func (f *FIFO) WriteLine(line string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fd < 0 {
		f.dropped.Add(1)
		return false
	}
	for {
		_, err := unix.Write(f.fd, []byte(line))
		switch {
		case err == nil:
			return true
		case errors.Is(err, unix.EINTR):
			continue
		}
		if n := f.dropped.Add(1); n == 1 || n%1000 == 0 {
			f.log.Warn("notify fifo is full, nobody reads it; dropping lines", "dropped", n, "err", err)
		}
		return false
	}
}

// StartScript starts s with the FIFO's path appended as its last argument,
// as keepalived runs notify_fifo_script; it runs until StopScript.
func (f *FIFO) StartScript(s Script, exec track.Execer) {
	ctx, cancel := context.WithCancel(context.Background())
	f.scriptStop, f.scriptDone = cancel, make(chan struct{})
	sc := s.With(f.path)
	go func() {
		defer close(f.scriptDone)
		o := exec.Exec(ctx, track.Command{Script: sc})
		if ctx.Err() == nil {
			f.log.Warn("notify fifo script ended", "script", sc.Path(), "result", o.String())
		}
	}()
}

// StopScript sends SIGTERM to the FIFO script's process group (SIGKILL
// after track.KillGrace) and waits for it to end. keepalived does this on
// stop and reload before writing the final lines, which the script is
// expected to drain.
func (f *FIFO) StopScript() {
	if f.scriptStop == nil {
		return
	}
	f.scriptStop()
	<-f.scriptDone
	f.scriptStop = nil
}

// Close stops the script, removes the FIFO if we created it and it is
// still that FIFO (first, so a reader that reopens in a loop cannot find
// it again) and closes it.
func (f *FIFO) Close() error {
	f.StopScript()
	f.mu.Lock()
	defer f.mu.Unlock()
	f.unlink()
	if f.fd < 0 {
		return nil
	}
	err := unix.Close(f.fd)
	f.fd = -1
	return err
}

// unlink removes the FIFO if we made it and it is still the one we made:
// a file put at the path since is left alone.
func (f *FIFO) unlink() {
	if f.created != nil {
		if err := f.created.Remove(); err != nil {
			f.log.Warn("notify fifo", "err", err)
		}
		f.created = nil
	}
}
