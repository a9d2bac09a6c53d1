package notify

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"

	"github.com/gokeepalived/gokeepalived/internal/track"
)

func TestFIFOLinesInNotifyOrder(t *testing.T) {
	p := filepath.Join(t.TempDir(), "fifo")
	f, err := OpenFIFO(p, nil, discardLog())
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := os.OpenFile(p, os.O_RDONLY|unix.O_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	n := New(Config{Log: discardLog(), FIFOs: []*FIFO{f}})
	for _, ev := range []Event{
		{KindInstance, "VI_1", StateBackup, 100},
		{KindGroup, "G1", StateBackup, 0},
		{KindInstance, "VI_1", StateMaster, 100},
		{KindInstance, "VI_1", StateMasterPriority, 90},
		{KindInstance, "VI_1", StateMasterRxLowerPri, 90},
		{KindInstance, "VI_1", StateDeleted, 90}, // no notify_deleted: FAULT
	} {
		n.Notify(ev)
	}
	n.Close(context.Background())
	buf := make([]byte, 4096)
	k, _ := r.Read(buf)
	want := `INSTANCE "VI_1" BACKUP 100
GROUP "G1" BACKUP 0
INSTANCE "VI_1" MASTER 100
INSTANCE "VI_1" MASTER_PRIORITY 90
INSTANCE "VI_1" MASTER_RX_LOWER_PRI 90
INSTANCE "VI_1" FAULT 90
`
	if diff := cmp.Diff(want, string(buf[:k])); diff != "" {
		t.Errorf("fifo content (-want +got):\n%s", diff)
	}
}

func TestFIFONobodyReadsNeverBlocks(t *testing.T) {
	p := filepath.Join(t.TempDir(), "fifo")
	f, err := OpenFIFO(p, nil, discardLog())
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	line := Event{KindInstance, "VI_1", StateMaster, 100}.FIFOLine()
	written := 0
	const tries = 10000 // ~250 KiB, four times a default pipe buffer
	for range tries {
		if f.WriteLine(line) {
			written++
		}
	}
	if written == 0 || written == tries {
		t.Fatalf("written %d of %d: want the pipe to fill and the rest dropped", written, tries)
	}
	if got := f.Dropped(); got != uint64(tries-written) {
		t.Errorf("dropped %d, want %d", got, tries-written)
	}
}

func TestFIFOCreateAndRemove(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "fifo")
	f, err := OpenFIFO(p, nil, discardLog())
	if err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(p); err != nil || st.Mode()&os.ModeNamedPipe == 0 {
		t.Fatalf("stat %s: %v, %v", p, st, err)
	}
	f.Close()
	if _, err := os.Stat(p); !os.IsNotExist(err) {
		t.Errorf("fifo we created is still there after Close: %v", err)
	}
	// A regular file at the path is refused and left alone.
	reg := filepath.Join(dir, "file")
	if err := os.WriteFile(reg, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenFIFO(reg, nil, discardLog()); err == nil || !strings.Contains(err.Error(), "not a fifo") {
		t.Errorf("regular file: err %v, want refusal", err)
	}
	if _, err := os.Stat(reg); err != nil {
		t.Errorf("regular file removed: %v", err)
	}
}

func TestFIFOScriptGetsPathAndReadsLines(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "fifo")
	out := filepath.Join(dir, "out")
	args := filepath.Join(dir, "args")
	reader := script(t, dir, "reader.sh", `echo "$@" > `+args+`; exec cat "$2" > `+out)
	f, err := OpenFIFO(p, nil, discardLog())
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	f.StartScript(*gated(t, reader, "opt"), track.OSExec)
	f.WriteLine(Event{KindInstance, "VI_1", StateMaster, 100}.FIFOLine())
	f.WriteLine(Event{KindGroup, "G", StateFault, 0}.FIFOLine())
	waitFor(t, func() bool { b, _ := os.ReadFile(out); return strings.Count(string(b), "\n") == 2 })
	f.StopScript()
	got := append(readLines(t, args), readLines(t, out)...)
	want := []string{"opt " + p, `INSTANCE "VI_1" MASTER 100`, `GROUP "G" FAULT 0`}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// The FIFO script is stopped with SIGTERM first, so it can clean up, as
// keepalived stops it.
func TestFIFOScriptGetsSIGTERM(t *testing.T) {
	dir := t.TempDir()
	mark, ready := filepath.Join(dir, "term"), filepath.Join(dir, "ready")
	s := script(t, dir, "trap.sh", `trap 'echo term > `+mark+`; exit 0' TERM
touch `+ready+`
while :; do sleep 0.05; done`)
	f, err := OpenFIFO(filepath.Join(dir, "fifo"), nil, discardLog())
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	f.StartScript(*gated(t, s), track.OSExec)
	waitFor(t, func() bool { _, err := os.Stat(ready); return err == nil })
	f.StopScript()
	if got := readLines(t, mark); len(got) != 1 || got[0] != "term" {
		t.Errorf("script's TERM trap wrote %q, want [term]: it was not sent SIGTERM", got)
	}
}

// Close removes only the FIFO it made: a file put at the path since (or a
// symlink planted there) is left alone, and a planted symlink is never
// opened.
func TestFIFOCloseLeavesReplacement(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "fifo")
	f, err := OpenFIFO(p, nil, discardLog())
	if err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(dir, "other")
	if err := os.WriteFile(other, []byte("not ours"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(other, p); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if b, err := os.ReadFile(p); err != nil || string(b) != "not ours" {
		t.Errorf("file put at the fifo's path was removed or changed by Close: %q, %v", b, err)
	}

	target := filepath.Join(dir, "target.fifo")
	if err := unix.Mkfifo(target, 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenFIFO(link, nil, discardLog()); err == nil {
		t.Error("a symlink planted at the fifo's path was opened")
	}
	if _, err := os.Lstat(link); err != nil {
		t.Errorf("planted symlink removed: %v", err)
	}
}
