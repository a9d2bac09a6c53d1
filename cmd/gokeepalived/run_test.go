package main

import (
	"log/syslog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

func TestSyslogFacility(t *testing.T) {
	tests := []struct {
		in      string
		want    syslog.Priority
		wantErr bool
	}{
		{"", syslog.LOG_DAEMON, false},
		{"daemon", syslog.LOG_DAEMON, false},
		{"user", syslog.LOG_USER, false},
		{"0", syslog.LOG_LOCAL0, false},
		{"local3", syslog.LOG_LOCAL3, false},
		{"7", syslog.LOG_LOCAL7, false},
		{"8", 0, true},
		{"kern", 0, true},
	}
	for _, tt := range tests {
		got, err := syslogFacility(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("syslogFacility(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

// Both -p and -r name the pid file; a live gokeepalived in either stops a
// second start, a dead pid or another program's does not.
func TestRunningPIDIn(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, pid int) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(strconv.Itoa(pid)+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	start := func(cmd *exec.Cmd) *exec.Cmd {
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		return cmd
	}
	live := exec.Command(os.Args[0]) // waits in TestMain (guard_test.go)
	live.Env = append(os.Environ(), "GK_HELPER_SLEEP=1")
	start(live)
	other := start(exec.Command("sleep", "60"))
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}

	livePID, otherPID, deadPID := live.Process.Pid, other.Process.Pid, dead.Process.Pid
	tests := []struct {
		name     string
		files    []string
		wantPID  int
		wantFile string
	}{
		{"none", []string{"", ""}, 0, ""},
		{"missing files", []string{filepath.Join(dir, "nope"), ""}, 0, ""},
		{"dead pid", []string{write("dead", deadPID), ""}, 0, ""},
		{"another program", []string{write("other", otherPID), ""}, 0, ""},
		{"live in -p", []string{write("p", livePID), ""}, livePID, filepath.Join(dir, "p")},
		{"live in -r only", []string{write("p2", deadPID), write("r", livePID)}, livePID, filepath.Join(dir, "r")},
		{"garbage", []string{write("g", -1), ""}, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pid, file := runningPIDIn(tt.files)
			if pid != tt.wantPID || file != tt.wantFile {
				t.Errorf("runningPIDIn = %d, %q; want %d, %q", pid, file, tt.wantPID, tt.wantFile)
			}
		})
	}
}
