//go:build linux

package system

import (
	"errors"
	"log/slog"
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"github.com/gokeepalived/gokeepalived/internal/lab"
)

// vmacState is what a test reads back about a VMAC interface.
type vmacState struct {
	Kind        string
	Mode        string
	MAC         string
	Parent      string
	Up          bool
	AddrGenMode string
	IPv6Addrs   []string
}

// readVMAC reads the VMAC name from inside h (netlink and /proc/sys).
func readVMAC(t *testing.T, h *lab.Host, name string) vmacState {
	t.Helper()
	var st vmacState
	in(t, h, func() error {
		l, err := netlink.LinkByName(name)
		if err != nil {
			return err
		}
		st.Kind = l.Type()
		if m, ok := l.(*netlink.Macvlan); ok {
			st.Mode = map[netlink.MacvlanMode]string{netlink.MACVLAN_MODE_PRIVATE: "private",
				netlink.MACVLAN_MODE_BRIDGE: "bridge", netlink.MACVLAN_MODE_VEPA: "vepa"}[m.Mode]
		}
		st.MAC = l.Attrs().HardwareAddr.String()
		if p, err := netlink.LinkByIndex(l.Attrs().ParentIndex); err == nil {
			st.Parent = p.Attrs().Name
		}
		st.Up = l.Attrs().RawFlags&unix.IFF_UP != 0
		addrs, err := netlink.AddrList(l, netlink.FAMILY_V6)
		if err != nil {
			return err
		}
		for _, a := range addrs {
			st.IPv6Addrs = append(st.IPv6Addrs, a.IPNet.String())
		}
		return nil
	})
	out, err := h.Exec(t.Context(), "ip", "-d", "link", "show", "dev", name)
	if err != nil {
		t.Fatal(err)
	}
	if i := strings.Index(out, "addrgenmode "); i >= 0 {
		st.AddrGenMode = strings.Fields(out[i+len("addrgenmode "):])[0]
	}
	return st
}

// sysctlsIn reads "proto/iface/key" settings inside h.
func sysctlsIn(t *testing.T, h *lab.Host, keys ...string) map[string]int {
	t.Helper()
	out := map[string]int{}
	in(t, h, func() error {
		for _, k := range keys {
			parts := strings.SplitN(k, "/", 3)
			if len(parts) != 3 {
				return errors.New("bad sysctl key " + k)
			}
			v, err := sysctls{root: "/proc/sys"}.get(parts[0], parts[1], parts[2])
			if err != nil {
				return err
			}
			out[k] = v
		}
		return nil
	})
	return out
}

func setSysctlsIn(t *testing.T, h *lab.Host, vals map[string]int) {
	t.Helper()
	in(t, h, func() error {
		for k, v := range vals {
			parts := strings.SplitN(k, "/", 3)
			if len(parts) != 3 {
				return errors.New("bad sysctl key " + k)
			}
			if err := (sysctls{root: "/proc/sys"}).set(parts[0], parts[1], parts[2], v); err != nil {
				return err
			}
		}
		return nil
	})
}

// newVMACs opens VMACs inside h; Close runs inside h at cleanup.
func newVMACs(t *testing.T, h *lab.Host) *VMACs {
	t.Helper()
	var v *VMACs
	in(t, h, func() (err error) {
		v, err = NewVMACs(slog.New(slog.DiscardHandler))
		return err
	})
	t.Cleanup(func() { h.Do(v.Close) })
	return v
}

func eth1Index(t *testing.T, h *lab.Host) int {
	t.Helper()
	var idx int
	in(t, h, func() error {
		l, err := netlink.LinkByName("eth1")
		if err == nil {
			idx = l.Attrs().Index
		}
		return err
	})
	return idx
}

func linkExists(t *testing.T, h *lab.Host, name string) bool {
	t.Helper()
	var ok bool
	in(t, h, func() error {
		_, err := netlink.LinkByName(name)
		ok = err == nil
		return nil
	})
	return ok
}

func TestVMACLifecycleIPv4(t *testing.T) {
	l := newLab(t, lab.Hosts("a")...)
	a := l.Host("a")
	// A host with strict reverse-path filtering everywhere, and a parent
	// that answers ARP the default way.
	before := map[string]int{"ipv4/all/rp_filter": 2, "ipv4/default/rp_filter": 0, "ipv4/eth1/rp_filter": 0,
		"ipv4/lo/rp_filter": 0, "ipv4/eth1/arp_ignore": 0, "ipv4/eth1/arp_filter": 0,
		"ipv6/default/addr_gen_mode": 0}
	setSysctlsIn(t, a, before)
	v := newVMACs(t, a)
	parent := eth1Index(t, a)

	var link1, link2 Link
	in(t, a, func() (err error) {
		link1, err = v.Create(VMACConfig{Name: "vrrp.87", Parent: parent, VRID: 87, Family: IPv4})
		return err
	})
	want := vmacState{Kind: "macvlan", Mode: "private", MAC: "00:00:5e:00:01:57", Parent: "eth1", Up: true, AddrGenMode: "none"}
	if diff := cmp.Diff(want, readVMAC(t, a, "vrrp.87")); diff != "" {
		t.Errorf("vrrp.87 (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(Link{Index: link1.Index, Name: "vrrp.87", MAC: VMACAddr(IPv4, 87), MTU: link1.MTU, Up: true}, link1); diff != "" {
		t.Errorf("Create returned (-want +got):\n%s", diff)
	}
	held := map[string]int{"ipv4/all/rp_filter": 0, "ipv4/default/rp_filter": 2, "ipv4/eth1/rp_filter": 2,
		"ipv4/lo/rp_filter": 2, "ipv4/eth1/arp_ignore": 1, "ipv4/eth1/arp_filter": 1,
		"ipv4/vrrp.87/arp_ignore": 1, "ipv4/vrrp.87/accept_local": 1, "ipv4/vrrp.87/rp_filter": 0,
		"ipv4/vrrp.87/promote_secondaries": 1, "ipv6/vrrp.87/disable_ipv6": 1,
		"ipv6/default/addr_gen_mode": 0}
	if diff := cmp.Diff(held, sysctlsIn(t, a, keysOf(held)...)); diff != "" {
		t.Errorf("sysctls with one VMAC (-want +got):\n%s", diff)
	}

	// A second VMAC on the same parent; removing the first keeps the
	// parent's settings for the second.
	in(t, a, func() (err error) {
		link2, err = v.Create(VMACConfig{Name: "vrrp.88", Parent: parent, VRID: 88, Family: IPv4})
		return err
	})
	in(t, a, func() error { return v.Remove(link1.Index) })
	if linkExists(t, a, "vrrp.87") {
		t.Error("vrrp.87 still exists after Remove")
	}
	still := map[string]int{"ipv4/all/rp_filter": 0, "ipv4/eth1/arp_ignore": 1, "ipv4/eth1/arp_filter": 1}
	if diff := cmp.Diff(still, sysctlsIn(t, a, keysOf(still)...)); diff != "" {
		t.Errorf("sysctls with one of two VMACs left (-want +got):\n%s", diff)
	}
	in(t, a, func() error { return v.Remove(link2.Index) })
	if linkExists(t, a, "vrrp.88") {
		t.Error("vrrp.88 still exists after Remove")
	}
	if diff := cmp.Diff(before, sysctlsIn(t, a, keysOf(before)...)); diff != "" {
		t.Errorf("sysctls after the last VMAC (-want +got):\n%s", diff)
	}
	if got := v.Owned(); len(got) != 0 {
		t.Errorf("Owned after removing all = %v, want none", got)
	}
}

func TestVMACIPv6(t *testing.T) {
	l := newLab(t, lab.Hosts("a")...)
	a := l.Host("a")
	before := map[string]int{"ipv4/eth1/arp_ignore": 0, "ipv4/eth1/arp_filter": 0}
	v := newVMACs(t, a)
	var link Link
	in(t, a, func() (err error) {
		link, err = v.Create(VMACConfig{Name: "vrrp.9", Parent: eth1Index(t, a), VRID: 9, Family: IPv6,
			LinkLocal: netip.MustParseAddr("fe80::2")})
		return err
	})
	want := vmacState{Kind: "macvlan", Mode: "private", MAC: "00:00:5e:00:02:09", Parent: "eth1", Up: true,
		AddrGenMode: "none", IPv6Addrs: []string{"fe80::2/64"}}
	if diff := cmp.Diff(want, readVMAC(t, a, "vrrp.9")); diff != "" {
		t.Errorf("vrrp.9 (-want +got):\n%s", diff)
	}
	// IPv6 VMACs leave the parent's ARP settings alone, as keepalived does.
	if diff := cmp.Diff(before, sysctlsIn(t, a, keysOf(before)...)); diff != "" {
		t.Errorf("parent sysctls (-want +got):\n%s", diff)
	}
	in(t, a, func() error { return v.Remove(link.Index) })
	if linkExists(t, a, "vrrp.9") {
		t.Error("vrrp.9 still exists after Remove")
	}
}

func TestVMACStaleAndConflict(t *testing.T) {
	l := newLab(t, lab.Hosts("a")...)
	a := l.Host("a")
	ctx := t.Context()
	// Left by a killed run: a macvlan with the name, even on another MAC.
	if _, err := a.Exec(ctx, "ip", "link", "add", "link", "eth1", "name", "vrrp.5", "address", "02:11:22:33:44:55", "type", "macvlan"); err != nil {
		t.Fatal(err)
	}
	// A real interface that happens to have a VMAC name (a bridge).
	if _, err := a.Exec(ctx, "ip", "link", "add", "vrrp.6", "type", "bridge"); err != nil {
		t.Fatal(err)
	}
	v := newVMACs(t, a)
	parent := eth1Index(t, a)
	in(t, a, func() error {
		_, err := v.Create(VMACConfig{Name: "vrrp.5", Parent: parent, VRID: 5, Family: IPv4})
		return err
	})
	if got := readVMAC(t, a, "vrrp.5"); got.MAC != "00:00:5e:00:01:05" || got.Mode != "private" {
		t.Errorf("stale vrrp.5 not replaced: %+v", got)
	}
	var err error
	in(t, a, func() error {
		_, err = v.Create(VMACConfig{Name: "vrrp.6", Parent: parent, VRID: 6, Family: IPv4})
		return nil
	})
	if !errors.Is(err, ErrVMACConflict) {
		t.Errorf("Create over a bridge: err %v, want ErrVMACConflict", err)
	}
	if got := readVMAC(t, a, "vrrp.6"); got.Kind != "bridge" {
		t.Errorf("the bridge vrrp.6 was touched: %+v", got)
	}
	// Remove refuses an interface it did not create.
	var idx int
	in(t, a, func() error {
		d, err := netlink.LinkByName("vrrp.6")
		idx = d.Attrs().Index
		return err
	})
	in(t, a, func() error {
		if err := v.Remove(idx); err == nil {
			return errors.New("Remove of the bridge succeeded")
		}
		return nil
	})
	// Close removes what is left and restores the parent.
	in(t, a, v.Close)
	if linkExists(t, a, "vrrp.5") {
		t.Error("vrrp.5 still exists after Close")
	}
	if got := sysctlsIn(t, a, "ipv4/eth1/arp_ignore")["ipv4/eth1/arp_ignore"]; got != 0 {
		t.Errorf("eth1 arp_ignore after Close = %d, want 0", got)
	}
}

func TestVMACWrongNamespace(t *testing.T) {
	l := newLab(t, lab.Hosts("a")...)
	a := l.Host("a")
	v := newVMACs(t, a)
	// Called from this goroutine's thread (the test's own namespace), it
	// must refuse before touching anything.
	_, err := v.Create(VMACConfig{Name: "vrrp.7", Parent: 1, VRID: 7, Family: IPv4})
	if err == nil || !strings.Contains(err.Error(), "another network namespace") {
		t.Errorf("Create from another namespace: err %v, want a refusal", err)
	}
}
