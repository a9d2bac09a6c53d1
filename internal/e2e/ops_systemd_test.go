package e2e

import (
	"net"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/lab"
)

// notifySink is a fake systemd notification socket.
type notifySink struct {
	mu   sync.Mutex
	msgs []string
}

func (s *notifySink) all() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.msgs...)
}

// count returns how many messages contain substr.
func (s *notifySink) count(substr string) int {
	n := 0
	for _, m := range s.all() {
		if strings.Contains(m, substr) {
			n++
		}
	}
	return n
}

// startNotifySink listens as systemd's notification socket would and
// points NOTIFY_SOCKET at it for the daemons the test starts.
func startNotifySink(t *testing.T) *notifySink {
	t.Helper()
	path := filepath.Join(t.TempDir(), "notify.sock")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	sink := &notifySink{}
	go func() {
		buf := make([]byte, 4096)
		for {
			n, _, err := conn.ReadFromUnix(buf)
			if err != nil {
				return
			}
			sink.mu.Lock()
			sink.msgs = append(sink.msgs, string(buf[:n]))
			sink.mu.Unlock()
		}
	}()
	t.Cleanup(func() { conn.Close() })
	t.Setenv("NOTIFY_SOCKET", path)
	return sink
}

// TestOpsSystemdNotify runs the daemon as systemd would run the packaged
// unit (NOTIFY_SOCKET, WATCHDOG_USEC; systemd is not PID 1 here) and
// checks the sd_notify protocol: READY=1 once started, WATCHDOG=1 pings,
// RELOADING=1 with MONOTONIC_USEC then READY=1 around a reload, and
// STOPPING=1 on SIGTERM.
func TestOpsSystemdNotify(t *testing.T) {
	needRoot(t)
	l := lab.New(t, lab.Spec{Hosts: lab.Hosts("a")})
	na := newNode(t, l.Host("a"), opsText("a", "BACKUP", 100, []string{"192.168.1.6"}, ""))
	sink := startNotifySink(t)
	t.Setenv("WATCHDOG_USEC", "400000") // pings every 200 ms
	na.start(t)

	eventually(t, 10*time.Second, "READY=1", func() (bool, string) { return sink.count("READY=1") == 1, strings.Join(sink.all(), "|") })
	eventually(t, 5*time.Second, "watchdog pings", func() (bool, string) { return sink.count("WATCHDOG=1") >= 3, strings.Join(sink.all(), "|") })

	na.signal(t, syscall.SIGHUP)
	eventually(t, 5*time.Second, "RELOADING=1 then READY=1", func() (bool, string) {
		return sink.count("READY=1") == 2, strings.Join(sink.all(), "|")
	})
	var reloading string
	for _, m := range sink.all() {
		if strings.HasPrefix(m, "RELOADING=1") {
			reloading = m
		}
	}
	if !strings.Contains(reloading, "\nMONOTONIC_USEC=") {
		t.Errorf("reload notification %q lacks MONOTONIC_USEC", reloading)
	}

	na.signal(t, syscall.SIGTERM)
	na.wait(t, 10*time.Second)
	if sink.count("STOPPING=1") != 1 {
		t.Errorf("notifications %q: want one STOPPING=1", sink.all())
	}
}
