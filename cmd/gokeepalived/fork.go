package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// envDaemonized marks the background child of a daemon that forked; its
// fd 3 is then the write end of the pipe its parent waits on.
const envDaemonized = "GOKEEPALIVED_DAEMONIZED"

// startReportFD is the child's end of the start-report pipe.
const startReportFD = 3

// startWait bounds how long the parent waits for the background daemon to
// report; after that it leaves it starting and exits 0 (a
// vrrp_startup_delay does not hold the report back: ready comes first).
var startWait = 90 * time.Second

// readyLine is what the child writes when every instance has started.
const readyLine = "READY\n"

// daemonize starts this program again with the same arguments in a new
// session, detached from the terminal, and waits until it reports that it
// is running (exit 0) or it fails to start: then its error goes to stderr
// and its exit code is ours, as keepalived's parent exits 6 for a missing
// configuration.
func daemonize() int {
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintf(os.Stderr, "gokeepalived: %v\n", err)
		return exitFatal
	}
	r, w, err := os.Pipe()
	if err != nil {
		fmt.Fprintf(os.Stderr, "gokeepalived: %v\n", err)
		return exitFatal
	}
	defer r.Close()
	cmd := exec.Command(exe, os.Args[1:]...)
	cmd.Env = append(os.Environ(), envDaemonized+"=1")
	cmd.ExtraFiles = []*os.File{w} // fd 3
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	err = cmd.Start()
	w.Close()
	if err != nil {
		fmt.Fprintf(os.Stderr, "gokeepalived: start in background: %v\n", err)
		return exitFatal
	}
	return awaitStart(cmd, r, os.Stderr)
}

// awaitStart reads the child's report from r: readyLine means it runs;
// anything else, or the pipe closing without it, means it failed, and its
// exit status is returned with its message written to stderr.
func awaitStart(cmd *exec.Cmd, r *os.File, stderr io.Writer) int {
	r.SetReadDeadline(time.Now().Add(startWait))
	msg, err := io.ReadAll(io.LimitReader(r, 64<<10))
	if bytes.HasPrefix(msg, []byte(readyLine)) {
		cmd.Process.Release()
		return 0
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		fmt.Fprintf(stderr, "gokeepalived: still starting after %s; left running in the background as pid %d\n", startWait, cmd.Process.Pid)
		cmd.Process.Release()
		return 0
	}
	werr := cmd.Wait()
	code := exitFatal
	var ee *exec.ExitError
	if errors.As(werr, &ee) && ee.ExitCode() > 0 {
		code = ee.ExitCode()
	}
	if len(msg) > 0 {
		stderr.Write(msg)
	} else {
		fmt.Fprintf(stderr, "gokeepalived: the background daemon ended before it was ready (%v)\n", werr)
	}
	return code
}

// startReport is the background child's side of the pipe: ready or
// failed, whichever comes first, is sent once; both do nothing when the
// process was not started by daemonize.
type startReport struct {
	mu sync.Mutex
	f  *os.File
}

// openStartReport takes fd 3 when this process is the child of
// daemonize and fd 3 is a pipe (never a file that happened to be there).
func openStartReport() *startReport {
	rep := &startReport{}
	if os.Getenv(envDaemonized) == "" {
		return rep
	}
	// Scripts the daemon runs must not inherit the mark: a daemon they
	// start would take itself for a forked child.
	os.Unsetenv(envDaemonized)
	var st unix.Stat_t
	if unix.Fstat(startReportFD, &st) != nil || st.Mode&unix.S_IFMT != unix.S_IFIFO {
		return rep
	}
	unix.CloseOnExec(startReportFD) // scripts must not hold the parent waiting
	rep.f = os.NewFile(startReportFD, "start-report")
	return rep
}

func (r *startReport) send(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.f == nil {
		return
	}
	r.f.WriteString(s)
	r.f.Close()
	r.f = nil
}

// ready tells the parent the daemon runs.
func (r *startReport) ready() { r.send(readyLine) }

// failed gives the parent the reason the daemon could not start.
func (r *startReport) failed(err error) {
	r.send("gokeepalived: " + strings.TrimSuffix(err.Error(), "\n") + "\n")
}
