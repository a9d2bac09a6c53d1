package track

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// fakeEvents is a procEventSource fed by the test.
type fakeEvents struct {
	ch     chan procBatch
	closed chan struct{}
	once   sync.Once
}

func newFakeEvents() *fakeEvents {
	return &fakeEvents{ch: make(chan procBatch), closed: make(chan struct{})}
}

func (f *fakeEvents) ReadEvents() ([]ProcEvent, error) {
	select {
	case b := <-f.ch:
		return b.evs, b.err
	case <-f.closed:
		return nil, os.ErrClosed
	}
}

func (f *fakeEvents) Close() error {
	f.once.Do(func() { close(f.closed) })
	return nil
}

// send hands the watcher one batch (it blocks until the reader takes it).
func (f *fakeEvents) send(t *testing.T, evs []ProcEvent, err error) {
	t.Helper()
	select {
	case f.ch <- procBatch{evs, err}:
	case <-time.After(10 * time.Second):
		t.Fatal("watcher does not read events")
	}
}

// fakeProc is a directory laid out like /proc.
type fakeProc string

func (p fakeProc) add(t *testing.T, pid int, comm string) {
	t.Helper()
	d := filepath.Join(string(p), strconv.Itoa(pid))
	if err := os.MkdirAll(d, 0o755); err != nil {
		t.Fatal(err)
	}
	stat := strconv.Itoa(pid) + " (" + comm + ") S 1"
	if err := os.WriteFile(filepath.Join(d, "stat"), []byte(stat), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(d, "cmdline"), []byte(comm+"\x00"), 0o644); err != nil {
		t.Fatal(err)
	}
}

func (p fakeProc) remove(t *testing.T, pid int) {
	t.Helper()
	if err := os.RemoveAll(filepath.Join(string(p), strconv.Itoa(pid))); err != nil {
		t.Fatal(err)
	}
}

// runWatcher runs w until the test ends and returns its changes.
func runWatcher(t testing.TB, w *ProcessWatcher) <-chan string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	changes := make(chan string, 16)
	go func() {
		defer close(done)
		w.Run(ctx, func(name string, s State) { changes <- name + " " + s.String() })
	}()
	t.Cleanup(func() { cancel(); <-done })
	return changes
}

func nextChange(t testing.TB, changes <-chan string, want string) {
	t.Helper()
	select {
	case got := <-changes:
		if got != want {
			t.Fatalf("change %q, want %q", got, want)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("no change, want %q", want)
	}
}

func TestProcessWatcherEvents(t *testing.T) {
	proc := fakeProc(t.TempDir())
	proc.add(t, 1, "init")
	src := newFakeEvents()
	procs := []Process{{Name: "mine", Command: "sleep", Quorum: 1}}
	w, err := newProcessWatcher(procs, string(proc), discardLog(), func() (procEventSource, error) { return src, nil })
	if err != nil {
		t.Fatal(err)
	}
	w.Interval = time.Hour // only events can tell
	if got := []any{w.Source(), w.State("mine"), w.Count("mine")}; !cmp.Equal(got, []any{ProcessSourceConnector, StateDown, 0}) {
		t.Fatalf("initial source, state, count = %v", got)
	}
	changes := runWatcher(t, w)

	proc.add(t, 7, "sleep")
	src.send(t, []ProcEvent{{Kind: ProcEventFork, ParentPID: 1, ParentTGID: 1, PID: 7, TGID: 7}, {Kind: ProcEventExec, PID: 7, TGID: 7}}, nil)
	nextChange(t, changes, "mine UP")

	proc.remove(t, 7)
	src.send(t, []ProcEvent{{Kind: ProcEventExit, PID: 7, TGID: 7}}, nil)
	nextChange(t, changes, "mine DOWN")

	// Overrun: the kernel dropped the events announcing pids 8 and 9;
	// the rescan finds them.
	proc.add(t, 8, "sleep")
	proc.add(t, 9, "sleep")
	src.send(t, nil, errProcEventsLost)
	nextChange(t, changes, "mine UP")
	if got := w.Count("mine"); got != 2 {
		t.Errorf("count after rescan = %d, want 2", got)
	}

	// A malformed datagram: the events before it apply, then a rescan.
	proc.remove(t, 8)
	proc.remove(t, 9)
	src.send(t, []ProcEvent{{Kind: ProcEventExit, PID: 8, TGID: 8}}, ErrProcEventTruncated)
	nextChange(t, changes, "mine DOWN")
	if got := w.Count("mine"); got != 0 {
		t.Errorf("count after truncated batch = %d, want 0", got)
	}
	if got := w.Source(); got != ProcessSourceConnector {
		t.Errorf("source %v after recoverable errors, want %v", got, ProcessSourceConnector)
	}
}

func TestProcessWatcherEventsDelay(t *testing.T) {
	proc := fakeProc(t.TempDir())
	proc.add(t, 7, "sleep")
	src := newFakeEvents()
	procs := []Process{{Name: "mine", Command: "sleep", Quorum: 1, TerminateDelay: 20 * time.Millisecond}}
	w, err := newProcessWatcher(procs, string(proc), discardLog(), func() (procEventSource, error) { return src, nil })
	if err != nil {
		t.Fatal(err)
	}
	w.Interval = time.Hour
	changes := runWatcher(t, w)
	proc.remove(t, 7)
	src.send(t, []ProcEvent{{Kind: ProcEventExit, PID: 7, TGID: 7}}, nil)
	// No further event arrives: only the delay's timer can bring it down.
	nextChange(t, changes, "mine DOWN")
}

func TestProcessWatcherFallback(t *testing.T) {
	tests := []struct {
		name string
		open func(src *fakeEvents) (procEventSource, error)
		fail error // sent by the source once running
	}{
		{"connector cannot be opened", func(*fakeEvents) (procEventSource, error) { return nil, errors.New("bind: operation not permitted") }, nil},
		{"connector fails while running", func(src *fakeEvents) (procEventSource, error) { return src, nil }, errors.New("read: bad file descriptor")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			proc := fakeProc(t.TempDir())
			src := newFakeEvents()
			procs := []Process{{Name: "mine", Command: "sleep", Quorum: 1}}
			w, err := newProcessWatcher(procs, string(proc), discardLog(), func() (procEventSource, error) { return tt.open(src) })
			if err != nil {
				t.Fatal(err)
			}
			w.Interval = 10 * time.Millisecond
			changes := runWatcher(t, w)
			if tt.fail != nil {
				src.send(t, nil, tt.fail)
			}
			proc.add(t, 7, "sleep") // no event: only a poll sees it
			nextChange(t, changes, "mine UP")
			if got := w.Source(); got != ProcessSourcePoll {
				t.Errorf("source %v, want %v", got, ProcessSourcePoll)
			}
		})
	}
}

func TestProcessSourceString(t *testing.T) {
	got := []string{ProcessSourceConnector.String(), ProcessSourcePoll.String(), ProcessSource(0).String()}
	if diff := cmp.Diff([]string{"proc-connector", "poll", "ProcessSource(0)"}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
