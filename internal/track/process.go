package track

import (
	"bytes"
	"fmt"
	"github.com/gokeepalived/gokeepalived/internal/config"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ParamMatch is vrrp_track_process's param_match, as the configuration
// model defines it. The zero value means "not set": parameters, when
// given, must match exactly.
type ParamMatch = config.ParamMatch

// Parameter matching modes: exact (also what parameters mean when
// param_match is not given), partial (the first n parameters match
// exactly, more may follow), initial (the command line starts with the
// configured one, so the last parameter may be longer than configured).
const (
	ParamMatchExact   = config.ParamMatchExact
	ParamMatchPartial = config.ParamMatchPartial
	ParamMatchInitial = config.ParamMatchInitial
)

// Process is one vrrp_track_process block.
type Process struct {
	Name        string   // block name
	Command     string   // `process` first word
	Params      []string // `process` further words
	ParamMatch  ParamMatch
	FullCommand bool
	Quorum      int // default 1
	QuorumMax   int // 0: no maximum
	// ForkDelay delays "up" after the quorum is gained, TerminateDelay
	// delays "down" after it is lost (`delay` sets both).
	ForkDelay, TerminateDelay time.Duration
}

// ProcInfo is what the matcher needs to know about one running process.
type ProcInfo struct {
	Comm    string   // /proc/PID/comm, the Name: in /proc/PID/status
	Cmdline []string // /proc/PID/cmdline split at NULs
}

// commLen is the kernel's TASK_COMM_LEN minus the terminating NUL.
const commLen = 15

// Matches reports whether p is a process that s counts. Without
// parameters, param_match or full_command the command is compared exactly
// with the process name (the kernel keeps its first 15 bytes); otherwise
// with the command line: the program must be equal, and the parameters
// equal (default), a prefix of the process's (partial), or a prefix of the
// joined command line (initial). param_match with no parameters means the
// process must have none.
func (s Process) Matches(p ProcInfo) bool {
	if len(s.Params) == 0 && s.ParamMatch == 0 && !s.FullCommand {
		name := s.Command
		if len(name) > commLen {
			name = name[:commLen]
		}
		return p.Comm == name
	}
	if len(p.Cmdline) == 0 || p.Cmdline[0] != s.Command {
		return false
	}
	args := p.Cmdline[1:]
	if len(s.Params) == 0 {
		return len(args) == 0
	}
	switch s.ParamMatch {
	case ParamMatchPartial:
		return len(args) >= len(s.Params) && slices.Equal(args[:len(s.Params)], s.Params)
	case ParamMatchInitial:
		return strings.HasPrefix(strings.Join(args, "\x00"), strings.Join(s.Params, "\x00"))
	}
	return slices.Equal(args, s.Params)
}

// ProcessQuorum reports whether count matching processes satisfy quorum
// and quorum_max (0: no maximum).
func ProcessQuorum(count, quorum, quorumMax int) bool {
	return count >= max(quorum, 1) && (quorumMax <= 0 || count <= quorumMax)
}

// ProcessTracker turns process counts into an Up/Down state with the fork
// and terminate delays, as a pure value: feed it counts with Update and
// call Update again at Deadline.
type ProcessTracker struct {
	s       Process
	state   State
	pending time.Time // when a pending change to !state commits; zero: none
}

// NewProcessTracker returns a tracker whose state is decided by the first
// count at once, without delay, as keepalived does at start-up.
func NewProcessTracker(s Process, count int) *ProcessTracker {
	t := &ProcessTracker{s: s, state: StateDown}
	if ProcessQuorum(count, s.Quorum, s.QuorumMax) {
		t.state = StateUp
	}
	return t
}

// State returns the current state.
func (t *ProcessTracker) State() State { return t.state }

// Deadline returns when a pending change is due, or the zero time.
func (t *ProcessTracker) Deadline() time.Time { return t.pending }

// Update records the count seen at now and reports whether State changed.
func (t *ProcessTracker) Update(now time.Time, count int) (changed bool) {
	want := StateDown
	if ProcessQuorum(count, t.s.Quorum, t.s.QuorumMax) {
		want = StateUp
	}
	if want == t.state {
		t.pending = time.Time{}
		return false
	}
	if t.pending.IsZero() {
		delay := t.s.TerminateDelay
		if want == StateUp {
			delay = t.s.ForkDelay
		}
		t.pending = now.Add(delay)
	}
	if now.Before(t.pending) {
		return false
	}
	t.state, t.pending = want, time.Time{}
	return true
}

// ScanProc lists the running processes under procRoot ("/proc"), skipping
// zombies and processes that vanish while being read. Command lines are
// read only when withCmdline.
func ScanProc(procRoot string, withCmdline bool) ([]ProcInfo, error) {
	ents, err := scanProcs(procRoot, withCmdline)
	if err != nil {
		return nil, err
	}
	out := make([]ProcInfo, len(ents))
	for i, e := range ents {
		out[i] = e.info
	}
	return out, nil
}

// procEntry is one process found by scanProcs.
type procEntry struct {
	pid  int
	info ProcInfo
}

// scanProcs is ScanProc with the process ids.
func scanProcs(procRoot string, withCmdline bool) ([]procEntry, error) {
	ents, err := os.ReadDir(procRoot)
	if err != nil {
		return nil, fmt.Errorf("scan processes: %w", err)
	}
	var out []procEntry
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid <= 0 {
			continue
		}
		if p, ok := readProc(procRoot, pid, withCmdline); ok {
			out = append(out, procEntry{pid, p})
		}
	}
	return out, nil
}

// readProc reads what the matcher needs about pid; ok is false when the
// process is gone or a zombie.
func readProc(procRoot string, pid int, withCmdline bool) (p ProcInfo, ok bool) {
	dir := filepath.Join(procRoot, strconv.Itoa(pid))
	stat, err := os.ReadFile(filepath.Join(dir, "stat"))
	if err != nil {
		return p, false
	}
	comm, state, ok := ParseProcStat(stat)
	if !ok || state == 'Z' || state == 'X' {
		return p, false
	}
	p.Comm = comm
	if withCmdline {
		b, err := os.ReadFile(filepath.Join(dir, "cmdline"))
		if err != nil {
			return p, false
		}
		p.Cmdline = splitCmdline(b)
	}
	return p, true
}

// ParseProcStat extracts the command name and state letter from the
// content of /proc/PID/stat ("pid (comm) S ..."); the name may itself
// contain spaces and parentheses, so it runs to the last ')'.
func ParseProcStat(b []byte) (comm string, state byte, ok bool) {
	open := bytes.IndexByte(b, '(')
	end := bytes.LastIndexByte(b, ')')
	if open < 0 || end < open || end+2 >= len(b) || b[end+1] != ' ' {
		return "", 0, false
	}
	return string(b[open+1 : end]), b[end+2], true
}

func splitCmdline(b []byte) []string {
	b = bytes.TrimRight(b, "\x00")
	if len(b) == 0 {
		return nil
	}
	return strings.Split(string(b), "\x00")
}
