package track

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// writeScript writes an executable script into a temp dir and returns its path.
func writeScript(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "s.sh")
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// groupMembers lists the pids whose process group is pgid.
func groupMembers(t *testing.T, pgid int) []int {
	t.Helper()
	ents, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	var pids []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		s := string(b)
		f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
		// f[0] state, f[1] ppid, f[2] pgrp
		if len(f) > 2 && f[2] == strconv.Itoa(pgid) && f[0] != "Z" {
			pids = append(pids, pid)
		}
	}
	return pids
}

func TestExecStatus(t *testing.T) {
	type got struct {
		OK       bool
		ExitCode int
		TimedOut bool
		Output   string
		HasErr   bool
	}
	noShebang := filepath.Join(t.TempDir(), "plain")
	if err := os.WriteFile(noShebang, []byte("echo plain; exit 3\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	notExec := filepath.Join(t.TempDir(), "noexec")
	if err := os.WriteFile(notExec, []byte("#!/bin/sh\nexit 0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		argv []string
		want got
	}{
		{"exit 0", []string{writeScript(t, "echo hi")}, got{OK: true, Output: "hi\n"}},
		{"exit 1", []string{writeScript(t, "exit 1")}, got{ExitCode: 1}},
		{"args passed verbatim", []string{writeScript(t, `printf '%s|' "$@"`), "a b", "$HOME"}, got{OK: true, Output: "a b|$HOME|"}},
		{"stderr kept", []string{writeScript(t, "echo err >&2; exit 2")}, got{ExitCode: 2, Output: "err\n"}},
		{"no shebang runs with sh", []string{noShebang}, got{ExitCode: 3, Output: "plain\n"}},
		{"missing", []string{"/nonexistent/gk-script"}, got{ExitCode: -1, HasErr: true}},
		{"not executable", []string{notExec}, got{ExitCode: -1, HasErr: true}},
		{"empty", nil, got{ExitCode: -1, HasErr: true}},
		{"fake never runs", []string{"fake", "/usr/bin/true"}, got{ExitCode: -1, HasErr: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := raw(tt.argv...)
			if len(tt.argv) > 0 && tt.argv[0] == "fake" {
				sc = Fake(tt.argv[1:]...)
			}
			o := Exec(context.Background(), Command{Script: sc, Timeout: 10 * time.Second})
			g := got{OK: o.OK(), ExitCode: o.ExitCode, TimedOut: o.TimedOut, Output: string(o.Output), HasErr: o.Err != nil}
			if diff := cmp.Diff(tt.want, g); diff != "" {
				t.Errorf("outcome %v (-want +got):\n%s", o, diff)
			}
		})
	}
}

func TestExecTimeoutKillsWholeGroup(t *testing.T) {
	tests := []struct {
		name string
		body string
	}{
		{"leader dies of SIGTERM", "sleep 60 & sleep 60 & wait"},
		{"leader ignores SIGTERM", "trap '' TERM; sleep 60 & sleep 60; sleep 60"},
		{"child ignores SIGTERM", "sh -c \"trap '' TERM; sleep 60\" & wait"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := Exec(context.Background(), Command{Script: raw(writeScript(t, tt.body)), Timeout: 300 * time.Millisecond})
			if !o.TimedOut || o.OK() {
				t.Fatalf("outcome %v: want timed out and failing", o)
			}
			// SIGKILL is asynchronous: give the kernel a moment to reap.
			var left []int
			for range 50 {
				if left = groupMembers(t, o.Pid); len(left) == 0 {
					break
				}
				time.Sleep(20 * time.Millisecond)
			}
			if len(left) != 0 {
				t.Errorf("processes left in group %d: %v", o.Pid, left)
			}
		})
	}
}

func TestExecContextCancelKills(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan Outcome)
	go func() { done <- Exec(ctx, Command{Script: raw(writeScript(t, "sleep 60"))}) }()
	time.Sleep(100 * time.Millisecond)
	cancel()
	select {
	case o := <-done:
		if o.OK() {
			t.Errorf("cancelled script reported OK: %v", o)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Exec did not return after cancel")
	}
}

func TestExecFloodIsBounded(t *testing.T) {
	const total = 20 << 20
	argv := []string{writeScript(t, "head -c "+strconv.Itoa(total)+" /dev/zero")}
	o := Exec(context.Background(), Command{Script: raw(argv...), Timeout: 30 * time.Second, OutputLimit: 1000})
	if !o.OK() {
		t.Fatalf("outcome %v", o)
	}
	type got struct {
		Kept    int
		Dropped int64
	}
	if diff := cmp.Diff(got{1000, total - 1000}, got{len(o.Output), o.Dropped}); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestExecEnvironment(t *testing.T) {
	t.Setenv("IFS", "x")
	t.Setenv("LD_LIBRARY_PATH", "/nonexistent")
	t.Setenv("GK_KEEP", "kept")
	o := Exec(context.Background(), Command{Script: raw("/usr/bin/env"), OutputLimit: 1 << 20})
	env := map[string]bool{}
	for _, l := range strings.Split(string(o.Output), "\n") {
		env[l] = true
	}
	got := []bool{env["IFS=x"], env["LD_LIBRARY_PATH=/nonexistent"], env["GK_KEEP=kept"]}
	if diff := cmp.Diff([]bool{false, false, true}, got); diff != "" {
		t.Errorf("IFS, LD_LIBRARY_PATH, GK_KEEP present (-want +got):\n%s", diff)
	}
}

func TestExecCredential(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("running a script as another user needs root")
	}
	u := Exec(context.Background(), Command{Script: asUser(raw("/usr/bin/id", "-u"), &Credential{UID: 65534, GID: 65534})})
	g := Exec(context.Background(), Command{Script: asUser(raw("/usr/bin/id", "-G"), &Credential{UID: 65534, GID: 65534})})
	got := []string{string(u.Output), string(g.Output)}
	if diff := cmp.Diff([]string{"65534\n", "65534\n"}, got); diff != "" {
		t.Errorf("uid, groups (-want +got):\n%s", diff)
	}
}

func TestGroupMembersSeesOwnGroup(t *testing.T) {
	// Guards the group-kill tests against a helper that never finds anything.
	if len(groupMembers(t, syscall.Getpgrp())) == 0 {
		t.Fatal("groupMembers found no process in our own process group")
	}
}

// raw is what the Gate makes of an absolute path that passes, without
// judging it: Exec's own error handling is under test here.
func raw(argv ...string) Checked {
	if len(argv) == 0 {
		return Checked{}
	}
	return Checked{path: argv[0], argv: argv}
}

func asUser(c Checked, cred *Credential) Checked {
	c.cred = cred
	return c
}
