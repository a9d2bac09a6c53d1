package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/lab"
)

// seedConfText is the seed's keepalived.conf (seed-scenario.md, server A),
// verbatim but for the states and priorities, which the forms vary, and the
// check script's path.
const seedConfText = `! Configuration File for keepalived
vrrp_script check_haproxy {
    script "%[1]s"
    interval 2%[6]s
    weight -20
}
vrrp_instance HAPROXY_HA {
    state %[2]s
    interface eth1
    virtual_router_id 80
    priority %[3]d
    advert_int 2
    authentication {
        auth_type PASS
        auth_pass 1234
    }
    track_script {
        check_haproxy
    }
    virtual_ipaddress {
        192.168.1.6
    }
}
vrrp_instance HAPROXY_HA2 {
    state %[4]s
    interface eth1
    virtual_router_id 81
    priority %[5]d
    advert_int 2
    authentication {
        auth_type PASS
        auth_pass 1234
    }
    track_script {
        check_haproxy
    }
    virtual_ipaddress {
        192.168.1.7
    }
}
`

// seedOriginalCheck is the seed's nginx_check.sh as written; %s is the name of
// the daemon's process (keepalived or gokeepalived).
const seedOriginalCheck = "#!/bin/bash\n" +
	"A=`ps -C nginx --no-header |wc -l`\n" +
	"if [ $A -eq 0 ];then\n" +
	"    /usr/sbin/nginx\n" +
	"    sleep 2\n" +
	"    if [ `ps -C nginx --no-header |wc -l` -eq 0 ];then\n" +
	"        killall %s\n" +
	"    fi\n" +
	"fi\n"

// seedPlainCheck fails while no nginx process runs, so weight -20 applies.
const seedPlainCheck = "#!/bin/sh\n[ \"$(ps -C nginx --no-header | wc -l)\" -gt 0 ]\n"

// seedForm is the priorities of one form of the seed configuration. A is
// MASTER for VRID 80 and BACKUP for 81; B has the states swapped. extra is
// added to the vrrp_script block (e.g. a timeout line).
type seedForm struct {
	a80, a81, b80, b81 int
	extra              string
}

var (
	// seedFixed gives the intended master the higher priority.
	seedFixed = seedForm{a80: 100, a81: 90, b80: 90, b81: 100}
	// seedOriginal is the seed as its user wrote it: equal priorities.
	seedOriginal = seedForm{a80: 100, a81: 90, b80: 100, b81: 90}
)

// seedDaemon is the daemon under test: gokeepalived, or keepalived itself
// as the reference for what gokeepalived must do.
type seedDaemon struct {
	name string // process name, for killall
	bin  func(t *testing.T) string
	args func(dir string) []string
}

var (
	seedGo = seedDaemon{
		name: "gokeepalived",
		bin:  binary,
		args: func(dir string) []string {
			return []string{"-n", "-l", "-D", "-G", "-f", filepath.Join(dir, "keepalived.conf"),
				"-p", filepath.Join(dir, "gk.pid"), "--socket", filepath.Join(dir, "gk.sock")}
		},
	}
	seedKeepalived = seedDaemon{
		name: "keepalived",
		bin: func(t *testing.T) string {
			t.Helper()
			return seedLookPath(t, "keepalived")
		},
		args: func(dir string) []string {
			return []string{"-n", "-l", "-D", "-f", filepath.Join(dir, "keepalived.conf"),
				"-p", filepath.Join(dir, "k.pid"), "-r", filepath.Join(dir, "vrrp.pid"),
				"-c", filepath.Join(dir, "checkers.pid")}
		},
	}
)

// seedEnv is the seed's LAN: servers a (.2) and b (.3) and a client (.4).
type seedEnv struct {
	lab    *lab.Lab
	a, b   *seedServer
	client *lab.Host
	kind   seedDaemon
}

var (
	seedMACA = "02:00:00:00:01:02"
	seedMACB = "02:00:00:00:01:03"
)

// newSeedEnv builds the LAN, starts each server's pod and nginx, and writes
// each server's keepalived.conf and check script (check is seedOriginalCheck or
// seedPlainCheck). It checks, after the lab is closed, that nothing is left.
func newSeedEnv(t *testing.T, form seedForm, check string, kind seedDaemon) *seedEnv {
	t.Helper()
	needRoot(t)
	seedNeedNginx(t)
	bin := kind.bin(t)
	_ = bin
	e := &seedEnv{kind: kind}
	var inodes map[uint64]string
	// Registered before lab.New, so it runs after the lab's Close.
	t.Cleanup(func() { seedCheckNothingLeft(t, e.lab, inodes) })
	e.lab = lab.New(t, lab.Spec{Hosts: lab.Hosts("a", "b", "client")})
	inodes = seedNSInodes(t, e.lab)
	e.client = e.lab.Host("client")
	e.a = newSeedServer(t, e.lab.Host("a"))
	e.b = newSeedServer(t, e.lab.Host("b"))
	e.a.configure(t, check, kind, form.extra, "MASTER", form.a80, "BACKUP", form.a81)
	e.b.configure(t, check, kind, form.extra, "BACKUP", form.b80, "MASTER", form.b81)
	e.a.startNginx(t)
	e.b.startNginx(t)
	return e
}

// configure writes the server's check script and keepalived.conf.
func (s *seedServer) configure(t *testing.T, check string, kind seedDaemon, extra, st80 string, p80 int, st81 string, p81 int) {
	t.Helper()
	if strings.Contains(check, "%s") {
		check = fmt.Sprintf(check, kind.name)
	}
	script := filepath.Join(s.dir, "nginx_check.sh")
	if err := os.WriteFile(script, []byte(check), 0o755); err != nil {
		t.Fatal(err)
	}
	if extra != "" {
		extra = "\n    " + extra
	}
	conf := fmt.Sprintf(seedConfText, script, st80, p80, st81, p81, extra)
	if err := os.WriteFile(filepath.Join(s.dir, "keepalived.conf"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
}

// start starts the daemon of e's kind on s.
func (e *seedEnv) start(t *testing.T, s *seedServer) {
	t.Helper()
	s.startDaemon(t, e.kind.bin(t), e.kind.args(s.dir)...)
}

// hosts returns the two servers' lab hosts.
func (e *seedEnv) hosts() []*lab.Host { return []*lab.Host{e.a.host, e.b.host} }

// wantPage waits until the client's request to vip is answered by server
// name and returns how long that took.
func (e *seedEnv) wantPage(t *testing.T, vip, name string, limit time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	eventually(t, limit, "client gets server "+name+" through "+vip, func() (bool, string) {
		body, err := seedGet(e.client, vip)
		return err == nil && body == "server "+name, fmt.Sprintf("body %q, err %v", body, err)
	})
	return time.Since(start)
}

// wantNeigh checks that the client maps vip to mac.
func (e *seedEnv) wantNeigh(t *testing.T, vip, mac string) {
	t.Helper()
	if got := seedNeighMAC(t, e.client, vip); got != mac {
		t.Errorf("client's neighbour entry for %s: got %q, want %q (the gratuitous ARP should have updated it)", vip, got, mac)
	}
}

// seedNSInodes records the inode of every namespace of l, to find processes
// still inside them after Close.
func seedNSInodes(t *testing.T, l *lab.Lab) map[uint64]string {
	t.Helper()
	names := []string{l.Bridge}
	for _, h := range l.Hosts() {
		names = append(names, h.NS)
	}
	m := map[uint64]string{}
	for _, n := range names {
		var st syscall.Stat_t
		if err := syscall.Stat(filepath.Join("/run/netns", n), &st); err != nil {
			t.Fatalf("stat namespace %s: %v", n, err)
		}
		m[st.Ino] = n
	}
	return m
}

// seedCheckNothingLeft asserts that after Close no namespace of l remains, no
// process is left in any of its namespaces, and the root namespace holds
// neither VIP.
func seedCheckNothingLeft(t *testing.T, l *lab.Lab, inodes map[uint64]string) {
	t.Helper()
	if l == nil {
		return
	}
	if err := l.Close(); err != nil {
		t.Errorf("lab close: %v", err)
	}
	left, err := lab.Leftovers(l.Tag)
	if err != nil {
		t.Errorf("leftovers: %v", err)
	}
	if len(left) > 0 {
		t.Errorf("namespaces left behind: %v", left)
	}
	// The kernel tears down a killed process's namespaces asynchronously;
	// allow it a moment before calling a process a leftover.
	var stray []string
	for i := 0; i < 20; i++ {
		stray = seedProcessesIn(inodes)
		if len(stray) == 0 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if len(stray) > 0 {
		t.Errorf("processes left in the lab's namespaces: %v", stray)
	}
	out, err := os.ReadFile("/proc/net/fib_trie")
	if err == nil && (strings.Contains(string(out), "192.168.1.6") || strings.Contains(string(out), "192.168.1.7")) {
		t.Errorf("a VIP is in the root namespace's routing table")
	}
}

// seedProcessesIn lists processes whose network namespace is one of inodes.
func seedProcessesIn(inodes map[uint64]string) []string {
	ents, _ := os.ReadDir("/proc")
	var out []string
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		var st syscall.Stat_t
		if syscall.Stat(fmt.Sprintf("/proc/%d/ns/net", pid), &st) != nil {
			continue
		}
		if ns, ok := inodes[st.Ino]; ok {
			comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
			out = append(out, fmt.Sprintf("%d %s in %s", pid, strings.TrimSpace(string(comm)), ns))
		}
	}
	return out
}

// seedHoldsBoth waits until h holds both VIPs.
func seedHoldsBoth(t *testing.T, limit time.Duration, h *lab.Host) {
	t.Helper()
	eventually(t, limit, h.Name+" holds .6 and .7", func() (bool, string) {
		a, b := hasAddr(t, h, vip6), hasAddr(t, h, vip7)
		return a && b, fmt.Sprintf(".6 %v, .7 %v", a, b)
	})
}

// ctx returns a context for short commands.
func seedCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}
