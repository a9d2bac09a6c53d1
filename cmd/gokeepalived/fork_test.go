package main

import (
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// forkHelper plays the background daemon of daemonize: it reports on
// fd 3 as serve does, then exits or keeps running.
func forkHelper(mode string) {
	rep := openStartReport()
	switch mode {
	case "ready":
		rep.ready()
		time.Sleep(time.Minute)
		os.Exit(0)
	case "fail":
		rep.failed(errors.New("configuration /x.conf has errors:\n/x.conf: open: no such file or directory"))
		os.Exit(exitNoConfig)
	case "crash":
		os.Exit(3) // dies without a word
	case "slow":
		time.Sleep(time.Minute)
	}
	os.Exit(0)
}

// The parent of a forked daemon exits 0 only once the daemon runs; a
// daemon that fails to start gives the parent its message and exit code
// (keepalived exits 6 for a missing configuration, also when forking).
func TestAwaitStart(t *testing.T) {
	defer func(d time.Duration) { startWait = d }(startWait)
	startWait = 2 * time.Second
	tests := []struct {
		mode       string
		wantCode   int
		wantStderr string
	}{
		{"ready", 0, ""},
		{"fail", exitNoConfig, "gokeepalived: configuration /x.conf has errors:\n/x.conf: open: no such file or directory\n"},
		{"crash", 3, "ended before it was ready"},
		{"slow", 0, "still starting after 2s"},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			cmd := exec.Command(os.Args[0])
			cmd.Env = append(os.Environ(), "GK_FORK_HELPER="+tt.mode, envDaemonized+"=1")
			cmd.ExtraFiles = []*os.File{w}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			pid := cmd.Process.Pid
			defer func() {
				if p, err := os.FindProcess(pid); err == nil {
					p.Kill()
				}
			}()
			w.Close()
			var stderr strings.Builder
			code := awaitStart(cmd, r, &stderr)
			if code != tt.wantCode || !strings.Contains(stderr.String(), tt.wantStderr) || (tt.wantStderr == "" && stderr.Len() > 0) {
				t.Errorf("awaitStart = %d, stderr %q; want %d, stderr with %q", code, stderr.String(), tt.wantCode, tt.wantStderr)
			}
		})
	}
}

// The forked child drops the mark that it is one, so that a script it runs
// (which inherits its environment) cannot take itself for a forked child.
func TestStartReportClearsMark(t *testing.T) {
	t.Setenv(envDaemonized, "1")
	openStartReport()
	if v, ok := os.LookupEnv(envDaemonized); ok {
		t.Errorf("%s=%q still set for the daemon's children", envDaemonized, v)
	}
}
