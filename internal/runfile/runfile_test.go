package runfile

import (
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain lets a test start this binary again as a stand-in daemon.
func TestMain(m *testing.M) {
	if os.Getenv("GK_RUNFILE_HELPER") == "sleep" {
		time.Sleep(time.Minute)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func mkdir(t *testing.T, p string, mode os.FileMode) string {
	t.Helper()
	if err := os.Mkdir(p, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCheckDir(t *testing.T) {
	base := t.TempDir()
	ok := mkdir(t, filepath.Join(base, "ok"), 0o755)
	loose := mkdir(t, filepath.Join(base, "loose"), 0o777)
	groupW := mkdir(t, filepath.Join(base, "groupw"), 0o775)
	sticky := mkdir(t, filepath.Join(base, "sticky"), os.ModeSticky|0o777)
	inSticky := mkdir(t, filepath.Join(sticky, "mine"), 0o755)
	under := mkdir(t, filepath.Join(loose, "sub"), 0o755)
	toLoose := filepath.Join(base, "toloose")
	if err := os.Symlink(loose, toLoose); err != nil {
		t.Fatal(err)
	}
	relLink := filepath.Join(ok, "rel")
	if err := os.Symlink("../sticky/mine", relLink); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, dir, wantReal, wantErr string
	}{
		{"private", ok, ok, ""},
		{"sticky like /tmp", inSticky, inSticky, ""},
		{"relative symlink resolved", relLink, inSticky, ""},
		{"dot-dot", filepath.Join(ok, "..", "ok"), ok, ""},
		{"world-writable", loose, "", loose + " is writable by everyone (mode 0777)"},
		{"group-writable", groupW, "", groupW + " is writable by group"},
		{"below a world-writable one", under, "", loose + " is writable by everyone"},
		{"symlink into a world-writable one", toLoose, "", loose + " is writable by everyone"},
		{"missing", filepath.Join(base, "nope"), "", "no such file"},
		{"a file", "/proc/self/status", "", "not a directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := CheckDir(tt.dir, Trusted())
			if tt.wantErr == "" {
				if err != nil || got != tt.wantReal {
					t.Fatalf("CheckDir(%s) = %q, %v; want %q", tt.dir, got, err, tt.wantReal)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("CheckDir(%s) error %v; want one containing %q", tt.dir, err, tt.wantErr)
			}
		})
	}
}

// As root, a directory or symlink that belongs to another user is refused:
// that user could swap what is inside.
func TestCheckDirOwners(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("chown to another user needs root")
	}
	base := t.TempDir()
	theirs := mkdir(t, filepath.Join(base, "theirs"), 0o755)
	if err := os.Chown(theirs, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	ok := mkdir(t, filepath.Join(base, "ok"), 0o755)
	link := filepath.Join(base, "link")
	if err := os.Symlink(ok, link); err != nil {
		t.Fatal(err)
	}
	if err := os.Lchown(link, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{theirs, link} {
		_, err := CheckDir(dir, Trusted())
		var ue *UntrustedError
		if !errors.As(err, &ue) || ue.Path != dir || !strings.Contains(err.Error(), "owned by uid 65534") {
			t.Errorf("CheckDir(%s) = %v; want it refused as owned by uid 65534", dir, err)
		}
	}
}

func TestMakeDirIgnoresUmask(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b")
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	if _, err := MakeDir(dir, Trusted()); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{dir, filepath.Dir(dir)} {
		fi, err := os.Stat(d)
		if err != nil || fi.Mode().Perm() != 0o755 {
			t.Errorf("%s: mode %v, %v; want 0755", d, fi.Mode(), err)
		}
	}
}

func readString(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// keepalived opens its pid file with O_NOFOLLOW: a symlink planted at the
// path is refused and its target left untouched.
func TestWritePIDRefusesSymlink(t *testing.T) {
	dir := t.TempDir()
	victim := filepath.Join(dir, "shadow")
	if err := os.WriteFile(victim, []byte("root:x:0:0\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "gk.pid")
	if err := os.Symlink(victim, path); err != nil {
		t.Fatal(err)
	}
	p, err := WritePID(path, Trusted())
	if err == nil {
		p.Close()
		t.Fatal("WritePID through a planted symlink: no error")
	}
	if !strings.Contains(err.Error(), "symlink") {
		t.Errorf("error %q does not say it is a symlink", err)
	}
	if got := readString(t, victim); got != "root:x:0:0\n" {
		t.Errorf("symlink target overwritten: %q", got)
	}
	if _, err := WritePID(filepath.Join(mkdir(t, filepath.Join(dir, "loose"), 0o777), "gk.pid"), Trusted()); err == nil ||
		!strings.Contains(err.Error(), "writable by everyone") {
		t.Errorf("pid file in a world-writable directory: err %v, want a refusal", err)
	}
}

// The pid file is locked while held: a second daemon with the same pid
// file is told who runs, and neither rewrites nor removes it.
func TestWritePIDLocks(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run", "gk.pid")
	p, err := WritePID(path, Trusted())
	if err != nil {
		t.Fatal(err)
	}
	want := strconv.Itoa(os.Getpid()) + "\n"
	if got := readString(t, path); got != want {
		t.Fatalf("pid file = %q, want %q", got, want)
	}
	_, err = WritePID(path, Trusted())
	var re *RunningError
	if !errors.As(err, &re) || re.PID != os.Getpid() || re.Path != path {
		t.Fatalf("second WritePID: %v; want a RunningError naming pid %d", err, os.Getpid())
	}
	if got := readString(t, path); got != want {
		t.Errorf("pid file after the refused second daemon = %q, want %q", got, want)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("pid file left after Close: %v", err)
	}
	// Released: a new daemon takes it over, also from a stale file.
	if err := os.WriteFile(path, []byte("1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p2, err := WritePID(path, Trusted())
	if err != nil {
		t.Fatalf("stale pid file: %v", err)
	}
	p2.Close()
}

// Close removes the pid file only while it is still the one written.
func TestPIDCloseLeavesReplacement(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gk.pid")
	p, err := WritePID(path, Trusted())
	if err != nil {
		t.Fatal(err)
	}
	other := path + ".other"
	if err := os.WriteFile(other, []byte("another daemon's\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(other, path); err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); err == nil {
		t.Error("Close of a replaced pid file: no error reported")
	}
	if got := readString(t, path); got != "another daemon's\n" {
		t.Errorf("replacement = %q after Close, want it untouched", got)
	}
}

// Liveness is judged by the executable file, not the process name: this
// binary started through a symlink named keepalived is the same program;
// another program named gokeepalived is not.
func TestSameExecutable(t *testing.T) {
	dir := t.TempDir()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "keepalived")
	if err := os.Symlink(self, link); err != nil {
		t.Fatal(err)
	}
	sleepBin, err := exec.LookPath("sleep")
	if err != nil {
		t.Skip("no sleep binary")
	}
	impostor := filepath.Join(dir, "gokeepalived")
	copyFile(t, sleepBin, impostor)
	start := func(cmd *exec.Cmd) int {
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		return cmd.Process.Pid
	}
	twin := exec.Command(link)
	twin.Env = append(os.Environ(), "GK_RUNFILE_HELPER=sleep")
	twinPID := start(twin)
	impostorPID := start(exec.Command(impostor, "60"))
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		pid  int
		want bool
	}{
		{"same binary through a symlink named keepalived", twinPID, true},
		{"another program named gokeepalived", impostorPID, false},
		{"a dead process", dead.Process.Pid, false},
	}
	for _, tt := range tests {
		if got := SameExecutable(tt.pid); got != tt.want {
			t.Errorf("%s: SameExecutable(%d) = %v, want %v", tt.name, tt.pid, got, tt.want)
		}
	}
	// An unlocked pid file naming the twin still means "running".
	path := filepath.Join(dir, "old.pid")
	if err := os.WriteFile(path, []byte(strconv.Itoa(twinPID)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var re *RunningError
	if _, err := WritePID(path, Trusted()); !errors.As(err, &re) || re.PID != twinPID {
		t.Errorf("pid file of a live unlocked daemon: %v, want a RunningError for %d", err, twinPID)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}
