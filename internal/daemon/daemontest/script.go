package daemontest

import (
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"testing/synctest"
	"time"
)

// Scenario is a parsed scenario script.
type Scenario struct {
	Steps []Step
}

// Step is one command of a scenario, done at At (from the start).
type Step struct {
	At   time.Duration
	Line int
	Cmd  string
	Args []string
	// Body is a config block's text.
	Body string
}

// commands maps each command to its argument count: n exactly, or at
// least -n when negative.
var commands = map[string]int{
	"node":     2,  // node NAME ADDR: a node with that IPv4 address on eth0
	"config":   1,  // config NAME, lines, "end": NAME's keepalived.conf from now on
	"start":    -1, // start NAME...: build and run the daemons
	"signal":   2,  // signal NAME TERM|HUP|INT|USR1|USR2
	"stop":     -1, // stop NAME...: cancel the daemons' context (a clean stop)
	"crash":    -1, // crash NAME...: as SIGKILL; the node goes silent, its addresses stay
	"script":   -3, // script NAME EXIT ARGS...: the scripts with those arguments now exit EXIT
	"link":     -2, // link NAME up|down|add|del [IFNAME]: an interface of NAME (eth0 unless named) changes
	"addr":     -3, // addr NAME add|del PREFIX [IFNAME]: another program changes an address of NAME
	"trackers": 1,  // trackers NAME: what NAME's status snapshot says of its trackers
	"fifo":     2,  // fifo NAME PATH: the lines waiting in the FIFO at PATH (in the scenario's directory)
	"dump":     2,  // dump NAME FILE: the dump file FILE NAME's daemon wrote (USR1, USR2, JSON signals)
	"cut":      2,  // cut A B: A and B no longer hear each other
	"heal":     2,  // heal A B: they do again
	"show":     0,  // show: every running node's instances and addresses
	"end":      0,  // end: the scenario runs until this step's time
}

// Parse reads a scenario. Each line is "[TIME] COMMAND ARGS...": TIME
// (a Go duration, "10.5s") is when the command runs, counted from the
// start and never going back; without one the command runs at the time of
// the line before. "#" starts a comment; a config command takes the lines
// up to one that is just "end" as the configuration's text, in which $DIR
// stands for the scenario's directory (for notify FIFOs).
func Parse(src string) (*Scenario, error) {
	var sc Scenario
	var at time.Duration
	lines := strings.Split(src, "\n")
	for i := 0; i < len(lines); i++ {
		f := strings.Fields(lines[i])
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		if d, err := time.ParseDuration(f[0]); err == nil {
			if d < at {
				return nil, fmt.Errorf("line %d: time %v goes back from %v", i+1, d, at)
			}
			at, f = d, f[1:]
			if len(f) == 0 {
				return nil, fmt.Errorf("line %d: a time and no command", i+1)
			}
		}
		want, ok := commands[f[0]]
		if !ok {
			return nil, fmt.Errorf("line %d: unknown command %q", i+1, f[0])
		}
		if n := len(f) - 1; (want >= 0 && n != want) || (want < 0 && n < -want) {
			return nil, fmt.Errorf("line %d: %s takes %s arguments, not %d", i+1, f[0], argCount(want), n)
		}
		st := Step{At: at, Line: i + 1, Cmd: f[0], Args: f[1:]}
		if st.Cmd == "config" {
			var body []string
			for i++; i < len(lines) && strings.TrimSpace(lines[i]) != "end"; i++ {
				body = append(body, lines[i])
			}
			if i == len(lines) {
				return nil, fmt.Errorf("line %d: config %s has no end", st.Line, f[1])
			}
			st.Body = strings.Join(body, "\n") + "\n"
		}
		sc.Steps = append(sc.Steps, st)
	}
	return &sc, nil
}

func argCount(n int) string {
	if n < 0 {
		return fmt.Sprintf("at least %d", -n)
	}
	return strconv.Itoa(n)
}

// signals are the names signal accepts.
var signals = map[string]os.Signal{"TERM": syscall.SIGTERM, "INT": syscall.SIGINT, "HUP": syscall.SIGHUP,
	"USR1": syscall.SIGUSR1, "USR2": syscall.SIGUSR2,
	"JSON": syscall.Signal(34 + 2), "STATS_CLEAR": syscall.Signal(64 - 1)} // SIGRTMIN+2, SIGRTMAX-1

// Run plays sc and returns its transcript. It must be called inside a
// synctest bubble (synctest.Test): time moves only when every daemon is
// idle, and before each step every daemon has finished what was due.
// Every node still running at the end is stopped, off the record.
func Run(t testing.TB, sc *Scenario) string {
	t.Helper()
	lan := NewLAN()
	dir := t.TempDir()
	defer func() {
		lan.mu.Lock()
		lan.closed = true
		nodes := slices.Clone(lan.nodes)
		lan.mu.Unlock()
		for _, n := range nodes {
			n.Stop()
		}
		if t.Failed() || os.Getenv("GK_HARNESS_LOG") != "" {
			for _, n := range nodes {
				t.Logf("log of %s:\n%s", n.Name, n.Log())
			}
		}
	}()
	for _, st := range sc.Steps {
		if d := st.At - time.Since(lan.start); d > 0 {
			time.Sleep(d)
		}
		synctest.Wait()
		if err := lan.do(st, dir); err != nil {
			t.Fatalf("line %d: %s: %v", st.Line, st.Cmd, err)
		}
		synctest.Wait()
	}
	return lan.Transcript()
}

// do carries out one step.
func (l *LAN) do(st Step, dir string) error {
	if st.Cmd != "config" && st.Cmd != "node" {
		l.record("", "%s", strings.Join(append([]string{st.Cmd}, st.Args...), " "))
	}
	switch st.Cmd {
	case "node":
		a, err := netip.ParseAddr(st.Args[1])
		if err != nil || !a.Is4() {
			return fmt.Errorf("address %q: want IPv4", st.Args[1])
		}
		if l.Node(st.Args[0]) != nil {
			return fmt.Errorf("node %s twice", st.Args[0])
		}
		l.AddNode(st.Args[0], a, filepath.Join(dir, st.Args[0]+".conf"))
		return nil
	case "show":
		l.show()
		return nil
	case "end":
		return nil
	case "cut", "heal":
		for _, name := range st.Args {
			if l.Node(name) == nil {
				return fmt.Errorf("no node %s", name)
			}
		}
		if st.Cmd == "cut" {
			l.Cut(st.Args[0], st.Args[1])
		} else {
			l.Heal(st.Args[0], st.Args[1])
		}
		return nil
	}
	n := l.Node(st.Args[0])
	if n == nil {
		return fmt.Errorf("no node %s", st.Args[0])
	}
	switch st.Cmd {
	case "config":
		return os.WriteFile(n.file, []byte(strings.ReplaceAll(st.Body, "$DIR", dir)), 0o600)
	case "start", "stop", "crash":
		for _, name := range st.Args {
			n := l.Node(name)
			if n == nil {
				return fmt.Errorf("no node %s", name)
			}
			switch st.Cmd {
			case "start":
				if err := n.Start(); err != nil {
					return err
				}
			case "stop":
				n.Stop()
			case "crash":
				n.Crash()
			}
		}
	case "signal":
		s, ok := signals[st.Args[1]]
		if !ok {
			return fmt.Errorf("unknown signal %q", st.Args[1])
		}
		return n.Signal(s)
	case "script":
		code, err := strconv.Atoi(st.Args[1])
		if err != nil {
			return fmt.Errorf("exit code %q: %w", st.Args[1], err)
		}
		n.SetScript(strings.Join(st.Args[2:], " "), code)
	case "link":
		ifname := lanIfname
		if len(st.Args) > 2 {
			ifname = st.Args[2]
		}
		return n.changeLink(ifname, st.Args[1])
	case "addr":
		p, err := netip.ParsePrefix(st.Args[2])
		if err != nil {
			return err
		}
		ifname := lanIfname
		if len(st.Args) > 3 {
			ifname = st.Args[3]
		}
		return n.changeAddr(ifname, st.Args[1], p)
	case "trackers":
		for _, t := range n.d.Snapshot().Trackers {
			n.record("tracker %s %s %s weight %d instances %v", t.Name, t.Kind, t.Status, t.Weight, t.Instances)
		}
	case "fifo":
		lines, err := readFIFO(filepath.Join(dir, st.Args[1]))
		for _, line := range lines {
			n.record("fifo %s", line)
		}
		return err
	case "dump":
		b, err := os.ReadFile(filepath.Join(dir, filepath.Base(st.Args[1])))
		for line := range strings.SplitSeq(strings.TrimRight(string(b), "\n"), "\n") {
			n.record("| %s", line)
		}
		return err
	}
	return nil
}

// show records every running node's instances and its addresses.
func (l *LAN) show() {
	l.mu.Lock()
	nodes := slices.Clone(l.nodes)
	l.mu.Unlock()
	for _, n := range nodes {
		if !n.running() {
			continue
		}
		for _, in := range n.d.Snapshot().Instances {
			l.record(n.Name, "show %s %s priority %d", in.Name, in.State, in.EffectivePriority)
		}
		l.record(n.Name, "show addresses %v", n.VIPs())
	}
}
