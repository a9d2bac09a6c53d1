package e2e

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gokeepalived/gokeepalived/internal/control"
)

// nodeStatus reads n's snapshot over its control socket.
func nodeStatus(t *testing.T, n *node) control.Snapshot {
	t.Helper()
	return (&gkDaemon{n: n}).status(t)
}

// waitInstance waits until instance name on n is in state with the given
// effective priority (prio < 0: any).
func waitInstance(t *testing.T, n *node, name string, state control.State, prio int, limit time.Duration) {
	t.Helper()
	eventually(t, limit, sprintf("%s %s %s prio %d", n.host.Name, name, state, prio), func() (bool, string) {
		s := nodeStatus(t, n)
		in, ok := s.Instance(name)
		if !ok {
			return false, "no such instance"
		}
		got := sprintf("%s prio %d", in.State, in.EffectivePriority)
		return in.State == state && (prio < 0 || in.EffectivePriority == prio), got
	})
}

// writeScript writes an executable shell script into dir.
func writeScript(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// writeValue writes a track_file's content.
func writeValue(t *testing.T, path, v string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(v+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

// readLines returns the lines of a file (none when it does not exist).
func readLines(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	s := strings.TrimRight(string(b), "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// waitLines waits until path has at least n lines and returns them.
func waitLines(t *testing.T, path string, n int, limit time.Duration) []string {
	t.Helper()
	var got []string
	eventually(t, limit, sprintf("%d lines in %s", n, filepath.Base(path)), func() (bool, string) {
		got = readLines(t, path)
		return len(got) >= n, strings.Join(got, " | ")
	})
	return got
}

// fifoReader collects the lines written to a notify FIFO the daemon made.
type fifoReader struct {
	mu    sync.Mutex
	lines []string
}

// readFIFO opens path (waiting for the daemon to create it) and reads its
// lines until the test ends.
func readFIFO(t *testing.T, path string) *fifoReader {
	t.Helper()
	var f *os.File
	eventually(t, 10*time.Second, "fifo "+path, func() (bool, string) {
		var err error
		f, err = os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
		return err == nil, sprint(err)
	})
	r := &fifoReader{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			r.mu.Lock()
			r.lines = append(r.lines, sc.Text())
			r.mu.Unlock()
		}
	}()
	t.Cleanup(func() { f.Close(); <-done })
	return r
}

// wait waits until at least n lines arrived and returns them all.
func (r *fifoReader) wait(t *testing.T, n int, limit time.Duration) []string {
	t.Helper()
	var got []string
	eventually(t, limit, sprintf("%d fifo lines", n), func() (bool, string) {
		r.mu.Lock()
		got = append([]string(nil), r.lines...)
		r.mu.Unlock()
		return len(got) >= n, strings.Join(got, " | ")
	})
	return got
}

// logCount counts the daemon log lines of n containing s.
func logCount(n *node, s string) int {
	return strings.Count(n.proc.Output(), s)
}

// hostExec runs a command in n's host and fails the test on error.
func hostExec(t *testing.T, n *node, name string, args ...string) {
	t.Helper()
	if out, err := n.host.Exec(context.Background(), name, args...); err != nil {
		t.Fatalf("%s: %s %v: %v\n%s", n.host.Name, name, args, err, out)
	}
}

func sprint(v any) string { return sprintf("%v", v) }

// cmpDiff is cmp.Diff, for (-want +got) reports.
func cmpDiff(want, got any) string { return cmp.Diff(want, got) }
