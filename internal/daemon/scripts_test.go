package daemon

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gokeepalived/gokeepalived/internal/config/configtest"
	"github.com/gokeepalived/gokeepalived/internal/effect"
	"github.com/gokeepalived/gokeepalived/internal/notify/policy"
	"github.com/gokeepalived/gokeepalived/internal/track"
	"github.com/google/go-cmp/cmp"
)

// scriptDaemon is a Daemon with just enough to start scripts, logging
// into the returned buffer.
func scriptDaemon(t *testing.T, text string) (*Daemon, *bytes.Buffer) {
	t.Helper()
	var buf bytes.Buffer
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	d := &Daemon{conf: configtest.Load(t, text), log: slog.New(slog.NewTextHandler(&buf, nil)),
		trk: trackState{ch: make(chan trackEvent, 16)}, loop: loopState{ctx: ctx},
		sys: sysDeps{System: System{Exec: track.OSExec}}}
	return d, &buf
}

// rootDir is a temporary directory root may run scripts from (0755).
func rootDir(t *testing.T) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root: scripts run as other users and root-owned paths are judged")
	}
	dir := t.TempDir()
	for _, p := range []string{dir, filepath.Dir(dir)} { // nobody must reach it too
		if err := os.Chmod(p, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func shScript(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestRefusedTrackScriptIsNotTracked: a vrrp_script the gate refuses
// (missing, or naming a user that does not exist) is disabled at start and
// taken out of tracking as keepalived does: its weight never applies.
// Before, it counted as failing, so its weight applied at once.
func TestRefusedTrackScriptIsNotTracked(t *testing.T) {
	dir := rootDir(t)
	good := shScript(t, dir, "good.sh", "exit 1")
	d, log := scriptDaemon(t, `global_defs {
 enable_script_security
 script_user root
}
vrrp_script missing {
 script "`+filepath.Join(dir, "nope.sh")+`"
 weight -30
}
vrrp_script nouser {
 script "`+good+`"
 user gk-deploy
 weight -20
}
vrrp_script good {
 script "`+good+`"
 weight -10
}
vrrp_instance VI_1 {
 interface eth0
 virtual_router_id 1
 virtual_ipaddress {
  10.0.0.1
 }
 track_script {
  missing
  nouser
  good
 }
}
`)
	d.trackers().Start(d.loop.ctx, d.conf)
	ev := <-d.trk.ch // good's first run: it exits 1
	d.trackerChanged(ev)
	got := effect.Compute(d.conf, effect.Instance{Conf: d.conf.Instances[0], Iface: "eth0", IfaceUp: true}, trackStates{d})
	if diff := cmp.Diff(effect.Set{{Kind: effect.Script, Name: "good"}: {Delta: -10}}, got); diff != "" {
		t.Errorf("effects (-want +got):\n%s", diff)
	}
	for _, msg := range []string{"Disabling track script missing since not found/accessible",
		"Unable to set uid/gid for script"} {
		if !strings.Contains(log.String(), msg) {
			t.Errorf("log lacks %q:\n%s", msg, log)
		}
	}
	if s := d.snapshot(); len(s.Trackers) != 3 || s.Trackers[0].Status != "DISABLED" || s.Trackers[0].Disabled == "" {
		t.Errorf("snapshot trackers %+v, want the refused ones DISABLED with a reason", s.Trackers)
	} else if got := s.Trackers[0].LastError; !strings.HasPrefix(got, "refused: ") || !strings.Contains(got, s.Trackers[0].Disabled) {
		t.Errorf("refused tracker's last error %q, want the refusal %q", got, s.Trackers[0].Disabled)
	} else if got := s.Trackers[2].LastError; got != "" {
		t.Errorf("a script that exited 1 has last error %q, want none (its exit code says it)", got)
	}
}

// TestNotifyUserNeverFallsBackToRoot: `notify_master /x/n.sh MASTER` reads
// MASTER as the user; keepalived refuses the script. Before, it ran as
// root.
func TestNotifyUserNeverFallsBackToRoot(t *testing.T) {
	dir := rootDir(t)
	n := shScript(t, dir, "n.sh", "exit 0")
	d, log := scriptDaemon(t, `vrrp_instance VI_1 {
 interface eth0
 virtual_router_id 1
 virtual_ipaddress {
  10.0.0.1
 }
 notify_master `+n+` MASTER
 notify_backup `+n+` nobody
}
`)
	s := policy.Scripts(d.checkScript, &d.conf.Instances[0].Notifications)
	if s.Master != nil {
		t.Errorf("notify_master with user MASTER: %v, want refused", s.Master)
	}
	if s.Backup == nil || s.Backup.Cred() == nil || s.Backup.Cred().UID != 65534 {
		t.Errorf("notify_backup as nobody: %+v", s.Backup)
	}
	if want := "Invalid user/group for notify script " + n + " - ignoring"; !strings.Contains(log.String(), want) {
		t.Errorf("log lacks %q:\n%s", want, log)
	}
}

// TestFIFOUnknownUserNotOpened: a notify FIFO whose user does not exist is
// ignored (keepalived's behaviour), never created owned by root instead.
func TestFIFOUnknownUserNotOpened(t *testing.T) {
	dir := rootDir(t)
	fifo := filepath.Join(dir, "fifo")
	d, log := scriptDaemon(t, "global_defs {\n notify_fifo "+fifo+" gk-nouser\n}\n")
	d.startNotifier()
	defer d.ann.notifier.Close(context.Background())
	if len(d.ann.fifos) != 0 {
		t.Errorf("fifos %v, want none", d.ann.fifos)
	}
	if _, err := os.Stat(fifo); err == nil {
		t.Error("fifo created")
	}
	if !strings.Contains(log.String(), "Invalid user/group for notify_fifo") {
		t.Errorf("log:\n%s", log)
	}
}

// TestStartupShutdownScripts: startup_script and shutdown_script run
// through the gate, as the script user, and the daemon waits for them; at
// their timeout they are killed and the daemon goes on.
func TestStartupShutdownScripts(t *testing.T) {
	dir := rootDir(t)
	out := filepath.Join(dir, "out")
	if err := os.WriteFile(out, nil, 0o666); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(out, 0o666); err != nil {
		t.Fatal(err)
	}
	start := shScript(t, dir, "start.sh", `echo "start $(id -u) $*" >> `+out)
	stop := shScript(t, dir, "stop.sh", `echo "stop $(id -u)" >> `+out)
	hang := shScript(t, dir, "hang.sh", `echo hang >> `+out+`; sleep 60`)
	tests := []struct {
		name    string
		global  string
		want    []string
		wantLog string
	}{
		{"both run as the script user", "startup_script \"" + start + " a\" nobody\nshutdown_script " + stop + "\nscript_user root",
			[]string{"start 65534 a", "stop 0"}, "startup script succeeded"},
		{"timeout kills it and goes on", "startup_script " + hang + "\nstartup_script_timeout 1\nscript_user root",
			[]string{"hang"}, "startup script timed out"},
		{"unknown user: not run", "startup_script " + start + " gk-nouser", nil, "Invalid startup script"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := os.Truncate(out, 0); err != nil {
				t.Fatal(err)
			}
			d, log := scriptDaemon(t, "global_defs {\n"+tt.global+"\n}\n")
			d.runStartupScript()
			d.runShutdownScript()
			var got []string
			if b, _ := os.ReadFile(out); len(b) > 0 {
				got = strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("runs (-want +got):\n%s\nlog:\n%s", diff, log)
			}
			if !strings.Contains(log.String(), tt.wantLog) {
				t.Errorf("log lacks %q:\n%s", tt.wantLog, log)
			}
		})
	}
}
