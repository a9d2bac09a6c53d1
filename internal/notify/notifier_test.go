package notify

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gokeepalived/gokeepalived/internal/track"
)

func discardLog() *slog.Logger { return slog.New(slog.DiscardHandler) }

// gated passes argv through a script gate with default settings.
func gated(t testing.TB, argv ...string) *Script {
	t.Helper()
	c, err := track.NewGate(track.SecurityConfig{}).Check(track.Spec{Kind: track.KindNotify, Name: t.Name(), Argv: argv})
	if err != nil {
		t.Fatal(err)
	}
	return &c
}

// fake is a script for fake Execers only.
func fake(argv ...string) *Script {
	c := track.Fake(argv...)
	return &c
}

// script writes an executable shell script and returns its path.
func script(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func readLines(t *testing.T, p string) []string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}

// TestScriptsRunInTransitionOrder: the first script is slow, yet every
// script of the instance runs after the previous one, line by line exactly
// as keepalived would pass the arguments.
func TestScriptsRunInTransitionOrder(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "log")
	// notify_master is slow; had they run concurrently, BACKUP would be logged first.
	master := script(t, dir, "master.sh", `sleep 0.5; echo "master $*" >> `+log)
	backup := script(t, dir, "backup.sh", `echo "backup $*" >> `+log)
	fault := script(t, dir, "fault.sh", `echo "fault $*" >> `+log)
	generic := script(t, dir, "notify.sh", `echo "notify $*" >> `+log)
	n := New(Config{Log: discardLog()})
	n.SetScripts(KindInstance, "VI_1", Scripts{
		Master: gated(t, master, "a b"), Backup: gated(t, backup),
		Fault: gated(t, fault), Notify: gated(t, generic, "first"),
	})
	for _, ev := range []Event{
		{KindInstance, "VI_1", StateMaster, 100},
		{KindInstance, "VI_1", StateBackup, 90},
		{KindInstance, "VI_1", StateFault, 90},
		{KindInstance, "VI_1", StateMaster, 100},
	} {
		n.Notify(ev)
	}
	n.Close(context.Background())
	want := []string{
		"master a b",
		"notify first INSTANCE VI_1 MASTER 100",
		"backup ",
		"notify first INSTANCE VI_1 BACKUP 90",
		"fault ",
		"notify first INSTANCE VI_1 FAULT 90",
		"master a b",
		"notify first INSTANCE VI_1 MASTER 100",
	}
	if diff := cmp.Diff(want, readLines(t, log)); diff != "" {
		t.Errorf("script log (-want +got):\n%s", diff)
	}
}

// blockingExec hangs every run until released or cancelled, counting starts.
type blockingExec struct {
	mu      sync.Mutex
	started []string
	release chan struct{}
}

func (b *blockingExec) Exec(ctx context.Context, c track.Command) track.Outcome {
	b.mu.Lock()
	b.started = append(b.started, c.Script.String())
	b.mu.Unlock()
	select {
	case <-b.release:
		return track.Outcome{}
	case <-ctx.Done():
		return track.Outcome{ExitCode: -1, TimedOut: true}
	}
}

func TestHangingScriptNeverBlocksNotify(t *testing.T) {
	b := &blockingExec{release: make(chan struct{})}
	n := New(Config{Log: discardLog(), Exec: b, QueueLen: 4})
	n.SetScripts(KindInstance, "VI_1", Scripts{Notify: fake("/n")})
	n.SetScripts(KindInstance, "VI_2", Scripts{Notify: fake("/n")})
	started := func(k int) func() bool {
		return func() bool {
			b.mu.Lock()
			defer b.mu.Unlock()
			return len(b.started) == k
		}
	}
	n.Notify(Event{KindInstance, "VI_1", StateMaster, 0})
	waitFor(t, started(1))
	// Would deadlock (and time out the test) if Notify waited for scripts.
	for i := 1; i < 100; i++ {
		n.Notify(Event{KindInstance, "VI_1", StateMaster, i})
	}
	n.Notify(Event{KindInstance, "VI_2", StateBackup, 7})
	// VI_2 has its own worker: it starts although VI_1's script hangs.
	waitFor(t, started(2))
	// One event is running, 4 are queued, the other 95 were dropped (oldest first).
	if got := n.Dropped(); got != 95 {
		t.Errorf("dropped %d, want 95", got)
	}
	close(b.release)
	n.Close(context.Background())
	want := []string{"/n INSTANCE VI_1 MASTER 0", "/n INSTANCE VI_1 MASTER 96", "/n INSTANCE VI_1 MASTER 97",
		"/n INSTANCE VI_1 MASTER 98", "/n INSTANCE VI_1 MASTER 99"}
	var got []string
	for _, s := range b.started {
		if strings.Contains(s, "VI_1") {
			got = append(got, s)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("VI_1 runs (-want +got):\n%s", diff)
	}
}

func TestCloseKillsHangingScripts(t *testing.T) {
	b := &blockingExec{release: make(chan struct{})}
	n := New(Config{Log: discardLog(), Exec: b})
	n.SetScripts(KindInstance, "VI_1", Scripts{Notify: fake("/n")})
	n.Notify(Event{KindInstance, "VI_1", StateMaster, 100})
	n.Notify(Event{KindInstance, "VI_1", StateStop, 100})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	n.Close(ctx) // must return although the script never ends by itself
	if len(b.started) != 1 {
		t.Errorf("started %v, want only the first (the rest is abandoned at close)", b.started)
	}
}

func TestNotifyScriptTimeout(t *testing.T) {
	dir := t.TempDir()
	n := New(Config{Log: discardLog(), ScriptTimeout: 200 * time.Millisecond})
	out := filepath.Join(dir, "out")
	n.SetScripts(KindInstance, "VI_1", Scripts{
		Master: gated(t, script(t, dir, "hang.sh", "sleep 60")),
		Backup: gated(t, script(t, dir, "b.sh", "echo backup >> "+out)),
	})
	n.Notify(Event{KindInstance, "VI_1", StateMaster, 100})
	n.Notify(Event{KindInstance, "VI_1", StateBackup, 100})
	waitFor(t, func() bool { return readLines(t, out)[0] == "backup" })
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for range 1000 {
		if cond() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("condition not met within 10 s")
}

func BenchmarkNotifyWhileScriptHangs(b *testing.B) {
	be := &blockingExec{release: make(chan struct{})}
	n := New(Config{Log: discardLog(), Exec: be})
	n.SetScripts(KindInstance, "VI_1", Scripts{Notify: fake("/n")})
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		n.Notify(Event{KindInstance, "VI_1", StateMaster, i})
	}
	b.StopTimer()
	close(be.release)
	n.Close(context.Background())
}
