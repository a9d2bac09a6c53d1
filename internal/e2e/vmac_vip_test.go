package e2e

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gokeepalived/gokeepalived/internal/control"
	"github.com/gokeepalived/gokeepalived/internal/lab"
)

// The VMACs of addresses (per-address use_vmac, use_vmac_addr): host a
// runs the instance on its LAN interface eth1 and has a second interface
// eth2, one end of a veth pair whose other end eth2p stays in a, where
// the test listens to what leaves eth2.

// vvConf is the instance of these tests: %s are extra instance lines,
// the virtual_ipaddress lines and the virtual_ipaddress_excluded lines.
const vvConf = `
vrrp_instance V {
    state MASTER
    interface eth1
    virtual_router_id 51
    priority 200
    advert_int 1
    %s
    virtual_ipaddress {
        %s
    }
    virtual_ipaddress_excluded {
        %s
    }
}
`

// vvHost makes the lab with host a and its eth2 (10.9.0.2/24).
func vvHost(t *testing.T) *lab.Host {
	t.Helper()
	l := lab.New(t, lab.Spec{Hosts: lab.Hosts("a")})
	a := l.Host("a")
	sh(t, a, "ip link add eth2 type veth peer name eth2p")
	sh(t, a, "ip link set eth2p up")
	sh(t, a, "ip link set eth2 up")
	sh(t, a, "ip addr add 10.9.0.2/24 dev eth2")
	return a
}

// announcers returns, per announced address, the source MACs of the
// GARPs and NAs captured so far.
func (c *vmCapture) announcers() map[string][]string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string][]string{}
	for _, b := range c.raw {
		if a, ok := ioParseAnnouncement(b); ok && !slices.Contains(out[a.Addr.String()], a.SrcMAC) {
			out[a.Addr.String()] = append(out[a.Addr.String()], a.SrcMAC)
		}
	}
	return out
}

// vvLinks returns "name@parent mac mode" for every macvlan in h, sorted.
func vvLinks(t *testing.T, h *lab.Host) []string {
	t.Helper()
	out, err := h.Exec(context.Background(), "ip", "-d", "-o", "link", "show", "type", "macvlan")
	if err != nil {
		t.Fatalf("%s: ip link: %v", h.Name, err)
	}
	var got []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		var mac, mode string
		for i := 1; i+1 < len(f); i++ {
			switch {
			case f[i] == "link/ether":
				mac = f[i+1]
			case f[i] == "mode" && f[i-1] == "macvlan":
				mode = f[i+1]
			}
		}
		got = append(got, strings.TrimSuffix(f[1], ":")+" "+mac+" "+mode)
	}
	slices.Sort(got)
	return got
}

// vvAddrs returns "dev addr" for every address in h that is not on lo,
// not link-local, and not one of the lab's own (host a's .2 and ::2),
// sorted.
func vvAddrs(t *testing.T, h *lab.Host) []string {
	t.Helper()
	var got []string
	for _, s := range append(vmAddrs(t, h, "-4"), vmAddrs(t, h, "-6")...) {
		_, addr, _ := strings.Cut(s, " ")
		if strings.HasPrefix(addr, "fe80:") || slices.Contains([]string{"192.168.1.2/24", "10.9.0.2/24", "2001:db8::2/64"}, addr) {
			continue
		}
		got = append(got, s)
	}
	slices.Sort(got)
	return got
}

// vvSysctls reads the ARP settings a VMAC's parent gets.
func vvSysctls(t *testing.T, h *lab.Host, ifnames ...string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, ifn := range ifnames {
		for _, k := range []string{"arp_ignore", "arp_filter"} {
			v, err := h.Exec(context.Background(), "cat", "/proc/sys/net/ipv4/conf/"+ifn+"/"+k)
			if err != nil {
				t.Fatalf("%s: %s/%s: %v", h.Name, ifn, k, err)
			}
			out[ifn+"/"+k] = strings.TrimSpace(v)
		}
	}
	return out
}

// vvStop stops n with SIGTERM and waits for it.
func vvStop(t *testing.T, n *node) {
	t.Helper()
	n.signal(t, syscall.SIGTERM)
	n.wait(t, 15*time.Second)
}

// TestVmacVIPPerAddress: `10.9.0.50/24 dev eth2 use_vmac` on an instance
// on eth1 without use_vmac goes on a private macvlan vrrp.51 on eth2 with
// the instance's virtual MAC; its GARPs leave eth2 from that MAC while the
// VIP without the option stays on eth1; eth2 gets the parent's ARP
// settings; a reload that changes nothing keeps the macvlan (same
// ifindex); at stop the macvlan goes and the settings come back.
func TestVmacVIPPerAddress(t *testing.T) {
	needRoot(t)
	a := vvHost(t)
	before := vvSysctls(t, a, "eth2")
	capt := vmStartCaptureOn(t, a, "eth2p")
	n := newNode(t, a, fmt.Sprintf(vvConf, "", "192.168.1.50/32\n        10.9.0.50/24 dev eth2 use_vmac", ""))
	n.start(t)
	waitInstance(t, n, "V", control.StateMaster, 200, 20*time.Second)
	eventually(t, 10*time.Second, "the VIPs placed", func() (bool, string) {
		got := vvAddrs(t, a)
		return cmp.Equal(got, []string{"eth1 192.168.1.50/32", "vrrp.51 10.9.0.50/24"}), fmt.Sprint(got)
	})
	if diff := cmp.Diff([]string{"vrrp.51@eth2 00:00:5e:00:01:33 private"}, vvLinks(t, a)); diff != "" {
		t.Errorf("macvlans (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]string{"eth2/arp_ignore": "1", "eth2/arp_filter": "1"}, vvSysctls(t, a, "eth2")); diff != "" {
		t.Errorf("eth2 ARP settings while running (-want +got):\n%s", diff)
	}
	eventually(t, 10*time.Second, "a GARP for 10.9.0.50 on eth2", func() (bool, string) {
		got := capt.announcers()
		return len(got["10.9.0.50"]) > 0, fmt.Sprint(got)
	})
	got := capt.announcers()
	if diff := cmp.Diff([]string{"00:00:5e:00:01:33"}, got["10.9.0.50"]); diff != "" {
		t.Errorf("source MACs of 10.9.0.50's GARPs on eth2 (-want +got):\n%s", diff)
	}
	if len(got["192.168.1.50"]) != 0 {
		t.Errorf("192.168.1.50 announced on eth2 from %v; it lives on eth1", got["192.168.1.50"])
	}
	if in := inst(t, n, "V"); in.VMACInterface != "" {
		t.Errorf("status vmac_interface %q, want none (no use_vmac on the instance)", in.VMACInterface)
	}

	idx := func() string {
		out, err := a.Exec(context.Background(), "cat", "/sys/class/net/vrrp.51/ifindex")
		if err != nil {
			t.Fatalf("vrrp.51 ifindex: %v: %s", err, out)
		}
		return strings.TrimSpace(out)
	}
	was := idx()
	sighupReload(t, n, dialNode(t, n))
	if now := idx(); now != was {
		t.Errorf("vrrp.51 re-created by a reload that changed nothing: ifindex %s, was %s", now, was)
	}
	if got := vvAddrs(t, a); !slices.Contains(got, "vrrp.51 10.9.0.50/24") {
		t.Errorf("after the reload: %v, want 10.9.0.50/24 still on vrrp.51", got)
	}

	vvStop(t, n)
	if got := vvLinks(t, a); len(got) != 0 {
		t.Errorf("macvlans left after stop: %v", got)
	}
	if got := vvAddrs(t, a); len(got) != 0 {
		t.Errorf("addresses left after stop: %v", got)
	}
	if diff := cmp.Diff(before, vvSysctls(t, a, "eth2")); diff != "" {
		t.Errorf("eth2 ARP settings after stop (-before +after):\n%s", diff)
	}
}

// TestVmacVIPUseVmacAddr: with use_vmac_addr, an IPv4 and an IPv6 address
// on eth2 and an IPv6 address (the other family) without dev each go on a
// VMAC of their family on their interface, named as keepalived names them
// (vrrp.51, then vrrp6.51, then vrrp1.51); the IPv4 address on eth1 stays
// on eth1. The NA for the IPv6 address on eth2 leaves from
// 00:00:5e:00:02:33. With -V the VMACs stay at stop, with their
// addresses, as the instance's own VMAC does.
func TestVmacVIPUseVmacAddr(t *testing.T) {
	needRoot(t)
	a := vvHost(t)
	capt := vmStartCaptureOn(t, a, "eth2p")
	n := newNode(t, a, fmt.Sprintf(vvConf, "use_vmac_addr", "192.168.1.50/32\n        10.9.0.50/24 dev eth2",
		"2001:db8:9::50/64 dev eth2\n        fd00::50/64"))
	n.extras = []string{"-V"}
	n.start(t)
	waitInstance(t, n, "V", control.StateMaster, 200, 20*time.Second)
	want := []string{"eth1 192.168.1.50/32", "vrrp.51 10.9.0.50/24", "vrrp1.51 fd00::50/64", "vrrp6.51 2001:db8:9::50/64"}
	eventually(t, 10*time.Second, "the VIPs placed", func() (bool, string) {
		got := vvAddrs(t, a)
		return cmp.Equal(got, want), fmt.Sprint(got)
	})
	links := []string{
		"vrrp.51@eth2 00:00:5e:00:01:33 private",
		"vrrp1.51@eth1 00:00:5e:00:02:33 private",
		"vrrp6.51@eth2 00:00:5e:00:02:33 private",
	}
	if diff := cmp.Diff(links, vvLinks(t, a)); diff != "" {
		t.Errorf("macvlans (-want +got):\n%s", diff)
	}
	// The IPv6 VMAC on eth1 carries eth1's link-local, as keepalived's.
	if ok, out := addrOnDev(a, "vrrp1.51", "fe80::2/64"); !ok {
		t.Errorf("vrrp1.51 has no fe80::2/64:\n%s", out)
	}
	eventually(t, 10*time.Second, "an NA for 2001:db8:9::50 on eth2", func() (bool, string) {
		got := capt.announcers()
		return len(got["2001:db8:9::50"]) > 0 && len(got["10.9.0.50"]) > 0, fmt.Sprint(got)
	})
	got := capt.announcers()
	if diff := cmp.Diff(map[string][]string{"2001:db8:9::50": {"00:00:5e:00:02:33"}, "10.9.0.50": {"00:00:5e:00:01:33"}}, got); diff != "" {
		t.Errorf("announcements on eth2 and their source MACs (-want +got):\n%s", diff)
	}

	vvStop(t, n)
	if diff := cmp.Diff(links, vvLinks(t, a)); diff != "" {
		t.Errorf("macvlans after a -V stop (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, vvAddrs(t, a)); diff != "" {
		t.Errorf("addresses after a -V stop (-want +got):\n%s", diff)
	}

	// A new run without -V takes the VMACs over and removes them at stop.
	n.extras = nil
	n.start(t)
	waitInstance(t, n, "V", control.StateMaster, 200, 20*time.Second)
	if diff := cmp.Diff(links, vvLinks(t, a)); diff != "" {
		t.Errorf("macvlans after a restart (-want +got):\n%s", diff)
	}
	vvStop(t, n)
	if got := vvLinks(t, a); len(got) != 0 {
		t.Errorf("macvlans left after stop: %v", got)
	}
	if got := vvAddrs(t, a); len(got) != 0 {
		t.Errorf("addresses left after stop: %v", got)
	}
}

// TestVmacVIPMatchesKeepalived runs keepalived 2.2.7 and gokeepalived on
// the same configurations, each in its own lab, and compares the macvlans
// (name, parent, MAC, mode) and where every address went once MASTER.
func TestVmacVIPMatchesKeepalived(t *testing.T) {
	needKeepalived(t)
	cases := []struct{ name, inst, vips, evips string }{
		{"per-address", "", "192.168.1.50/32\n 10.9.0.50/24 dev eth2 use_vmac", ""},
		{"per-address and use_vmac", "use_vmac", "192.168.1.50/32\n 10.9.0.50/24 dev eth2 use_vmac", ""},
		{"use_vmac_addr", "use_vmac_addr", "192.168.1.50/32\n 10.9.0.50/24 dev eth2",
			"2001:db8:9::50/64 dev eth2\n fd00::50/64\n 10.9.0.51/24 dev eth2"},
		{"use_vmac and use_vmac_addr", "use_vmac\n use_vmac_addr", "192.168.1.50/32\n 10.9.0.50/24 dev eth2",
			"fd00::50/64\n 192.168.1.51/32 dev eth1"},
		{"per-address on the instance's interface", "", "192.168.1.50/32\n 10.9.0.50/24 dev eth2",
			"fd00::50/64 use_vmac\n 192.168.1.52/32 use_vmac"},
		{"use_vmac, dev eth1 and the other family", "use_vmac", "192.168.1.50/32\n 192.168.1.53/32 dev eth1",
			"fd00::50/64\n 192.168.1.51/32 dev eth1"},
	}
	type result struct{ Links, Addrs []string }
	run := func(t *testing.T, d vrrpDaemon, h *lab.Host) result {
		d.start(t)
		var r result
		eventually(t, 20*time.Second, d.kind()+" MASTER with its addresses placed", func() (bool, string) {
			r = result{vvLinks(t, h), vvAddrs(t, h)}
			return slices.ContainsFunc(r.Addrs, func(s string) bool { return strings.HasSuffix(s, " 192.168.1.50/32") }), fmt.Sprint(r)
		})
		time.Sleep(time.Second) // every address goes on in one go; let a slow one land
		r = result{vvLinks(t, h), vvAddrs(t, h)}
		d.stop(t)
		return r
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			conf := fmt.Sprintf(vvConf, c.inst, c.vips, c.evips)
			ka := vvHost(t)
			want := run(t, newKA(t, ka, conf), ka)
			gk := vvHost(t)
			got := run(t, newGK(t, gk, conf), gk)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("macvlans and addresses (-keepalived +gokeepalived):\n%s", diff)
			}
			for _, h := range []*lab.Host{ka, gk} {
				if l := vvLinks(t, h); len(l) != 0 {
					t.Errorf("%s: macvlans left after stop: %v", h.Name, l)
				}
			}
		})
	}
}
