package e2e

import (
	"context"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/lab"
)

// TestNamespaceFlag: -s NAME (keepalived's --namespace) and global_defs
// net_namespace run the daemon in that network namespace, whatever
// namespace it was started from. Started from host b, the daemon must
// hold its VIP in host a.
func TestNamespaceFlag(t *testing.T) {
	needRoot(t)
	t.Parallel()
	l := lab.New(t, lab.Spec{Hosts: lab.Hosts("a", "b")})
	a, b := l.Host("a"), l.Host("b")
	conf := func(global string) string {
		return `global_defs {
    router_id x
    ` + global + `
}
vrrp_instance X {
    state MASTER
    interface eth1
    virtual_router_id 61
    priority 255
    advert_int 1
    virtual_ipaddress {
        192.168.1.61
    }
}
`
	}
	for _, tt := range []struct {
		name, global string
		flag         []string
	}{
		{name: "-s", flag: []string{"-s", a.NS}},
		{name: "net_namespace", global: "net_namespace " + a.NS},
	} {
		t.Run(tt.name, func(t *testing.T) {
			n := newNode(t, b, conf(tt.global))
			args := append([]string{"-n", "-l", "-G", "-f", n.conf, "-p", n.pid, "--socket", filepath.Join(n.dir, "s")}, tt.flag...)
			p, err := b.Run(context.Background(), binary(t), args...)
			if err != nil {
				t.Fatal(err)
			}
			vip := netip.MustParseAddr("192.168.1.61")
			eventually(t, 8*time.Second, "VIP on a", func() (bool, string) {
				return hasAddr(t, a, vip), "not on a; daemon output: " + tail(p.Output(), 5)
			})
			if hasAddr(t, b, vip) {
				t.Errorf("VIP also on b, where the daemon was started")
			}
			p.Signal(15)
			select {
			case <-p.Done():
			case <-time.After(5 * time.Second):
				t.Fatal("daemon did not stop")
			}
			eventually(t, 3*time.Second, "VIP gone from a", func() (bool, string) { return !hasAddr(t, a, vip), "still there" })
		})
	}
}

// -s NAME creates the namespace when it does not exist, as keepalived
// does, and runs there: given an interface later (dynamic_interfaces), the
// instance becomes master and holds its VIP inside that namespace.
func TestNamespaceFlagCreates(t *testing.T) {
	needRoot(t)
	t.Parallel()
	l := lab.New(t, lab.Spec{Hosts: lab.Hosts("b")})
	b := l.Host("b")
	ns := l.Tag + "-new" // the lab's tag, so a killed run's leftover is reaped
	t.Cleanup(func() { exec.Command("ip", "netns", "del", ns).Run() })
	n := newNode(t, b, `global_defs {
    router_id x
    dynamic_interfaces
}
vrrp_instance X {
    state MASTER
    interface eth1
    virtual_router_id 62
    priority 255
    advert_int 1
    virtual_ipaddress {
        192.168.1.62
    }
}
`)
	// Started in b's network namespace but the machine's mount namespace
	// (nsenter, not ip netns exec, whose private mounts would hide the
	// namespace the daemon creates), as systemd would start it.
	logFile := filepath.Join(n.dir, "log")
	logTail := func() string { b, _ := os.ReadFile(logFile); return tail(string(b), 5) }
	cmd := exec.CommandContext(context.Background(), "nsenter", "--net=/run/netns/"+b.NS, binary(t),
		"-n", "-D", "-G", "-g", logFile, "-f", n.conf, "-p", n.pid, "--socket", filepath.Join(n.dir, "s"), "-s", ns)
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	p, err := b.Start(cmd)
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, 5*time.Second, "namespace "+ns+" created", func() (bool, string) {
		out, _ := exec.Command("ip", "netns", "list").Output()
		return strings.Contains(string(out), ns), logTail()
	})
	for _, line := range []string{
		"ip link add gkns0 type veth peer name eth1 netns " + ns,
		"ip link set gkns0 up",
		"ip -n " + ns + " addr add 192.168.1.9/24 dev eth1",
		"ip -n " + ns + " link set eth1 up",
	} {
		sh(t, b, line)
	}
	eventually(t, 10*time.Second, "VIP in the created namespace", func() (bool, string) {
		out, _ := b.Exec(context.Background(), "ip", "-n", ns, "-o", "addr", "show", "dev", "eth1")
		return strings.Contains(out, "192.168.1.62/32"), out + "\ndaemon: " + logTail()
	})
	if hasAddr(t, b, netip.MustParseAddr("192.168.1.62")) {
		t.Errorf("VIP on b, where the daemon was started")
	}
	p.Signal(15)
	select {
	case <-p.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("daemon did not stop")
	}
}
