package track

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"
)

// ProcessSource says how a ProcessWatcher learns that processes start
// and stop.
type ProcessSource uint8

// Process sources: the kernel's process events connector (keepalived's
// way: changes are seen as they happen), or a /proc scan every Interval.
const (
	ProcessSourceConnector ProcessSource = iota + 1
	ProcessSourcePoll
)

// String returns "proc-connector" or "poll".
func (s ProcessSource) String() string {
	switch s {
	case ProcessSourceConnector:
		return "proc-connector"
	case ProcessSourcePoll:
		return "poll"
	}
	return fmt.Sprintf("ProcessSource(%d)", uint8(s))
}

// ProcessWatcher follows a set of tracked processes and reports state
// changes. Like keepalived it listens to the kernel's process events
// (exec, comm, fork, exit) through the netlink proc connector, keeping a
// count per tracked process; where the connector cannot be used (not
// root, no CONFIG_PROC_EVENTS, a non-initial user, PID or network
// namespace) it scans /proc every Interval instead. It logs once which.
type ProcessWatcher struct {
	ProcRoot string        // default "/proc"
	Interval time.Duration // poll interval, default 1 s
	Log      *slog.Logger

	procs    []Process
	trackers []*ProcessTracker
	table    *procTable
	events   procEventSource // nil: poll

	mu     sync.Mutex // guards counts and source, read by Count and Source
	counts []int
	source ProcessSource
}

// NewProcessWatcher subscribes to process events when it can, then scans
// /proc once and returns a watcher whose initial states (State) come from
// that scan. A procRoot other than "" or "/proc" (a test's fake) is
// always polled.
func NewProcessWatcher(procs []Process, procRoot string, log *slog.Logger) (*ProcessWatcher, error) {
	var open func() (procEventSource, error)
	if procRoot == "" || procRoot == "/proc" {
		open = func() (procEventSource, error) { return openProcConnector() }
	}
	return newProcessWatcher(procs, procRoot, log, open)
}

// newProcessWatcher is NewProcessWatcher with the event source's opener
// (nil: poll).
func newProcessWatcher(procs []Process, procRoot string, log *slog.Logger, open func() (procEventSource, error)) (*ProcessWatcher, error) {
	w := &ProcessWatcher{ProcRoot: procRoot, Interval: time.Second, Log: log, procs: procs, source: ProcessSourcePoll}
	if w.ProcRoot == "" {
		w.ProcRoot = "/proc"
	}
	w.table = newProcTable(procs, func(pid int, withCmdline bool) (ProcInfo, bool) {
		return readProc(w.ProcRoot, pid, withCmdline)
	})
	if open != nil && len(procs) > 0 {
		// Subscribe before the scan, so nothing that happens after the
		// scan is missed; events queued meanwhile repeat what it saw.
		src, err := open()
		if err != nil {
			log.Info("process events connector unavailable: scanning /proc every interval instead", "interval", w.Interval, "err", err)
		} else {
			w.events, w.source = src, ProcessSourceConnector
			log.Info("tracking processes through the kernel's process events connector")
		}
	}
	if err := w.rescan(); err != nil {
		if w.events != nil {
			w.events.Close()
		}
		return nil, err
	}
	for i, p := range procs {
		w.trackers = append(w.trackers, NewProcessTracker(p, w.table.counts[i]))
		log.Info("tracked process", "track_process", p.Name, "count", w.table.counts[i], "state", w.trackers[i].State())
	}
	w.publish()
	return w, nil
}

// State returns the current state of tracked process name (0 if unknown).
// It must not be called while Run runs.
func (w *ProcessWatcher) State(name string) State {
	for i, p := range w.procs {
		if p.Name == name {
			return w.trackers[i].State()
		}
	}
	return 0
}

// Count returns how many running processes tracked process name counts
// (-1 if unknown). It is safe to call while Run runs.
func (w *ProcessWatcher) Count(name string) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	for i, p := range w.procs {
		if p.Name == name {
			return w.counts[i]
		}
	}
	return -1
}

// Source returns how the watcher currently learns about processes. It is
// safe to call while Run runs.
func (w *ProcessWatcher) Source() ProcessSource {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.source
}

// publish copies the table's counts for Count.
func (w *ProcessWatcher) publish() {
	w.mu.Lock()
	w.counts = slices.Clone(w.table.counts)
	w.mu.Unlock()
}

// rescan rebuilds the table from a full /proc scan.
func (w *ProcessWatcher) rescan() error {
	scan, err := scanProcs(w.ProcRoot, w.table.cmdline)
	if err != nil {
		return err
	}
	w.table.reset(scan)
	return nil
}

// update feeds the current counts to the trackers at now, calls onChange
// for each change, and returns the earliest pending deadline (zero: none).
func (w *ProcessWatcher) update(now time.Time, onChange func(name string, s State)) time.Time {
	w.publish()
	var next time.Time
	for i, t := range w.trackers {
		count := w.table.counts[i]
		if t.Update(now, count) {
			w.Log.Info(quorumLine(w.procs[i].Name, t.State()), "track_process", w.procs[i].Name, "count", count, "state", t.State())
			onChange(w.procs[i].Name, t.State())
		}
		if d := t.Deadline(); !d.IsZero() && (next.IsZero() || d.Before(next)) {
			next = d
		}
	}
	return next
}

// Run follows processes until ctx is done, calling onChange(name, state)
// on each change. If the event source fails it falls back to polling.
func (w *ProcessWatcher) Run(ctx context.Context, onChange func(name string, s State)) {
	if w.events != nil {
		err := w.runEvents(ctx, onChange)
		if ctx.Err() != nil {
			return
		}
		w.Log.Warn("process events connector failed: scanning /proc every interval instead", "interval", w.Interval, "err", err)
		w.mu.Lock()
		w.source = ProcessSourcePoll
		w.mu.Unlock()
	}
	w.runPoll(ctx, onChange)
}

// runPoll scans /proc every Interval until ctx is done.
func (w *ProcessWatcher) runPoll(ctx context.Context, onChange func(name string, s State)) {
	tick := time.NewTicker(w.Interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-tick.C:
			if err := w.rescan(); err != nil {
				w.Log.Warn("cannot scan processes", "err", err)
				continue
			}
			w.update(now, onChange)
		}
	}
}

// procBatch is what one ReadEvents returned.
type procBatch struct {
	evs []ProcEvent
	err error
}

// runEvents applies process events until ctx is done or the source fails
// (its error is returned). Lost or malformed events trigger a full /proc
// rescan; fork and terminate delays are served by a timer.
func (w *ProcessWatcher) runEvents(ctx context.Context, onChange func(name string, s State)) error {
	batches := make(chan procBatch)
	done := make(chan struct{})
	defer close(done)
	defer w.events.Close() // runs first: unblocks the reader
	go func() {
		for {
			evs, err := w.events.ReadEvents()
			select {
			case batches <- procBatch{evs, err}:
			case <-done:
				return
			}
			if err != nil && !errors.Is(err, errProcEventsLost) && !errors.Is(err, ErrProcEventTruncated) {
				return
			}
		}
	}()
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case b := <-batches:
			for _, ev := range b.evs {
				w.table.apply(ev)
			}
			switch {
			case errors.Is(b.err, errProcEventsLost), errors.Is(b.err, ErrProcEventTruncated):
				w.Log.Warn("process events lost: rescanning /proc", "err", b.err)
				if err := w.rescan(); err != nil {
					return err
				}
			case b.err != nil:
				return b.err
			}
		case <-timer.C:
		}
		if next := w.update(time.Now(), onChange); !next.IsZero() {
			timer.Reset(time.Until(next))
		} else {
			timer.Stop()
		}
	}
}

// quorumLine is keepalived's line for a tracked process reaching state st.
func quorumLine(name string, st State) string {
	if st == StateUp {
		return "Quorum gained for tracked process " + name
	}
	return "Quorum lost for tracked process " + name
}
