package lab

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vishvananda/netns"
)

// Prefix starts the name of every namespace a Lab creates.
const Prefix = "gk"

// Spec describes a LAN: the hosts attached to one bridge.
type Spec struct {
	// Hosts are the machines on the LAN, in order. Names must be unique,
	// short (they become part of namespace names) and made of [a-z0-9].
	Hosts []HostSpec
}

// HostSpec describes one host on the LAN.
type HostSpec struct {
	// Name identifies the host in the lab ("a", "b", "client").
	Name string
	// Ifname is the name of the host's LAN interface; "eth1" when empty.
	Ifname string
	// MAC is the LAN interface's hardware address; the kernel picks one when nil.
	MAC net.HardwareAddr
	// Addrs are added to the LAN interface (IPv6 ones with nodad).
	Addrs []netip.Prefix
	// IPv6Forwarding sets net.ipv6.conf.all.forwarding=1 in the host, which
	// makes keepalived-style unsolicited NAs carry the Router flag.
	IPv6Forwarding bool
}

// Hosts returns specs for hosts named names, numbered like the keepalived
// vectors' lab: host i gets interface eth1, MAC 02:00:00:00:01:<n>,
// 192.168.1.<n>/24, fe80::<n>/64 and 2001:db8::<n>/64 with n = i+2 in hex
// for the MAC and IPv6, decimal for IPv4 (a = .2, b = .3, ...).
func Hosts(names ...string) []HostSpec {
	specs := make([]HostSpec, 0, len(names))
	for i, name := range names {
		n := i + 2
		specs = append(specs, HostSpec{
			Name:   name,
			Ifname: "eth1",
			MAC:    net.HardwareAddr{0x02, 0, 0, 0, 0x01, byte(n)},
			Addrs: []netip.Prefix{
				netip.PrefixFrom(netip.AddrFrom4([4]byte{192, 168, 1, byte(n)}), 24),
				netip.MustParsePrefix(fmt.Sprintf("fe80::%x/64", n)),
				netip.MustParsePrefix(fmt.Sprintf("2001:db8::%x/64", n)),
			},
		})
	}
	return specs
}

// Lab is a running LAN. Its methods are safe for concurrent use.
type Lab struct {
	// Tag is the lab's unique namespace prefix, "gk" plus random hex.
	Tag string
	// Bridge is the name of the namespace that holds the bridge br0.
	Bridge string

	hosts []*Host

	mu     sync.Mutex
	procs  map[*Proc]struct{}
	closed bool
	once   sync.Once
	err    error
	nsList []string
	owner  *os.File
	dirs   []string // removed by Close (cleanupDir)
}

// New builds the LAN described by spec for a test, registers Close with
// tb.Cleanup, and fails the test if anything goes wrong. It skips the test
// when not run as root.
func New(tb testing.TB, spec Spec) *Lab {
	tb.Helper()
	if os.Geteuid() != 0 {
		tb.Skip("lab: needs root to create network namespaces")
	}
	l, err := Build(context.Background(), spec)
	if l != nil {
		tb.Cleanup(func() {
			if err := l.Close(); err != nil {
				tb.Errorf("lab close: %v", err)
			}
		})
	}
	if err != nil {
		tb.Fatalf("lab: %v", err)
	}
	return l
}

// Build builds the LAN described by spec outside of a test. The caller must
// call Close on every exit path, including signals; on error Build has
// already cleaned up what it made and returns a nil Lab.
func Build(ctx context.Context, spec Spec) (*Lab, error) {
	if err := checkSpec(spec); err != nil {
		return nil, err
	}
	var tag [4]byte
	if _, err := rand.Read(tag[:]); err != nil {
		return nil, fmt.Errorf("lab tag: %w", err)
	}
	l := &Lab{Tag: Prefix + hex.EncodeToString(tag[:]), procs: map[*Proc]struct{}{}}
	l.Bridge = l.Tag + "-lan"
	if err := l.takeOwnership(); err != nil {
		return nil, err
	}
	if err := l.build(ctx, spec); err != nil {
		return nil, errors.Join(err, l.Close())
	}
	return l, nil
}

func checkSpec(spec Spec) error {
	if len(spec.Hosts) == 0 {
		return errors.New("lab spec: no hosts")
	}
	seen := map[string]bool{}
	for _, h := range spec.Hosts {
		if h.Name == "" || len(h.Name) > 8 || strings.Trim(h.Name, "abcdefghijklmnopqrstuvwxyz0123456789") != "" {
			return fmt.Errorf("lab spec: host name %q: want 1-8 of [a-z0-9]", h.Name)
		}
		if seen[h.Name] || h.Name == "lan" {
			return fmt.Errorf("lab spec: host name %q used twice or reserved", h.Name)
		}
		seen[h.Name] = true
	}
	return nil
}

func (l *Lab) build(ctx context.Context, spec Spec) error {
	if err := l.addNS(ctx, l.Bridge); err != nil {
		return err
	}
	if err := writeSysctls(l.Bridge, map[string]string{
		"net/ipv6/conf/all/disable_ipv6":     "1",
		"net/ipv6/conf/default/disable_ipv6": "1",
	}); err != nil {
		return err
	}
	var br bytes.Buffer
	br.WriteString("link set lo up\n")
	br.WriteString("link add br0 type bridge stp_state 0 forward_delay 0 mcast_snooping 0\n")
	br.WriteString("link set br0 up\n")
	for _, hs := range spec.Hosts {
		h := &Host{lab: l, Name: hs.Name, NS: l.Tag + "-" + hs.Name, Ifname: hs.Ifname, spec: hs}
		if h.Ifname == "" {
			h.Ifname = "eth1"
		}
		l.hosts = append(l.hosts, h)
		if err := l.addNS(ctx, h.NS); err != nil {
			return err
		}
		sys := map[string]string{
			"net/ipv6/conf/default/addr_gen_mode": "1",
			"net/ipv6/conf/default/accept_dad":    "0",
			"net/ipv6/conf/all/accept_dad":        "0",
		}
		if hs.IPv6Forwarding {
			sys["net/ipv6/conf/all/forwarding"] = "1"
		}
		if err := writeSysctls(h.NS, sys); err != nil {
			return err
		}
		port := "p-" + hs.Name
		fmt.Fprintf(&br, "link add %s type veth peer name %s netns %s\n", port, h.Ifname, h.NS)
		fmt.Fprintf(&br, "link set %s master br0 up\n", port)
	}
	if err := ipBatch(ctx, l.Bridge, br.String()); err != nil {
		return err
	}
	for _, h := range l.hosts {
		if err := ipBatch(ctx, h.NS, hostBatch(h)); err != nil {
			return err
		}
	}
	// The kernel activates a device's queue from its link-watch work, up
	// to a second (more on a busy machine) after `link set up`; until then
	// frames sent out of that port are dropped, and a test's first packet
	// can vanish. Hand out the lab only once every link is UP.
	for _, h := range l.hosts {
		if err := waitUp(ctx, l.Bridge, "p-"+h.Name); err != nil {
			return err
		}
		if err := waitUp(ctx, h.NS, h.Ifname); err != nil {
			return err
		}
	}
	return nil
}

// waitUp waits until link dev in namespace ns reports operational state
// UP, for at most ten seconds.
func waitUp(ctx context.Context, ns, dev string) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	for {
		out, err := exec.CommandContext(ctx, "ip", "-n", ns, "-o", "link", "show", "dev", dev).Output()
		if err == nil && bytes.Contains(out, []byte(" state UP ")) {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("link %s in %s not UP after 10 s: %s", dev, ns, bytes.TrimSpace(out))
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func hostBatch(h *Host) string {
	var b strings.Builder
	b.WriteString("link set lo up\n")
	if h.spec.MAC != nil {
		fmt.Fprintf(&b, "link set %s address %s\n", h.Ifname, h.spec.MAC)
	}
	for _, p := range h.spec.Addrs {
		nodad := ""
		if p.Addr().Is6() {
			nodad = " nodad"
		}
		fmt.Fprintf(&b, "addr add %s dev %s%s\n", p, h.Ifname, nodad)
	}
	fmt.Fprintf(&b, "link set %s up\n", h.Ifname)
	return b.String()
}

func (l *Lab) addNS(ctx context.Context, name string) error {
	l.mu.Lock()
	l.nsList = append(l.nsList, name)
	l.mu.Unlock()
	if out, err := exec.CommandContext(ctx, "ip", "netns", "add", name).CombinedOutput(); err != nil {
		return fmt.Errorf("ip netns add %s: %w: %s", name, err, bytes.TrimSpace(out))
	}
	return nil
}

func ipBatch(ctx context.Context, ns, batch string) error {
	cmd := exec.CommandContext(ctx, "ip", "-n", ns, "-batch", "-")
	cmd.Stdin = strings.NewReader(batch)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("ip -n %s -batch: %w: %s\nbatch:\n%s", ns, err, bytes.TrimSpace(out), batch)
	}
	return nil
}

// writeSysctls writes /proc/sys entries from a thread inside namespace ns
// (net sysctls follow the opening thread's namespace).
func writeSysctls(ns string, kv map[string]string) error {
	return doIn(ns, func() error {
		for k, v := range kv {
			if err := os.WriteFile(filepath.Join("/proc/sys", k), []byte(v), 0o644); err != nil {
				return fmt.Errorf("sysctl %s=%s in %s: %w", k, v, ns, err)
			}
		}
		return nil
	})
}

// Host returns the host named name, or nil.
func (l *Lab) Host(name string) *Host {
	for _, h := range l.hosts {
		if h.Name == name {
			return h
		}
	}
	return nil
}

// Hosts returns the lab's hosts in spec order.
func (l *Lab) Hosts() []*Host { return append([]*Host(nil), l.hosts...) }

// Close kills every process started in the lab (SIGKILL to its process
// group, then waits for it) and deletes every namespace. It is idempotent
// and safe to call from a signal handler goroutine.
func (l *Lab) Close() error {
	l.once.Do(func() {
		l.mu.Lock()
		l.closed = true
		procs := make([]*Proc, 0, len(l.procs))
		for p := range l.procs {
			procs = append(procs, p)
		}
		nsList := append([]string(nil), l.nsList...)
		dirs := append([]string(nil), l.dirs...)
		l.mu.Unlock()
		var errs []error
		for _, p := range procs {
			p.kill()
		}
		for _, p := range procs {
			<-p.done
		}
		// Hosts first, the bridge last: deleting a host namespace destroys
		// its veth end, and with it the bridge port.
		for i := len(nsList) - 1; i >= 0; i-- {
			if err := deleteNS(nsList[i]); err != nil {
				errs = append(errs, err)
			}
		}
		for _, d := range dirs {
			os.RemoveAll(d)
		}
		l.err = errors.Join(errs...)
		l.releaseOwnership(l.err != nil)
	})
	return l.err
}

func deleteNS(name string) error {
	if _, err := os.Stat(filepath.Join("/run/netns", name)); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err := netns.DeleteNamed(name); err != nil {
		if out, err2 := exec.Command("ip", "netns", "del", name).CombinedOutput(); err2 != nil {
			return fmt.Errorf("delete namespace %s: %w (ip: %s)", name, err, bytes.TrimSpace(out))
		}
	}
	return nil
}

// Leftovers lists namespaces whose name starts with tag (a Lab's Tag, or
// Prefix for any lab's). A test can assert it is empty after Close.
func Leftovers(tag string) ([]string, error) {
	ents, err := os.ReadDir("/run/netns")
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list namespaces: %w", err)
	}
	var left []string
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), tag) {
			left = append(left, e.Name())
		}
	}
	return left, nil
}

// cleanupDir makes Close remove dir.
func (l *Lab) cleanupDir(dir string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.dirs = append(l.dirs, dir)
}
