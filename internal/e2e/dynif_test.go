package e2e

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/control"
	"github.com/gokeepalived/gokeepalived/internal/lab"
)

// dynConf is one instance on interface IF, with global_defs GLOBAL and
// the extra top-level text EXTRA.
const dynConf = `
global_defs {
%s
}
%s
vrrp_instance D {
    state BACKUP
    interface %s
    virtual_router_id 90
    priority %d
    advert_int 1
    virtual_ipaddress {
        %s
    }
}
`

// sh runs a command line in h and fails the test on error.
func sh(t *testing.T, h *lab.Host, line string) {
	t.Helper()
	f := strings.Fields(line)
	if out, err := h.Exec(context.Background(), f[0], f[1:]...); err != nil {
		t.Fatalf("%s: %s: %v\n%s", h.Name, line, err, out)
	}
}

// inst returns n's status of instance name.
func inst(t *testing.T, n *node, name string) control.Instance {
	t.Helper()
	return instanceOf(t, statusJSON(t, n), name)
}

// waitState waits until n reports state for instance D.
func waitState(t *testing.T, n *node, state control.State, limit time.Duration) {
	t.Helper()
	waitStates(t, limit, "D", map[string]control.State{n.host.Name: state}, n)
}

// A missing interface fails the start without dynamic_interfaces, as
// keepalived's configuration check does.
func TestDynamicInterfaceRequiredWithoutKeyword(t *testing.T) {
	needRoot(t)
	l := lab.New(t, lab.Spec{Hosts: lab.Hosts("a")})
	n := newNode(t, l.Host("a"), fmt.Sprintf(dynConf, "", "", "gkdyn0", 100, "10.99.0.100/24"))
	n.start(t)
	n.wait(t, 20*time.Second)
	if out := n.proc.Output(); !strings.Contains(out, "gkdyn0") {
		t.Errorf("the daemon exited without naming the missing interface:\n%s", tail(out, 20))
	}
}

// With dynamic_interfaces an instance on an interface created after start
// waits in FAULT, runs when it appears, and goes back to FAULT when it is
// deleted, as many times as that happens.
func TestDynamicInterfaceComesAndGoes(t *testing.T) {
	needRoot(t)
	l := lab.New(t, lab.Spec{Hosts: lab.Hosts("a")})
	h := l.Host("a")
	vip := netip.MustParseAddr("10.99.0.100")
	n := newNode(t, h, fmt.Sprintf(dynConf, "dynamic_interfaces", "", "gkdyn0", 100, "10.99.0.100/24"))
	n.start(t)
	waitState(t, n, "FAULT", 10*time.Second)

	for round := 1; round <= 2; round++ {
		sh(t, h, "ip link add gkdyn0 type veth peer name gkdyn1")
		sh(t, h, "ip addr add 10.99.0.1/24 dev gkdyn0")
		sh(t, h, "ip link set gkdyn1 up")
		sh(t, h, "ip link set gkdyn0 up")
		waitState(t, n, "MASTER", 15*time.Second)
		in := inst(t, n, "D")
		got := fmt.Sprintf("round %d: iface %s src %s", round, in.Interface, in.SourceAddr)
		if want := fmt.Sprintf("round %d: iface gkdyn0 src 10.99.0.1", round); got != want {
			t.Errorf("after the interface appeared: got %q, want %q", got, want)
		}
		eventually(t, 5*time.Second, "VIP on gkdyn0", func() (bool, string) {
			return addrOnDev(h, "gkdyn0", vip.String()+"/24")
		})
		sh(t, h, "ip link del gkdyn0")
		waitState(t, n, "FAULT", 10*time.Second)
	}
	st := inst(t, n, "D").Stats
	if got := fmt.Sprintf("became master %d, released %d", st.BecomeMaster, st.ReleaseMaster); got != "became master 2, released 2" {
		t.Errorf("stats: %s, want became master 2, released 2", got)
	}
}

// interface_up_down_delays: a flap shorter than the down delay causes no
// transition; a longer outage does, after the delay; and the link coming
// back counts only after the up delay.
func TestInterfaceUpDownDelays(t *testing.T) {
	needRoot(t)
	l := lab.New(t, lab.Spec{Hosts: lab.Hosts("a")})
	h := l.Host("a")
	delays := "interface_up_down_delays {\n    eth1 4 3\n}"
	n := newNode(t, h, fmt.Sprintf(dynConf, "", delays, "eth1", 100, "192.168.1.6/24"))
	n.start(t)
	waitState(t, n, "MASTER", 15*time.Second)
	before := inst(t, n, "D").LastTransition

	ctx := context.Background()
	if err := h.SetLink(ctx, false); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond)
	if err := h.SetLink(ctx, true); err != nil {
		t.Fatal(err)
	}
	// Well past the 4 s delay the flap started: nothing may have happened.
	time.Sleep(6 * time.Second)
	in := inst(t, n, "D")
	if in.State != "MASTER" || in.LastTransition != before || in.Stats.ReleaseMaster != 0 {
		t.Errorf("after a 0.5 s flap under a 4 s down delay: state %s, last transition %+v (was %+v), released master %d; want MASTER and no transition",
			in.State, in.LastTransition, before, in.Stats.ReleaseMaster)
	}

	// A real outage goes to FAULT, but only after the delay.
	if err := h.SetLink(ctx, false); err != nil {
		t.Fatal(err)
	}
	down := time.Now()
	time.Sleep(2 * time.Second)
	if s := inst(t, n, "D").State; s != "MASTER" {
		t.Errorf("2 s into a 4 s down delay the state is %s, want MASTER", s)
	}
	waitState(t, n, "FAULT", 10*time.Second)
	if took := time.Since(down); took < 4*time.Second {
		t.Errorf("FAULT after %s, before the 4 s down delay", took)
	}
	if err := h.SetLink(ctx, true); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1500 * time.Millisecond)
	if s := inst(t, n, "D").State; s != "FAULT" {
		t.Errorf("1.5 s into a 3 s up delay the state is %s, want FAULT", s)
	}
	waitState(t, n, "MASTER", 15*time.Second)
}

// Deleting an interface is never delayed: interface_up_down_delays only
// filter flaps of an interface that exists.
func TestInterfaceDeletionNotDelayed(t *testing.T) {
	needRoot(t)
	l := lab.New(t, lab.Spec{Hosts: lab.Hosts("a")})
	h := l.Host("a")
	delays := "interface_up_down_delays {\n    gkdyn0 8 0\n}"
	n := newNode(t, h, fmt.Sprintf(dynConf, "dynamic_interfaces", delays, "gkdyn0", 100, "10.99.0.100/24"))
	sh(t, h, "ip link add gkdyn0 type veth peer name gkdyn1")
	sh(t, h, "ip addr add 10.99.0.1/24 dev gkdyn0")
	sh(t, h, "ip link set gkdyn1 up")
	sh(t, h, "ip link set gkdyn0 up")
	n.start(t)
	waitState(t, n, "MASTER", 15*time.Second)
	sh(t, h, "ip link del gkdyn0")
	waitState(t, n, "FAULT", 4*time.Second) // well inside the 8 s down delay
}

// The advert source follows the interface's primary address: a peer sees
// the new source, and an interface left without an IPv4 address puts the
// instance in FAULT (the peer takes over) until one comes back.
func TestAdvertSourceFollowsAddress(t *testing.T) {
	needRoot(t)
	l := lab.New(t, lab.Spec{Hosts: lab.Hosts("a", "b")})
	a, b := l.Host("a"), l.Host("b")
	na := newNode(t, a, fmt.Sprintf(dynConf, "", "", "eth1", 150, "192.168.1.6/32"))
	nb := newNode(t, b, fmt.Sprintf(dynConf, "", "", "eth1", 100, "192.168.1.6/32"))
	na.start(t)
	nb.start(t)
	waitStates(t, 20*time.Second, "D", map[string]control.State{"a": "MASTER", "b": "BACKUP"}, na, nb)

	masterSeen := func(want string) {
		t.Helper()
		eventually(t, 10*time.Second, "b sees master "+want, func() (bool, string) {
			got := inst(t, nb, "D").MasterAddr.String()
			return got == want, got
		})
	}
	masterSeen(a.Addr(false).String())

	// Move a's primary address: 10.1.1.1 first added, then the lab's removed.
	sh(t, a, "ip addr add 10.1.1.1/24 dev eth1")
	sh(t, a, "ip addr del "+a.Addr(false).String()+"/24 dev eth1")
	masterSeen("10.1.1.1")
	if got := inst(t, na, "D").SourceAddr.String(); got != "10.1.1.1" {
		t.Errorf("a's status source address %s, want 10.1.1.1", got)
	}

	// No IPv4 address left (the VIP does not count): a goes to FAULT.
	sh(t, a, "ip addr del 10.1.1.1/24 dev eth1")
	waitStates(t, 15*time.Second, "D", map[string]control.State{"a": "FAULT", "b": "MASTER"}, na, nb)

	// An address comes back: a leaves FAULT and, higher priority, preempts.
	sh(t, a, "ip addr add 10.2.2.2/24 dev eth1")
	waitStates(t, 20*time.Second, "D", map[string]control.State{"a": "MASTER", "b": "BACKUP"}, na, nb)
	masterSeen("10.2.2.2")
}

// A virtual address on another interface ("dev gkvd0"): as in keepalived,
// the instance tracks that interface, so deleting it means FAULT and
// creating it again (a new ifindex) means MASTER with the address on the
// new interface; with no_track the instance stays MASTER and puts the
// address back on the re-created interface within an advert round or two.
// Either way, no restart.
func TestVIPOnOtherInterfaceRecreated(t *testing.T) {
	needRoot(t)
	for _, noTrack := range []bool{false, true} {
		t.Run(fmt.Sprintf("no_track=%v", noTrack), func(t *testing.T) {
			t.Parallel()
			l := lab.New(t, lab.Spec{Hosts: lab.Hosts("a")})
			h := l.Host("a")
			mk := func() {
				sh(t, h, "ip link add gkvd0 type veth peer name gkvd1")
				sh(t, h, "ip link set gkvd1 up")
				sh(t, h, "ip link set gkvd0 up")
			}
			onDev := func(what string) {
				t.Helper()
				eventually(t, 8*time.Second, what, func() (bool, string) {
					return addrOnDev(h, "gkvd0", "10.98.0.1/24")
				})
			}
			opt := ""
			if noTrack {
				opt = " no_track"
			}
			mk()
			n := newNode(t, h, fmt.Sprintf(dynConf, "", "", "eth1", 100, "192.168.1.100/24\n        10.98.0.1/24 dev gkvd0"+opt))
			n.start(t)
			waitState(t, n, "MASTER", 15*time.Second)
			onDev("VIP on gkvd0 after becoming master")

			for round := 1; round <= 2; round++ {
				sh(t, h, "ip link del gkvd0")
				if !noTrack {
					waitState(t, n, "FAULT", 5*time.Second)
				}
				mk()
				if !noTrack {
					waitState(t, n, "MASTER", 15*time.Second)
				}
				onDev(fmt.Sprintf("round %d: VIP back on the re-created gkvd0", round))
			}
			st := inst(t, n, "D")
			wantFaults := uint64(2)
			if noTrack {
				wantFaults = 0
			}
			if st.State != "MASTER" || st.Stats.ReleaseMaster != wantFaults {
				t.Errorf("state %s, released master %d times; want MASTER and %d", st.State, st.Stats.ReleaseMaster, wantFaults)
			}
		})
	}
}

// A virtual address deleted from outside while we are master is put back
// at the next advert round, without a transition (keepalived drops to
// BACKUP to win it back; the end is the same, without the flap).
func TestVIPRemovedFromOutsideIsPutBack(t *testing.T) {
	needRoot(t)
	l := lab.New(t, lab.Spec{Hosts: lab.Hosts("a")})
	h := l.Host("a")
	n := newNode(t, h, fmt.Sprintf(dynConf, "", "", "eth1", 100, "192.168.1.100/24"))
	n.start(t)
	waitState(t, n, "MASTER", 15*time.Second)
	sh(t, h, "ip addr del 192.168.1.100/24 dev eth1")
	eventually(t, 5*time.Second, "VIP back on eth1", func() (bool, string) {
		return addrOnDev(h, "eth1", "192.168.1.100/24")
	})
	if st := inst(t, n, "D"); st.State != "MASTER" || st.Stats.ReleaseMaster != 0 {
		t.Errorf("state %s, released master %d times; want MASTER and no transition", st.State, st.Stats.ReleaseMaster)
	}
	if !strings.Contains(n.proc.Output(), "putting it back") {
		t.Errorf("the daemon did not say it put the address back:\n%s", tail(n.proc.Output(), 20))
	}
}

// A virtual address that cannot be added when the instance becomes master
// (its interface is gone) is retried every advert round and goes on once
// the interface is back; the instance stays master meanwhile.
func TestVIPAddRetriedUntilItSucceeds(t *testing.T) {
	needRoot(t)
	l := lab.New(t, lab.Spec{Hosts: lab.Hosts("a")})
	h := l.Host("a")
	sh(t, h, "ip link add gkvd0 type veth peer name gkvd1")
	// no_track: otherwise the missing interface would keep the instance
	// in FAULT (TestVIPOnOtherInterfaceRecreated).
	n := newNode(t, h, fmt.Sprintf(dynConf, "", "", "eth1", 100, "192.168.1.100/24\n        10.98.0.1/24 dev gkvd0 no_track"))
	n.start(t)
	waitState(t, n, "BACKUP", 10*time.Second)
	sh(t, h, "ip link del gkvd0") // before the 3.6 s master-down timer fires
	waitState(t, n, "MASTER", 15*time.Second)
	eventually(t, 5*time.Second, "a failed add logged", func() (bool, string) {
		out := n.proc.Output()
		return strings.Contains(out, "add virtual address, will retry"), tail(out, 10)
	})
	time.Sleep(2500 * time.Millisecond) // a few advert rounds of failing retries
	sh(t, h, "ip link add gkvd0 type veth peer name gkvd1")
	sh(t, h, "ip link set gkvd1 up")
	sh(t, h, "ip link set gkvd0 up")
	eventually(t, 8*time.Second, "VIP on gkvd0 once it exists", func() (bool, string) {
		return addrOnDev(h, "gkvd0", "10.98.0.1/24")
	})
	if !strings.Contains(n.proc.Output(), "virtual address added on retry") {
		t.Errorf("no retry logged:\n%s", tail(n.proc.Output(), 20))
	}
	if st := inst(t, n, "D"); st.State != "MASTER" {
		t.Errorf("instance state %s, want MASTER throughout", st.State)
	}
}
