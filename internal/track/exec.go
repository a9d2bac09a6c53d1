package track

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"
)

// KillGrace is how long a timed-out script has between SIGTERM and SIGKILL
// to its process group (keepalived waits 2 s).
const KillGrace = 2 * time.Second

// DefaultOutputLimit bounds the bytes of a script's stdout and stderr kept
// in an Outcome; the rest is read and counted, never stored.
const DefaultOutputLimit = 4096

// Credential is the user a script runs as. A nil *Credential means "as the
// daemon's own user".
type Credential struct {
	UID    uint32
	GID    uint32
	Groups []uint32 // supplementary groups; empty clears them
}

// Command is one script invocation. Its Script must come from a Gate:
// Exec refuses anything else.
type Command struct {
	Script  Checked       // program, arguments (never run through a shell) and user
	Timeout time.Duration // 0: no timeout
	// OutputLimit bounds the kept output; 0 means DefaultOutputLimit.
	OutputLimit int
}

// Outcome is how a Command ended.
type Outcome struct {
	ExitCode int            // exit status, or -1 when killed by a signal or not started
	Signal   syscall.Signal // the signal that ended it, if any
	TimedOut bool           // we killed it at its timeout
	Err      error          // the command could not be started (missing, not executable, ...)
	Output   []byte         // first OutputLimit bytes of stdout+stderr
	Dropped  int64          // output bytes read beyond OutputLimit and discarded
	Pid      int            // process id (also the process group id) of the started script
	Took     time.Duration  // how long the run took (set by Runner)
}

// OK reports whether the script ran and exited 0. A timeout, a signal, a
// non-zero status or a failure to start are all failures, as in keepalived.
func (o Outcome) OK() bool { return o.Err == nil && !o.TimedOut && o.Signal == 0 && o.ExitCode == 0 }

// String describes the outcome for logs: "exit 0", "exit 3", "signal killed",
// "timed out", or the start error.
func (o Outcome) String() string {
	switch {
	case o.Err != nil:
		return o.Err.Error()
	case o.TimedOut:
		return "timed out"
	case o.Signal != 0:
		return "signal " + o.Signal.String()
	}
	return fmt.Sprintf("exit %d", o.ExitCode)
}

// Execer runs a Command to completion. The real one is Exec; tests inject
// fakes.
type Execer interface {
	Exec(ctx context.Context, c Command) Outcome
}

// ExecFunc adapts a function to Execer.
type ExecFunc func(ctx context.Context, c Command) Outcome

// Exec calls f.
func (f ExecFunc) Exec(ctx context.Context, c Command) Outcome { return f(ctx, c) }

// OSExec is the Execer that runs real processes; see Exec.
var OSExec Execer = ExecFunc(Exec)

// Exec runs c as keepalived runs a script: directly (no shell; a file
// without a #! line is handed to /bin/sh as execvp does), in its own process
// group, with the parent-death signal set to SIGTERM, stdin on /dev/null,
// the daemon's environment minus IFS, LD_PRELOAD and LD_LIBRARY_PATH, as
// c.Script.Cred() when given. At c.Timeout the whole group gets SIGTERM, and SIGKILL
// KillGrace later if it is still there; a group whose leader died of our
// SIGTERM is SIGKILLed at once so no child survives. Cancelling ctx kills
// the group the same way. stdout and stderr are drained into a bounded
// buffer so a flood cannot grow memory.
func Exec(ctx context.Context, c Command) Outcome {
	sc := c.Script
	if !sc.Valid() || sc.fake || len(sc.argv) == 0 {
		return Outcome{ExitCode: -1, Err: errors.New("script was not passed by the script security gate; not run")}
	}
	limit := c.OutputLimit
	if limit <= 0 {
		limit = DefaultOutputLimit
	}
	out := &boundedBuffer{limit: limit}
	r, w, err := os.Pipe()
	if err != nil {
		return Outcome{ExitCode: -1, Err: fmt.Errorf("start %s: output pipe: %w", sc.path, err)}
	}
	cmd := newCmd(sc.cred, sc.path, sc.argv, w)
	err = spawn(cmd)
	if errors.Is(err, syscall.ENOEXEC) {
		// No #! line: run it with the shell, as execvp(3) does.
		cmd = newCmd(sc.cred, "/bin/sh", append([]string{"/bin/sh", sc.path}, sc.argv[1:]...), w)
		err = spawn(cmd)
	}
	w.Close() // the child has its copy
	if err != nil {
		r.Close()
		return Outcome{ExitCode: -1, Err: fmt.Errorf("start %s: %w", sc.path, err)}
	}
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		_, _ = io.Copy(out, r)
	}()
	pid := cmd.Process.Pid
	done := make(chan struct{})
	killed := make(chan bool, 1) // true once we sent SIGTERM for a timeout
	go watchdog(ctx, pid, c.Timeout, done, killed)
	waitErr := cmd.Wait()
	close(done)
	timedOut := <-killed
	if timedOut {
		// Whatever the leader did, leave nothing of its group behind.
		_ = syscall.Kill(-pid, syscall.SIGKILL)
	}
	// A child that left the group may keep the pipe open: stop reading
	// after a second rather than wait for it.
	select {
	case <-drained:
	case <-time.After(time.Second):
	}
	r.Close()
	<-drained
	o := Outcome{ExitCode: -1, TimedOut: timedOut, Pid: pid}
	o.Output, o.Dropped = out.result()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok {
		switch {
		case ws.Exited():
			o.ExitCode = ws.ExitStatus()
		case ws.Signaled():
			o.Signal = ws.Signal()
		}
	} else if waitErr != nil {
		o.Err = fmt.Errorf("wait %s: %w", sc.path, waitErr)
	}
	return o
}

// newCmd executes path (always a full path: exec.Cmd does no PATH
// search) with argv, as cred.
func newCmd(cred *Credential, path string, argv []string, out *os.File) *exec.Cmd {
	cmd := &exec.Cmd{Path: path, Args: argv, Env: scriptEnv(os.Environ())}
	cmd.Stdout, cmd.Stderr = out, out
	attr := &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if cred != nil {
		attr.Credential = &syscall.Credential{Uid: cred.UID, Gid: cred.GID, Groups: cred.Groups}
		if cred.Groups == nil {
			attr.Credential.Groups = []uint32{}
		}
	}
	cmd.SysProcAttr = attr
	return cmd
}

// scriptEnv drops the variables keepalived removes before exec.
func scriptEnv(env []string) []string {
	out := env[:0:0]
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		switch name {
		case "IFS", "LD_PRELOAD", "LD_LIBRARY_PATH":
			continue
		}
		out = append(out, kv)
	}
	return out
}

// watchdog enforces the timeout and ctx cancellation for process group pid.
// It sends exactly one value on killed.
func watchdog(ctx context.Context, pid int, timeout time.Duration, done <-chan struct{}, killed chan<- bool) {
	var expire <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(timeout)
		defer t.Stop()
		expire = t.C
	}
	select {
	case <-done:
		killed <- false
		return
	case <-expire:
	case <-ctx.Done():
	}
	_ = syscall.Kill(-pid, syscall.SIGTERM)
	killed <- true
	grace := time.NewTimer(KillGrace)
	defer grace.Stop()
	select {
	case <-done:
	case <-grace.C:
		_ = syscall.Kill(-pid, syscall.SIGKILL)
	}
}

// spawn starts cmd from one OS thread that never exits. The parent-death
// signal fires when the *thread* that forked the child exits, and other
// packages end threads on purpose (network-namespace work), so forking from
// an arbitrary thread could SIGTERM a healthy script.
func spawn(cmd *exec.Cmd) error {
	spawnOnce.Do(func() { go spawnLoop() })
	req := spawnReq{cmd: cmd, err: make(chan error, 1)}
	spawnCh <- req
	return <-req.err
}

type spawnReq struct {
	cmd *exec.Cmd
	err chan error
}

var (
	spawnOnce sync.Once
	spawnCh   = make(chan spawnReq)
)

func spawnLoop() {
	runtime.LockOSThread() // never unlocked: this thread lives as long as the process
	for r := range spawnCh {
		r.err <- r.cmd.Start()
	}
}

// boundedBuffer keeps the first limit bytes written and counts the rest.
type boundedBuffer struct {
	mu      sync.Mutex
	limit   int
	buf     []byte
	dropped int64
}

func (b *boundedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	room := b.limit - len(b.buf)
	if room > 0 {
		n := min(room, len(p))
		b.buf = append(b.buf, p[:n]...)
		b.dropped += int64(len(p) - n)
	} else {
		b.dropped += int64(len(p))
	}
	return len(p), nil
}

func (b *boundedBuffer) result() ([]byte, int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf, b.dropped
}
