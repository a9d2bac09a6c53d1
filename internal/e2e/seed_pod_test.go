package e2e

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/lab"
)

// seedNginxBin is the Debian package's nginx, which the seed scenario runs.
const seedNginxBin = "/usr/sbin/nginx"

// seedNeedNginx skips t when nginx is not installed.
func seedNeedNginx(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(seedNginxBin); err != nil {
		t.Skipf("needs real nginx at %s (apt-get install nginx): %v", seedNginxBin, err)
	}
}

// server is one of the seed's servers: a lab host whose programs run in
// their own PID and mount namespace (a "pod"), so that the seed's check
// script (`ps -C nginx`, `killall`) sees only this server's processes, and
// `/usr/sbin/nginx` without arguments reads this server's nginx.conf
// (bind-mounted over /etc/nginx/nginx.conf inside the pod only).
type seedServer struct {
	host *lab.Host
	dir  string
	init *lab.Proc // unshare; its child is the pod's PID 1
	pid1 int       // the pod's PID 1 as the root PID namespace sees it

	daemon    *lab.Proc // nsenter running the daemon
	daemonPid int       // the daemon itself (root namespace pid)
}

// seedNginxConf is a per-server nginx.conf: everything nginx writes stays in
// dir, and every request is answered with a page naming the server.
const seedNginxConf = `worker_processes 1;
pid %[1]s/nginx.pid;
error_log %[1]s/log/error.log;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path %[1]s/tmp/body;
    proxy_temp_path %[1]s/tmp/proxy;
    fastcgi_temp_path %[1]s/tmp/fastcgi;
    uwsgi_temp_path %[1]s/tmp/uwsgi;
    scgi_temp_path %[1]s/tmp/scgi;
    server {
        listen 80;
        location / {
            default_type text/plain;
            return 200 "server %[2]s\n";
        }
    }
}
`

// seedPodInit is the pod's PID 1: it puts this server's nginx files in place
// and then only reaps orphans (nginx daemonizes and is re-parented to it).
const seedPodInit = `set -e
mount --bind "$1/nginx.conf" /etc/nginx/nginx.conf
mount --bind "$1/log" /var/log/nginx
echo ready
while :; do sleep 1; done
`

// newSeedServer starts h's pod. Lab.Close kills the pod's PID 1, and with it
// (the kernel does this) every process in the pod, nginx included.
func newSeedServer(t *testing.T, h *lab.Host) *seedServer {
	t.Helper()
	s := &seedServer{host: h, dir: t.TempDir()}
	for _, d := range []string{"log", "tmp"} {
		if err := os.Mkdir(filepath.Join(s.dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	s.writeNginxConf(t, fmt.Sprintf(seedNginxConf, s.dir, h.Name))
	p, err := h.Run(context.Background(), "unshare", "--pid", "--fork", "--mount-proc",
		"/bin/sh", "-c", seedPodInit, "init", s.dir)
	if err != nil {
		t.Fatalf("start pod on %s: %v", h.Name, err)
	}
	s.init = p
	eventually(t, 10*time.Second, h.Name+" pod ready", func() (bool, string) {
		return strings.Contains(p.Output(), "ready"), p.Output()
	})
	kids := childPids(p.Pid)
	if len(kids) != 1 {
		t.Fatalf("pod on %s: want one child of unshare, got %v", h.Name, kids)
	}
	s.pid1 = kids[0]
	return s
}

// writeNginxConf rewrites the server's nginx.conf in place (same inode, so
// the bind mount inside the pod sees the new text).
func (s *seedServer) writeNginxConf(t *testing.T, text string) {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(s.dir, "nginx.conf"), os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(f, text); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// children returns the pids of pid's child processes.
func childPids(pid int) []int {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", pid, pid))
	var out []int
	for _, f := range strings.Fields(string(b)) {
		if n, err := strconv.Atoi(f); err == nil {
			out = append(out, n)
		}
	}
	return out
}

// podCommand returns a command running name inside the server's pod.
func (s *seedServer) podCommand(name string, args ...string) []string {
	return append([]string{"-t", strconv.Itoa(s.pid1), "-p", "-m", "--", name}, args...)
}

// exec runs name in the pod and returns its output.
func (s *seedServer) exec(t *testing.T, name string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return s.host.Exec(ctx, "nsenter", s.podCommand(name, args...)...)
}

// startNginx starts nginx in the pod as the check script would.
func (s *seedServer) startNginx(t *testing.T) {
	t.Helper()
	if out, err := s.exec(t, seedNginxBin); err != nil {
		t.Fatalf("start nginx on %s: %v\n%s", s.host.Name, err, out)
	}
	eventually(t, 10*time.Second, "nginx up on "+s.host.Name, func() (bool, string) {
		n := s.nginxCount(t)
		return n > 0, fmt.Sprintf("%d nginx processes", n)
	})
}

// stopNginx stops nginx (SIGTERM to the master, whose pid file holds its
// pid inside the pod) and waits until no nginx process is left.
func (s *seedServer) stopNginx(t *testing.T) {
	t.Helper()
	if out, err := s.exec(t, "/bin/sh", "-c", `kill -TERM "$(cat "$1/nginx.pid")"`, "stop", s.dir); err != nil {
		t.Fatalf("stop nginx on %s: %v\n%s", s.host.Name, err, out)
	}
	eventually(t, 10*time.Second, "nginx gone on "+s.host.Name, func() (bool, string) {
		n := s.nginxCount(t)
		return n == 0, fmt.Sprintf("%d nginx processes", n)
	})
}

// nginxCount counts nginx processes in the pod, as the check script does.
func (s *seedServer) nginxCount(t *testing.T) int {
	t.Helper()
	out, _ := s.exec(t, "ps", "-C", "nginx", "--no-header")
	return seedCountLines(out)
}

func seedCountLines(s string) int {
	n := 0
	for _, l := range strings.Split(s, "\n") {
		if strings.TrimSpace(l) != "" {
			n++
		}
	}
	return n
}

// startDaemon runs bin with args inside the pod and finds its pid.
func (s *seedServer) startDaemon(t *testing.T, bin string, args ...string) {
	t.Helper()
	p, err := s.host.Run(context.Background(), "nsenter", s.podCommand(bin, args...)...)
	if err != nil {
		t.Fatalf("start %s on %s: %v", bin, s.host.Name, err)
	}
	s.daemon = p
	eventually(t, 10*time.Second, "daemon pid on "+s.host.Name, func() (bool, string) {
		kids := childPids(p.Pid)
		if len(kids) == 1 {
			s.daemonPid = kids[0]
		}
		return s.daemonPid != 0, fmt.Sprintf("children of nsenter: %v", kids)
	})
	t.Cleanup(func() {
		if t.Failed() || os.Getenv("GK_E2E_LOGS") != "" {
			t.Logf("log of %s on %s:\n%s", filepath.Base(bin), s.host.Name, tail(p.Output(), 80))
		}
	})
}

// signalDaemon sends sig to the daemon process itself.
func (s *seedServer) signalDaemon(t *testing.T, sig syscall.Signal) {
	t.Helper()
	if err := syscall.Kill(s.daemonPid, sig); err != nil {
		t.Fatalf("%s: kill -%v %d: %v", s.host.Name, sig, s.daemonPid, err)
	}
}

// daemonDone reports whether the daemon has exited.
func (s *seedServer) daemonDone() bool {
	select {
	case <-s.daemon.Done():
		return true
	default:
		return false
	}
}

// get fetches http://addr/ from client and returns the body.
func seedGet(client *lab.Host, addr string) (string, error) {
	resp, err := client.HTTPClient(time.Second).Get("http://" + addr + "/")
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return strings.TrimSpace(string(b)), err
}

// seedNeighMAC returns the MAC that client's neighbour table maps addr to.
func seedNeighMAC(t *testing.T, client *lab.Host, addr string) string {
	t.Helper()
	out, err := client.Exec(context.Background(), "ip", "neigh", "show", addr, "dev", client.Ifname)
	if err != nil {
		t.Fatalf("ip neigh on %s: %v", client.Name, err)
	}
	f := strings.Fields(out)
	for i := 0; i+1 < len(f); i++ {
		if f[i] == "lladdr" {
			return f[i+1]
		}
	}
	return ""
}

// seedLookPath is exec.LookPath that skips t when the program is missing.
func seedLookPath(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("needs %s: %v", name, err)
	}
	return p
}
