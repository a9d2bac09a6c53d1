package track

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestProcessMatches(t *testing.T) {
	nginx := ProcInfo{Comm: "nginx", Cmdline: []string{"nginx", "-g", "daemon off;"}}
	long := ProcInfo{Comm: "averyveryverylo", Cmdline: []string{"/usr/bin/averyveryverylongname"}}
	bare := ProcInfo{Comm: "sshd", Cmdline: []string{"sshd"}}
	tests := []struct {
		name string
		s    Process
		p    ProcInfo
		want bool
	}{
		{"name equals comm", Process{Command: "nginx"}, nginx, true},
		{"no substring match", Process{Command: "ngin"}, nginx, false},
		{"long name truncated like comm", Process{Command: "averyveryverylongname"}, long, true},
		{"exact params", Process{Command: "nginx", Params: []string{"-g", "daemon off;"}}, nginx, true},
		{"exact params differ", Process{Command: "nginx", Params: []string{"-g"}}, nginx, false},
		{"partial prefix", Process{Command: "nginx", Params: []string{"-g"}, ParamMatch: ParamMatchPartial}, nginx, true},
		{"partial wrong", Process{Command: "nginx", Params: []string{"-c"}, ParamMatch: ParamMatchPartial}, nginx, false},
		{"initial last param longer", Process{Command: "nginx", Params: []string{"-g", "daemon"}, ParamMatch: ParamMatchInitial}, nginx, true},
		{"initial wrong", Process{Command: "nginx", Params: []string{"-g", "dx"}, ParamMatch: ParamMatchInitial}, nginx, false},
		{"param_match without params wants none", Process{Command: "sshd", ParamMatch: ParamMatchPartial}, bare, true},
		{"param_match without params rejects params", Process{Command: "nginx", ParamMatch: ParamMatchPartial}, nginx, false},
		{"full_command compares the command line", Process{Command: "/usr/bin/averyveryverylongname", FullCommand: true}, long, true},
		{"full_command program differs", Process{Command: "nginx", FullCommand: true}, long, false},
		{"kernel thread has no cmdline", Process{Command: "kthreadd", Params: []string{"x"}}, ProcInfo{Comm: "kthreadd"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.s.Matches(tt.p); got != tt.want {
				t.Errorf("Matches = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestProcessQuorum(t *testing.T) {
	tests := []struct {
		count, quorum, max int
		want               bool
	}{
		{0, 1, 0, false}, {1, 1, 0, true}, {5, 1, 0, true}, {1, 2, 0, false}, {2, 2, 3, true},
		{4, 2, 3, false}, {0, 0, 0, false}, {1, 1, 1, true}, {2, 1, 1, false},
	}
	for _, tt := range tests {
		if got := ProcessQuorum(tt.count, tt.quorum, tt.max); got != tt.want {
			t.Errorf("ProcessQuorum(%d, %d, %d) = %v, want %v", tt.count, tt.quorum, tt.max, got, tt.want)
		}
	}
}

func TestProcessTrackerDelays(t *testing.T) {
	t0 := time.Unix(1000, 0)
	s := Process{Quorum: 1, ForkDelay: 2 * time.Second, TerminateDelay: 3 * time.Second}
	tr := NewProcessTracker(s, 1)
	type step struct {
		at    time.Duration
		count int
	}
	steps := []step{
		{0, 0},               // lost: down due at 3 s
		{1 * time.Second, 1}, // back before the delay: stays up, no bounce
		{2 * time.Second, 0}, // lost again: due at 5 s
		{4 * time.Second, 0},
		{5 * time.Second, 0}, // down
		{6 * time.Second, 2}, // gained: up due at 8 s
		{8 * time.Second, 2}, // up
	}
	var got []string
	for _, st := range steps {
		changed := tr.Update(t0.Add(st.at), st.count)
		got = append(got, tr.State().String()+map[bool]string{true: "!", false: ""}[changed])
	}
	want := []string{"UP", "UP", "UP", "UP", "DOWN!", "DOWN", "UP!"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if !tr.Deadline().IsZero() {
		t.Errorf("deadline %v after settling, want none", tr.Deadline())
	}
	if NewProcessTracker(s, 0).State() != StateDown {
		t.Error("initial count 0: want DOWN at once")
	}
}

func TestParseProcStat(t *testing.T) {
	type res struct {
		Comm  string
		State byte
		OK    bool
	}
	tests := []struct {
		in   string
		want res
	}{
		{"1 (systemd) S 0 1", res{"systemd", 'S', true}},
		{"42 (a (b) c) Z 1 2", res{"a (b) c", 'Z', true}},
		{"42 (x)", res{}},
		{"garbage", res{}},
		{"1 (x)S", res{}},
	}
	for _, tt := range tests {
		var got res
		got.Comm, got.State, got.OK = ParseProcStat([]byte(tt.in))
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%q (-want +got):\n%s", tt.in, diff)
		}
	}
}

func FuzzParseProcStat(f *testing.F) {
	f.Add([]byte("1 (systemd) S 0 1"))
	f.Add([]byte("9 ()) R"))
	f.Fuzz(func(t *testing.T, b []byte) {
		comm, _, ok := ParseProcStat(b)
		if ok && len(comm) >= len(b) {
			t.Fatalf("comm %q longer than input %q", comm, b)
		}
	})
}

func TestScanProcFake(t *testing.T) {
	root := t.TempDir()
	add := func(pid, stat, cmdline string) {
		d := filepath.Join(root, pid)
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(d, "stat"), []byte(stat), 0o644)
		os.WriteFile(filepath.Join(d, "cmdline"), []byte(cmdline), 0o644)
	}
	add("1", "1 (init) S 0", "/sbin/init\x00")
	add("7", "7 (nginx) S 1", "nginx\x00-g\x00daemon off;\x00")
	add("8", "8 (nginx) Z 1", "")
	add("self", "x", "")
	got, err := ScanProc(root, true)
	if err != nil {
		t.Fatal(err)
	}
	want := []ProcInfo{
		{Comm: "init", Cmdline: []string{"/sbin/init"}},
		{Comm: "nginx", Cmdline: []string{"nginx", "-g", "daemon off;"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestProcessWatcherReal(t *testing.T) {
	arg := "12345.678" // an unusual sleep argument identifies our process
	cmd := exec.Command("sleep", arg)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	procs := []Process{
		{Name: "mine", Command: "sleep", Params: []string{arg}, Quorum: 1},
		{Name: "absent", Command: "gk-no-such-proc", Quorum: 1},
	}
	w, err := NewProcessWatcher(procs, "", discardLog())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]State{StateUp, StateDown}, []State{w.State("mine"), w.State("absent")}); diff != "" {
		t.Fatalf("initial (-want +got):\n%s", diff)
	}
	w.Interval = 50 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	changes := make(chan string, 4)
	go w.Run(ctx, func(name string, s State) { changes <- name + " " + s.String() })
	cmd.Process.Kill()
	cmd.Wait()
	select {
	case got := <-changes:
		if got != "mine DOWN" {
			t.Errorf("change %q, want %q", got, "mine DOWN")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("process exit not noticed")
	}
}
