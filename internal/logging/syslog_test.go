package logging

import (
	"fmt"
	"log/slog"
	"log/syslog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// fakeSyslog is a unixgram socket in a temp dir standing in for /dev/log.
func fakeSyslog(t *testing.T) (string, *net.UnixConn) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "log")
	c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return path, c
}

// readN reads n datagrams, each trimmed of its timestamp: what is left
// is "<PRI>" and "ident[pid]: message".
func readN(t *testing.T, c *net.UnixConn, n int) []string {
	t.Helper()
	var got []string
	buf := make([]byte, 4096)
	for range n {
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		k, err := c.Read(buf)
		if err != nil {
			t.Fatalf("read syslog datagram %d: %v (got %q)", len(got)+1, err, got)
		}
		m := strings.TrimSuffix(string(buf[:k]), "\n")
		pri, rest, _ := strings.Cut(m, ">")
		// rest is "Dec  7 13:04:15 ident[pid]: msg": drop the time.Stamp.
		if len(rest) > len(time.Stamp)+1 {
			rest = rest[len(time.Stamp)+1:]
		}
		got = append(got, pri+">"+rest)
	}
	return got
}

// Each level arrives with its own severity (daemon.err, .warning, .info,
// .debug), VRRP lines as Keepalived_vrrp, parent lines as Keepalived.
func TestSyslogSeverities(t *testing.T) {
	path, c := fakeSyslog(t)
	s, err := DialSyslog(SyslogConfig{Network: "unixgram", Addr: path, Facility: syslog.LOG_DAEMON})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	h := New(Config{Syslog: s, Level: slog.LevelDebug})
	emit(t, h, slog.LevelError, "reload refused", slog.String("err", "bad"))
	emit(t, h, slog.LevelWarn, "(VI_1) send advert")
	emit(t, h, slog.LevelInfo, "(VI_1) Entering MASTER STATE", slog.Int("vrid", 51))
	emit(t, h, slog.LevelDebug, "(VI_1) Receive advertisement timeout")
	emit(t, h, slog.LevelInfo, "Stopping", Parent)
	pid := os.Getpid()
	want := []string{
		fmt.Sprintf("<27>Keepalived_vrrp[%d]: reload refused level=ERROR err=bad", pid),
		fmt.Sprintf("<28>Keepalived_vrrp[%d]: (VI_1) send advert level=WARN", pid),
		fmt.Sprintf("<30>Keepalived_vrrp[%d]: (VI_1) Entering MASTER STATE vrid=51", pid),
		fmt.Sprintf("<31>Keepalived_vrrp[%d]: (VI_1) Receive advertisement timeout level=DEBUG", pid),
		fmt.Sprintf("<30>Keepalived[%d]: Stopping", pid),
	}
	if diff := cmp.Diff(want, readN(t, c, len(want))); diff != "" {
		t.Errorf("datagrams (-want +got):\n%s", diff)
	}
}

// -S local3 and an identifier of our own are honoured.
func TestSyslogFacilityAndIdent(t *testing.T) {
	path, c := fakeSyslog(t)
	s, err := DialSyslog(SyslogConfig{Network: "unixgram", Addr: path, Facility: syslog.LOG_LOCAL3,
		Ident: Ident("gokeepalived", "blue", "")})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	h := New(Config{Syslog: s})
	emit(t, h, slog.LevelWarn, "w")
	emit(t, h, slog.LevelInfo, "Starting", Parent)
	pid := os.Getpid()
	want := []string{
		fmt.Sprintf("<%d>gokeepalived_blue_vrrp[%d]: w level=WARN", syslog.LOG_LOCAL3|syslog.LOG_WARNING, pid),
		fmt.Sprintf("<%d>gokeepalived_blue[%d]: Starting", syslog.LOG_LOCAL3|syslog.LOG_INFO, pid),
	}
	if diff := cmp.Diff(want, readN(t, c, len(want))); diff != "" {
		t.Errorf("datagrams (-want +got):\n%s", diff)
	}
}

func TestDialSyslogMissing(t *testing.T) {
	_, err := DialSyslog(SyslogConfig{Network: "unixgram", Addr: filepath.Join(t.TempDir(), "none")})
	if err == nil {
		t.Errorf("dial a missing socket: want an error")
	}
}

func TestIdent(t *testing.T) {
	tests := []struct{ base, ns, inst, want string }{
		{"Keepalived", "", "", "Keepalived"},
		{"Keepalived", "blue", "", "Keepalived_blue"},
		{"Keepalived", "blue", "lb1", "Keepalived_blue_lb1"},
		{"Keepalived", "", "lb1", "Keepalived_lb1"},
	}
	for _, tt := range tests {
		if got := Ident(tt.base, tt.ns, tt.inst); got != tt.want {
			t.Errorf("Ident(%q, %q, %q) = %q, want %q", tt.base, tt.ns, tt.inst, got, tt.want)
		}
	}
}

// JOURNAL_STREAM names the stream by device and inode; only that file
// matches.
func TestJournalStream(t *testing.T) {
	dir := t.TempDir()
	f, err := os.Create(filepath.Join(dir, "stream"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	other, err := os.Create(filepath.Join(dir, "other"))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	var st syscall.Stat_t
	if err := syscall.Fstat(int(f.Fd()), &st); err != nil {
		t.Fatal(err)
	}
	env := fmt.Sprintf("%d:%d", st.Dev, st.Ino)
	tests := []struct {
		env  string
		f    *os.File
		want bool
	}{
		{env, f, true},
		{env, other, false},
		{"", f, false},
		{"garbage", f, false},
		{fmt.Sprintf("%d:x", st.Dev), f, false},
	}
	for _, tt := range tests {
		if got := journalStream(tt.env, tt.f); got != tt.want {
			t.Errorf("journalStream(%q, %s) = %v, want %v", tt.env, tt.f.Name(), got, tt.want)
		}
	}
	t.Setenv("JOURNAL_STREAM", env)
	if !JournalStream(f) {
		t.Errorf("JournalStream with JOURNAL_STREAM=%s: false", env)
	}
}
