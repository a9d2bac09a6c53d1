package track

import (
	"slices"
)

// procTable turns process events into the number of running processes
// each vrrp_track_process counts, as keepalived's track_process does: it
// remembers, per process id, which of the tracked processes count it.
//
// Every update sets a process's entry from what is known about it now
// rather than adding to a count, so an event that repeats what a /proc
// scan already saw (events queued while the scan ran) changes nothing.
type procTable struct {
	procs  []Process
	counts []int
	pids   map[int][]int // pid → indices into procs, sorted; absent: none
	// read returns what /proc says about pid now; ok is false when the
	// process is gone or a zombie.
	read func(pid int) (ProcInfo, bool)
	// cmdline reports whether some process is matched by command line
	// (parameters, param_match or full_command).
	cmdline bool
}

func newProcTable(procs []Process, read func(pid int, withCmdline bool) (ProcInfo, bool)) *procTable {
	t := &procTable{procs: procs, counts: make([]int, len(procs)), pids: map[int][]int{}}
	t.cmdline = slices.ContainsFunc(procs, matchesCmdline)
	t.read = func(pid int) (ProcInfo, bool) { return read(pid, t.cmdline) }
	return t
}

// matchesCmdline reports whether s is matched against the command line
// rather than the process name (see Process.Matches).
func matchesCmdline(s Process) bool {
	return len(s.Params) > 0 || s.ParamMatch != 0 || s.FullCommand
}

// reset replaces everything with the result of a full /proc scan.
func (t *procTable) reset(scan []procEntry) {
	clear(t.pids)
	clear(t.counts)
	for _, e := range scan {
		t.set(e.pid, t.match(e.info))
	}
}

// match returns the indices of the processes that count p.
func (t *procTable) match(p ProcInfo) []int {
	var m []int
	for i, s := range t.procs {
		if s.Matches(p) {
			m = append(m, i)
		}
	}
	return m
}

// set records that pid is counted by the processes in m.
func (t *procTable) set(pid int, m []int) {
	for _, i := range t.pids[pid] {
		t.counts[i]--
	}
	if len(m) == 0 {
		delete(t.pids, pid)
		return
	}
	t.pids[pid] = m
	for _, i := range m {
		t.counts[i]++
	}
}

// reread sets pid's entry from /proc.
func (t *procTable) reread(pid int) {
	info, ok := t.read(pid)
	if !ok {
		t.set(pid, nil)
		return
	}
	t.set(pid, t.match(info))
}

// apply updates the table for one event. Events about threads other than
// a process's main thread are ignored, as are kinds that cannot change
// what a process is called.
func (t *procTable) apply(ev ProcEvent) {
	if ev.PID != ev.TGID || ev.TGID <= 0 {
		return // a thread
	}
	switch ev.Kind {
	case ProcEventFork:
		// The child starts as a copy of its parent: it counts only if the
		// parent does. Reading /proc rather than copying the parent's
		// entry also catches a child that has already called exec.
		if _, ok := t.pids[ev.ParentTGID]; ok {
			t.reread(ev.TGID)
		}
	case ProcEventExec:
		t.reread(ev.TGID)
	case ProcEventComm:
		t.renamed(ev.TGID, ev.Comm)
	case ProcEventExit:
		t.set(ev.TGID, nil)
	}
}

// renamed handles a change of the process name (prctl PR_SET_NAME or a
// write to /proc/PID/comm): processes matched by name are matched again
// against the new one, those matched by command line keep their verdict.
func (t *procTable) renamed(pid int, comm string) {
	var m []int
	for i, s := range t.procs {
		if matchesCmdline(s) {
			if slices.Contains(t.pids[pid], i) {
				m = append(m, i)
			}
		} else if s.Matches(ProcInfo{Comm: comm}) {
			m = append(m, i)
		}
	}
	t.set(pid, m)
}
