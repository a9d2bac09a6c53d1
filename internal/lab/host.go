package lab

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/vishvananda/netns"
)

// ErrClosed is returned when starting a process in a closed lab.
var ErrClosed = errors.New("lab closed")

// Host is one machine on the LAN: a network namespace with a loopback and
// one LAN interface.
type Host struct {
	// Name is the host's name from its HostSpec.
	Name string
	// NS is the name of the host's network namespace (for `ip netns exec`).
	NS string
	// Ifname is the name of the host's LAN interface.
	Ifname string

	lab  *Lab
	spec HostSpec
}

// Spec returns the HostSpec the host was built from.
func (h *Host) Spec() HostSpec { return h.spec }

// Addr returns the host's first address of the given kind from its spec:
// v6 false for IPv4, true for the first IPv6 address that is not link-local.
// It returns the zero Addr when there is none.
func (h *Host) Addr(v6 bool) netip.Addr {
	for _, p := range h.spec.Addrs {
		a := p.Addr()
		if a.Is6() == v6 && !a.IsLinkLocalUnicast() {
			return a
		}
	}
	return netip.Addr{}
}

// Command returns an unstarted command that runs name with args inside the
// host's namespace. Configure it (Stdout, Env, ...) and pass it to Start.
func (h *Host) Command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, "ip", append([]string{"netns", "exec", h.NS, name}, args...)...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	// Children that escape the group and keep our pipes open must not
	// hang Wait (and with it Close) forever.
	cmd.WaitDelay = 2 * time.Second
	return cmd
}

// Start starts cmd (from Command) in its own process group and tracks it,
// so that Lab.Close kills it.
func (h *Host) Start(cmd *exec.Cmd) (*Proc, error) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setpgid = true
	l := h.lab
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil, ErrClosed
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s in %s: %w", cmd.Args[4:], h.Name, err)
	}
	p := &Proc{Cmd: cmd, Pid: cmd.Process.Pid, done: make(chan struct{})}
	l.procs[p] = struct{}{}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
		l.mu.Lock()
		delete(l.procs, p)
		l.mu.Unlock()
	}()
	return p, nil
}

// Run starts name with args inside the host, with stdout and stderr
// collected into the Proc's Output. Lab.Close kills it if still running.
func (h *Host) Run(ctx context.Context, name string, args ...string) (*Proc, error) {
	cmd := h.Command(ctx, name, args...)
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	p, err := h.Start(cmd)
	if p != nil {
		p.out = out
	}
	return p, err
}

// Exec runs name with args inside the host, waits for it, and returns its
// combined output. A non-zero exit is an error that includes the output.
func (h *Host) Exec(ctx context.Context, name string, args ...string) (string, error) {
	p, err := h.Run(ctx, name, args...)
	if err != nil {
		return "", err
	}
	err = p.Wait()
	out := p.Output()
	if err != nil {
		return out, fmt.Errorf("%s %s in %s: %w: %s", name, strings.Join(args, " "), h.Name, err, strings.TrimSpace(out))
	}
	return out, nil
}

// Do runs fn on a locked OS thread switched into the host's namespace.
// Sockets and netlink handles opened inside fn stay in the host's
// namespace after fn returns; goroutines started by fn do not inherit it.
func (h *Host) Do(fn func() error) error { return doIn(h.NS, fn) }

func doIn(ns string, fn func() error) error {
	target, err := netns.GetFromName(ns)
	if err != nil {
		return fmt.Errorf("open namespace %s: %w", ns, err)
	}
	defer target.Close()
	errc := make(chan error, 1)
	// A fresh goroutine so the caller's thread is never switched; if
	// switching back fails the thread stays locked and dies with it.
	go func() {
		runtime.LockOSThread()
		orig, err := netns.Get()
		if err != nil {
			errc <- fmt.Errorf("current namespace: %w", err)
			return
		}
		defer orig.Close()
		if err := netns.Set(target); err != nil {
			errc <- fmt.Errorf("enter namespace %s: %w", ns, err)
			return
		}
		ferr := fn()
		if err := netns.Set(orig); err != nil {
			errc <- errors.Join(ferr, fmt.Errorf("leave namespace %s: %w", ns, err))
			return // thread stays locked: the runtime discards it
		}
		runtime.UnlockOSThread()
		errc <- ferr
	}()
	return <-errc
}

// SetLink takes the host's LAN interface down (up false) or up.
func (h *Host) SetLink(ctx context.Context, up bool) error {
	state := "down"
	if up {
		state = "up"
	}
	_, err := h.Exec(ctx, "ip", "link", "set", h.Ifname, state)
	return err
}

// Addrs returns the addresses on the host's LAN interface, as `ip -o addr`
// reports them (IPv4 and IPv6, including link-local).
func (h *Host) Addrs(ctx context.Context) ([]netip.Prefix, error) {
	out, err := h.Exec(ctx, "ip", "-o", "addr", "show", "dev", h.Ifname)
	if err != nil {
		return nil, err
	}
	return parseAddrs(out)
}

// AllAddrs returns the addresses on every interface of the host, the LAN
// one and any a daemon made (a VMAC, say), loopback included.
func (h *Host) AllAddrs(ctx context.Context) ([]netip.Prefix, error) {
	out, err := h.Exec(ctx, "ip", "-o", "addr", "show")
	if err != nil {
		return nil, err
	}
	return parseAddrs(out)
}

// parseAddrs reads the prefixes from `ip -o addr` output.
func parseAddrs(out string) ([]netip.Prefix, error) {
	var ps []netip.Prefix
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		for i := 0; i+1 < len(f); i++ {
			if f[i] != "inet" && f[i] != "inet6" {
				continue
			}
			p, err := netip.ParsePrefix(f[i+1])
			if err != nil {
				return nil, fmt.Errorf("parse ip addr line %q: %w", line, err)
			}
			ps = append(ps, p)
			break
		}
	}
	return ps, nil
}

// Proc is a process started in a host.
type Proc struct {
	// Cmd is the started command; do not call its Wait.
	Cmd *exec.Cmd
	// Pid is the process id of `ip netns exec`, which execs the program,
	// so it is also the program's pid and process group id.
	Pid int

	out  *syncBuffer
	done chan struct{}
	err  error
}

// Wait waits for the process to exit and returns its exit error.
func (p *Proc) Wait() error {
	<-p.done
	return p.err
}

// Done is closed when the process has exited.
func (p *Proc) Done() <-chan struct{} { return p.done }

// Signal sends sig to the process (not its group).
func (p *Proc) Signal(sig syscall.Signal) error {
	select {
	case <-p.done:
		return fmt.Errorf("signal pid %d: process done", p.Pid)
	default:
	}
	if err := syscall.Kill(p.Pid, sig); err != nil {
		return fmt.Errorf("signal pid %d: %w", p.Pid, err)
	}
	return nil
}

// Output returns what the process wrote so far (Run only; empty after Start).
func (p *Proc) Output() string {
	if p.out == nil {
		return ""
	}
	return p.out.String()
}

func (p *Proc) kill() {
	select {
	case <-p.done:
	default:
		_ = syscall.Kill(-p.Pid, syscall.SIGKILL)
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
