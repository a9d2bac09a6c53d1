package vmac

import (
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/system"
)

func cvip(s, dev string, useVMAC bool) config.VIP {
	return config.VIP{Prefix: netip.MustParsePrefix(s), Dev: dev, UseVMAC: useVMAC}
}

// TestVIPPlaces follows keepalived 2.2.7 as observed in a lab (an IPv4
// instance on eth1, VRID 51, a second interface eth2).
func TestVIPPlaces(t *testing.T) {
	const (
		R = placeResolved
		M = placeMain
		X = placeExtra
		B = placeBase
	)
	tests := []struct {
		name      string
		useVMAC   bool // instance use_vmac
		vmacAddr  bool // instance use_vmac_addr
		vips, exc []config.VIP
		want      []vipPlace
	}{
		{
			name: "use_vmac on an address on another interface",
			vips: []config.VIP{cvip("192.168.1.50/32", "", false), cvip("10.9.0.50/24", "eth2", true)},
			want: []vipPlace{R, X},
		},
		{
			name: "with the instance's VMAC too", useVMAC: true,
			vips: []config.VIP{cvip("192.168.1.50/32", "", false), cvip("10.9.0.50/24", "eth2", true)},
			want: []vipPlace{M, X},
		},
		{
			name: "use_vmac_addr: other interface or other family", vmacAddr: true,
			vips: []config.VIP{cvip("192.168.1.50/32", "", false), cvip("10.9.0.50/24", "eth2", false)},
			exc:  []config.VIP{cvip("2001:db8:9::50/64", "eth2", false), cvip("fd00::50/64", "", false), cvip("10.9.0.51/24", "eth2", false)},
			want: []vipPlace{R, X, X, X, X},
		},
		{
			name: "use_vmac and use_vmac_addr", useVMAC: true, vmacAddr: true,
			vips: []config.VIP{cvip("192.168.1.50/32", "", false), cvip("10.9.0.50/24", "eth2", false)},
			exc:  []config.VIP{cvip("fd00::50/64", "", false), cvip("192.168.1.51/32", "eth1", true)},
			want: []vipPlace{M, X, X, M},
		},
		{
			name: "per-address use_vmac on the instance's interface, no instance VMAC",
			vips: []config.VIP{cvip("192.168.1.50/32", "", false), cvip("10.9.0.50/24", "eth2", false)},
			exc:  []config.VIP{cvip("fd00::50/64", "", true), cvip("192.168.1.52/32", "", true), cvip("192.168.1.53/32", "eth1", true)},
			want: []vipPlace{R, R, X, X, X},
		},
		{
			name: "the instance's VMAC: dev eth1 counts as none, the other family stays on eth1", useVMAC: true,
			vips: []config.VIP{cvip("192.168.1.50/32", "", true), cvip("192.168.1.51/32", "eth1", false)},
			exc:  []config.VIP{cvip("fd00::50/64", "", false)},
			want: []vipPlace{M, M, B},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ci := &config.Instance{Interface: "eth1", Family: 4, UseVMAC: tt.useVMAC, UseVMACAddr: tt.vmacAddr,
				VIPs: tt.vips, ExcludedVIPs: tt.exc}
			got := vipPlaces(ci, "eth1", tt.useVMAC, len(tt.want))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("places (-want +got):\n%s", diff)
			}
		})
	}
	// An IPv6 instance: the IPv4 address is the other family.
	ci := &config.Instance{Family: 6, UseVMACAddr: true,
		VIPs: []config.VIP{cvip("fe80::50/64", "", false)}, ExcludedVIPs: []config.VIP{cvip("192.168.1.50/32", "", false)}}
	if diff := cmp.Diff([]vipPlace{placeResolved, placeExtra}, vipPlaces(ci, "eth1", false, 2)); diff != "" {
		t.Errorf("IPv6 instance (-want +got):\n%s", diff)
	}
}

// TestPickVMACName: the names keepalived 2.2.7 gave in the lab, and its
// shortening of a long prefix.
func TestPickVMACName(t *testing.T) {
	tests := []struct {
		prefix string
		vrid   int
		fam    system.Family
		taken  []string
		want   string
	}{
		{"", 51, system.IPv4, nil, "vrrp.51"},
		{"vrrp", 51, system.IPv4, []string{"vrrp.51"}, "vrrp1.51"},
		{"vrrp", 51, system.IPv4, []string{"vrrp.51", "vrrp1.51"}, "vrrp2.51"},
		{"vrrp", 51, system.IPv6, []string{"vrrp.51"}, "vrrp6.51"},
		{"vrrp", 51, system.IPv6, []string{"vrrp.51", "vrrp6.51"}, "vrrp1.51"},
		{"vrrp", 51, system.IPv6, []string{"vrrp.51", "vrrp6.51", "vrrp1.51", "vrrp2.51", "vrrp3.51", "vrrp4.51", "vrrp5.51"}, "vrrp7.51"},
		{"va", 7, system.IPv4, nil, "va.7"},
		{"averyverylongprefix", 200, system.IPv4, nil, "averyverylo.200"},
		{"averyverylongprefix", 200, system.IPv4, []string{"averyverylo.200"}, "averyveryl1.200"},
	}
	for _, tt := range tests {
		got := pickVMACName(tt.prefix, tt.vrid, tt.fam, func(n string) bool { return slices.Contains(tt.taken, n) })
		if got != tt.want {
			t.Errorf("pickVMACName(%q, %d, %v, taken %v) = %q, want %q", tt.prefix, tt.vrid, tt.fam, tt.taken, got, tt.want)
		}
		if len(got) > 15 {
			t.Errorf("%q is longer than IFNAMSIZ-1", got)
		}
	}
	if got := pickVMACName("x", 1, system.IPv4, func(string) bool { return true }); got != "" {
		t.Errorf("every name taken: got %q, want empty", got)
	}
}

// fakeVMACs stands for system.VMACs: it records what it is asked.
type fakeVMACs struct {
	ifs     []system.IfaceInfo
	created []system.VMACConfig
	removed []int
	fail    error
	next    int
}

func (f *fakeVMACs) Create(c system.VMACConfig) (system.Link, error) {
	if f.fail != nil {
		return system.Link{}, f.fail
	}
	f.next++
	f.created = append(f.created, c)
	l := system.Link{Index: 100 + f.next, Name: c.Name, MAC: system.VMACAddr(c.Family, c.VRID)}
	f.ifs = append(f.ifs, system.IfaceInfo{Index: l.Index, Name: l.Name, MAC: l.MAC, Parent: c.Parent, VMAC: true})
	return l, nil
}

func (f *fakeVMACs) Remove(ifindex int) error {
	f.removed = append(f.removed, ifindex)
	f.ifs = slices.DeleteFunc(f.ifs, func(i system.IfaceInfo) bool { return i.Index == ifindex })
	return nil
}

func (f *fakeVMACs) Interfaces() ([]system.IfaceInfo, error) { return f.ifs, nil }

// vmvInst builds an instance on eth1 (ifindex 2) with its addresses
// resolved as the daemon resolves them: no dev on eth1, dev eth2 on
// ifindex 3.
func vmvInst(ci *config.Instance) Instance {
	vi := Instance{Conf: ci, Base: system.Link{Index: 2, Name: "eth1"}, Log: slog.New(slog.DiscardHandler)}
	for _, v := range append(append([]config.VIP(nil), ci.VIPs...), ci.ExcludedVIPs...) {
		idx, name := 2, "eth1"
		if v.Dev == "eth2" {
			idx, name = 3, "eth2"
		}
		vi.VIPs = append(vi.VIPs, system.VIP{Prefix: v.Prefix, Ifindex: idx})
		vi.Ifs = append(vi.Ifs, name)
	}
	return vi
}

// managed returns a Manager on ops under configuration c.
func managed(ops Ops, c *config.Config) *Manager {
	return New(Config{Ops: ops, Conf: func() *config.Config { return c }})
}

// TestVMACForAddresses: the VMACs of addresses are made once per parent,
// family and VRID and shared, named around the interfaces and use_vmac
// names in use, the addresses moved onto them, kept while an instance
// holds them, and deleted with the last one.
func TestVMACForAddresses(t *testing.T) {
	ops := &fakeVMACs{ifs: []system.IfaceInfo{
		{Index: 2, Name: "eth1"}, {Index: 3, Name: "eth2"},
		{Index: 9, Name: "vrrp1.51"}, // not ours, not a VMAC: its name is taken
	}}
	a := &config.Instance{Name: "A", Interface: "eth1", VRID: 51, Family: 4,
		VIPs:         []config.VIP{cvip("192.168.1.50/32", "", false), cvip("10.9.0.50/24", "eth2", true)},
		ExcludedVIPs: []config.VIP{cvip("10.9.0.51/24", "eth2", true), cvip("fd00::50/64", "", true)}}
	b := &config.Instance{Name: "B", Interface: "eth1", VRID: 51, Family: 4, UseVMACAddr: true,
		VIPs: []config.VIP{cvip("10.9.0.60/24", "eth2", false)}}
	c := &config.Instance{Name: "C", Interface: "eth3", VRID: 51, UseVMAC: true} // reserves vrrp.51
	m := managed(ops, &config.Config{Global: config.GlobalDefs{VMACPrefix: "vrrp"},
		Instances: []*config.Instance{a, b, c}})
	va, vb := vmvInst(a), vmvInst(b)
	la, err := m.Setup(va)
	if err != nil {
		t.Fatal(err)
	}
	lb, err := m.Setup(vb)
	if err != nil {
		t.Fatal(err)
	}
	type made struct {
		Name   string
		Parent int
		Fam    system.Family
	}
	var got []made
	for _, c := range ops.created {
		got = append(got, made{c.Name, c.Parent, c.Family})
	}
	want := []made{{"vrrp2.51", 3, system.IPv4}, {"vrrp6.51", 2, system.IPv6}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("VMACs made (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"eth1", "vrrp2.51", "vrrp2.51", "vrrp6.51"}, va.Ifs); diff != "" {
		t.Errorf("A's address interfaces (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int{2, 101, 101, 102}, ifindexes(va.VIPs)); diff != "" {
		t.Errorf("A's address ifindexes (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"vrrp2.51"}, vb.Ifs); diff != "" {
		t.Errorf("B's address interfaces (-want +got):\n%s", diff)
	}
	if la.HasMain() || la.Base().Index != 2 || la.Main().Name != "" {
		t.Errorf("A without use_vmac: base %v vmac %v; want eth1, none", la.Base(), la.Main())
	}

	// A reload keeps A in place: the same VMACs, nothing made.
	scratch := vmvInst(a)
	la.Place(a, scratch.VIPs, scratch.Ifs)
	if diff := cmp.Diff(va.Ifs, scratch.Ifs); diff != "" || len(ops.created) != 2 {
		t.Errorf("reload in place: interfaces (-before +after):\n%s; %d made", diff, len(ops.created))
	}

	// A stops: the shared IPv4 one stays for B, A's IPv6 one goes.
	m.Remove(la)
	if diff := cmp.Diff([]int{102}, ops.removed); diff != "" {
		t.Errorf("after A stops, removed (-want +got):\n%s", diff)
	}
	m.Remove(lb)
	if diff := cmp.Diff([]int{102, 101}, ops.removed); diff != "" {
		t.Errorf("after B stops, removed (-want +got):\n%s", diff)
	}
}

func ifindexes(vips []system.VIP) []int {
	var out []int
	for _, v := range vips {
		out = append(out, v.Ifindex)
	}
	return out
}

// TestVMACForAddressesStaleAndErrors: a VMAC left by an earlier run on the
// right parent with the right MAC is taken over under its name; a failure
// to make one fails the instance's start, and a reload leaves the address
// where it resolved.
func TestVMACForAddressesStaleAndErrors(t *testing.T) {
	ops := &fakeVMACs{ifs: []system.IfaceInfo{
		{Index: 2, Name: "eth1"}, {Index: 3, Name: "eth2"},
		{Index: 7, Name: "old.51", Parent: 3, MAC: system.VMACAddr(system.IPv4, 51), VMAC: true},
	}}
	ci := &config.Instance{Name: "A", Interface: "eth1", VRID: 51, Family: 4,
		VIPs: []config.VIP{cvip("10.9.0.50/24", "eth2", true)}}
	m := managed(ops, &config.Config{Instances: []*config.Instance{ci}})
	if _, err := m.Setup(vmvInst(ci)); err != nil {
		t.Fatal(err)
	}
	if len(ops.created) != 1 || ops.created[0].Name != "old.51" {
		t.Errorf("made %+v, want old.51 taken over", ops.created)
	}

	ops.fail = errors.New("boom")
	ci2 := &config.Instance{Name: "B", Interface: "eth1", VRID: 52, Family: 4,
		VIPs: []config.VIP{cvip("10.9.0.52/24", "eth2", true)}}
	vb := vmvInst(ci2)
	if _, err := m.Setup(vb); err == nil || !errors.Is(err, ops.fail) {
		t.Errorf("Setup with a failing create: %v, want boom", err)
	}
	scratch := vmvInst(ci2)
	sl := &Link{base: scratch.Base, m: m, log: slog.New(slog.DiscardHandler)}
	sl.Place(ci2, scratch.VIPs, scratch.Ifs)
	if got := fmt.Sprint(scratch.Ifs, ifindexes(scratch.VIPs)); got != "[eth2] [3]" {
		t.Errorf("reload with a failing create: %s, want the address left on eth2", got)
	}
}
