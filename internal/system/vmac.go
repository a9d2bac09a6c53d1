package system

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"runtime"
	"strings"
	"sync"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// VMACAddr returns the RFC 5798 §7.3 virtual router MAC address for vrid:
// 00:00:5e:00:01:VRID for IPv4, 00:00:5e:00:02:VRID for IPv6.
func VMACAddr(fam Family, vrid uint8) net.HardwareAddr {
	b := byte(0x01)
	if fam == IPv6 {
		b = 0x02
	}
	return net.HardwareAddr{0x00, 0x00, 0x5e, 0x00, b, vrid}
}

// VMACName returns keepalived's default VMAC interface name for vrid:
// prefix "." VRID ("vrrp.87" with the default vmac_prefix "vrrp").
func VMACName(prefix string, vrid int) string {
	if prefix == "" {
		prefix = "vrrp"
	}
	return fmt.Sprintf("%s.%d", prefix, vrid)
}

// ErrVMACConflict means the VMAC's name is taken by an interface that is
// not a macvlan, which is never deleted.
var ErrVMACConflict = errors.New("name taken by an interface that is not a macvlan")

// VMACConfig describes one virtual-MAC interface.
type VMACConfig struct {
	// Name is the interface name, e.g. "vrrp.87" (at most 15 bytes).
	Name string
	// Parent is the ifindex of the instance's configured interface.
	Parent int
	// VRID and Family choose the MAC (VMACAddr).
	VRID   uint8
	Family Family
	// LinkLocal is the IPv6 link-local address put on an IPv6 VMAC (the
	// parent's, as keepalived does), so adverts leave from a non-VIP
	// address; the zero Addr adds none. Ignored for IPv4.
	LinkLocal netip.Addr
	// KeepIPv6 leaves IPv6 enabled on an IPv4 VMAC (it will carry IPv6
	// excluded addresses); otherwise IPv6 is disabled on it, as keepalived
	// does, so it sends no MLD or DAD from the shared MAC.
	KeepIPv6 bool
}

func (c VMACConfig) validate() error {
	switch {
	case c.Name == "" || len(c.Name) > unix.IFNAMSIZ-1 || c.Name == "." || c.Name == "..",
		strings.ContainsAny(c.Name, "/ \t\n:"):
		return fmt.Errorf("vmac interface name %q: not a valid interface name", c.Name)
	case c.Parent <= 0:
		return fmt.Errorf("vmac %s: no parent interface", c.Name)
	case c.Family != IPv4 && c.Family != IPv6:
		return fmt.Errorf("vmac %s: %v", c.Name, c.Family)
	}
	return nil
}

// vmacRec is one VMAC we created.
type vmacRec struct {
	cfg    VMACConfig
	link   Link
	parent int // key into VMACs.parents, 0 for IPv6
}

// VMACs creates and removes keepalived's use_vmac interfaces: a macvlan in
// private mode on the instance's interface, named vrrp.VRID by default,
// carrying the virtual router MAC, with IPv6 address generation off. For
// IPv4 it also sets the sysctls the VMAC and its parent need and clears
// all.rp_filter (see rpFilter), and puts every one of them back when the
// last VMAC that needed it is removed. Everything happens in the calling
// thread's network namespace. It is safe for concurrent use.
type VMACs struct {
	h   *netlink.Handle
	log *slog.Logger
	sys sysctls
	ns  unix.Stat_t // the network namespace the handle lives in

	mu      sync.Mutex
	owned   map[int]*vmacRec // by VMAC ifindex
	parents map[int]*parentARP
	rp      rpFilter
	ipv4    int // IPv4 VMACs alive (rp_filter holders)
}

// NewVMACs opens a netlink handle in the calling thread's network
// namespace. log receives an Info line per interface or sysctl changed.
func NewVMACs(log *slog.Logger) (*VMACs, error) {
	h, err := netlink.NewHandle(unix.NETLINK_ROUTE)
	if err != nil {
		return nil, fmt.Errorf("open netlink for vmacs: %w", err)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	v := &VMACs{h: h, log: log, sys: sysctls{root: "/proc/sys"},
		owned: map[int]*vmacRec{}, parents: map[int]*parentARP{}}
	if err := unix.Stat("/proc/thread-self/ns/net", &v.ns); err != nil {
		h.Close()
		return nil, fmt.Errorf("open vmacs: network namespace: %w", err)
	}
	return v, nil
}

// sameNetns pins the calling goroutine to its thread and checks that the
// thread is in the namespace the handle was opened in: /proc/sys/net
// follows the calling thread, so a write from another namespace would
// change the wrong host's settings. Call the returned func when done.
func (v *VMACs) sameNetns() (func(), error) {
	runtime.LockOSThread()
	var st unix.Stat_t
	if err := unix.Stat("/proc/thread-self/ns/net", &st); err != nil {
		runtime.UnlockOSThread()
		return nil, fmt.Errorf("vmac: network namespace: %w", err)
	}
	if st.Ino != v.ns.Ino || st.Dev != v.ns.Dev {
		runtime.UnlockOSThread()
		return nil, errors.New("vmac: called from another network namespace than NewVMACs")
	}
	return runtime.UnlockOSThread, nil
}

// Create makes the VMAC described by cfg and brings it up; it returns the
// new interface. A macvlan already carrying the name (left by a process
// that was killed) is deleted first; any other interface by that name
// wraps ErrVMACConflict. A missing parent wraps ErrNoInterface. Failing
// sysctl writes are logged, not fatal: the VMAC works on most hosts
// without them, as in keepalived.
func (v *VMACs) Create(cfg VMACConfig) (Link, error) {
	if err := cfg.validate(); err != nil {
		return Link{}, err
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	unpin, err := v.sameNetns()
	if err != nil {
		return Link{}, err
	}
	defer unpin()
	parent, err := v.h.LinkByIndex(cfg.Parent)
	if err != nil {
		return Link{}, fmt.Errorf("vmac %s: parent ifindex %d: %w", cfg.Name, cfg.Parent, ErrNoInterface)
	}
	if err := v.removeStale(cfg.Name); err != nil {
		return Link{}, err
	}
	attrs := netlink.NewLinkAttrs()
	attrs.Name = cfg.Name
	attrs.ParentIndex = cfg.Parent
	attrs.HardwareAddr = VMACAddr(cfg.Family, cfg.VRID)
	// Created up, so the first link notification already says up and
	// running (created down, watchers would see it down first and fault
	// the instance for a moment). The kernel takes no addr_gen_mode at
	// creation, so the IPv6 default is switched to none around it: no
	// link-local is ever generated from the shared MAC.
	attrs.Flags = net.FlagUp
	restore := v.defaultAddrGenNone()
	err = v.h.LinkAdd(&netlink.Macvlan{LinkAttrs: attrs, Mode: netlink.MACVLAN_MODE_PRIVATE})
	restore()
	if err != nil {
		return Link{}, fmt.Errorf("create vmac %s on %s: %w", cfg.Name, parent.Attrs().Name, err)
	}
	nl, err := v.h.LinkByName(cfg.Name)
	if err != nil {
		return Link{}, fmt.Errorf("create vmac %s: look it up: %w", cfg.Name, err)
	}
	rec := &vmacRec{cfg: cfg, link: toLink(nl)}
	v.owned[rec.link.Index] = rec
	if err := v.configure(rec, nl, parent.Attrs().Name); err != nil {
		v.remove(rec)
		return Link{}, err
	}
	if nl, err = v.h.LinkByIndex(rec.link.Index); err == nil {
		rec.link = toLink(nl)
	}
	v.log.Info("created vmac interface", "iface", cfg.Name, "parent", parent.Attrs().Name,
		"mac", rec.link.MAC.String(), "mode", "private")
	return rec.link, nil
}

// removeStale deletes a macvlan named name; other kinds are a conflict.
func (v *VMACs) removeStale(name string) error {
	old, err := v.h.LinkByName(name)
	if err != nil {
		return nil // not there: the normal case
	}
	if _, ok := old.(*netlink.Macvlan); !ok {
		return fmt.Errorf("vmac %s: %w (%s)", name, ErrVMACConflict, old.Type())
	}
	if err := v.h.LinkDel(old); err != nil {
		return fmt.Errorf("vmac %s: delete the stale one: %w", name, err)
	}
	v.log.Info("removed a stale vmac interface left by an earlier run", "iface", name)
	return nil
}

// configure sets IPv6 addressing and the sysctls, then brings rec up.
func (v *VMACs) configure(rec *vmacRec, nl netlink.Link, parentName string) error {
	cfg := rec.cfg
	// No link-local from the shared MAC (RFC 5798 §7.4: master and backups
	// carry the same MAC, so its EUI-64 address would collide). Already
	// so from creation where the default could be switched.
	if err := v.h.LinkSetIP6AddrGenMode(nl, addrGenNone); err != nil {
		v.log.Warn("vmac: set IPv6 addr_gen_mode none", "iface", cfg.Name, "err", err)
	}
	if cfg.Family == IPv4 {
		v.ipv4++
		if err := v.rp.clear(v.sys, v.log); err != nil {
			v.log.Warn("vmac: clear all.rp_filter", "err", err)
		}
		if err := v.sys.setVMAC(cfg.Name); err != nil {
			v.log.Warn("vmac: interface sysctls", "iface", cfg.Name, "err", err)
		}
		p := v.parents[cfg.Parent]
		if p == nil {
			p = &parentARP{ifname: parentName}
			v.parents[cfg.Parent] = p
		}
		rec.parent = cfg.Parent
		if err := v.sys.holdParent(p, v.log); err != nil {
			v.log.Warn("vmac: parent sysctls", "iface", parentName, "err", err)
		}
		if !cfg.KeepIPv6 {
			if err := v.sys.set("ipv6", cfg.Name, "disable_ipv6", 1); err != nil {
				v.log.Warn("vmac: disable IPv6", "iface", cfg.Name, "err", err)
			}
		}
	}
	if cfg.Family == IPv6 && cfg.LinkLocal.IsValid() {
		a := &netlink.Addr{
			IPNet: &net.IPNet{IP: cfg.LinkLocal.AsSlice(), Mask: net.CIDRMask(64, 128)},
			Flags: unix.IFA_F_NODAD,
		}
		if err := v.h.AddrReplace(nl, a); err != nil {
			return fmt.Errorf("vmac %s: add link-local %s: %w", cfg.Name, cfg.LinkLocal, err)
		}
	}
	if err := v.h.LinkSetUp(nl); err != nil {
		return fmt.Errorf("vmac %s: bring up: %w", cfg.Name, err)
	}
	return nil
}

// addrGenNone is IN6_ADDR_GEN_MODE_NONE.
const addrGenNone = 1

// defaultAddrGenNone sets net.ipv6.conf.default.addr_gen_mode to none
// and returns the func that puts the old value back (a no-op when IPv6 or
// the setting is absent).
func (v *VMACs) defaultAddrGenNone() func() {
	old, err := v.sys.get("ipv6", "default", "addr_gen_mode")
	if err != nil || old == addrGenNone {
		return func() {}
	}
	if err := v.sys.set("ipv6", "default", "addr_gen_mode", addrGenNone); err != nil {
		return func() {}
	}
	return func() {
		if err := v.sys.set("ipv6", "default", "addr_gen_mode", old); err != nil {
			v.log.Warn("vmac: restore net.ipv6.conf.default.addr_gen_mode", "to", old, "err", err)
		}
	}
}

// Remove deletes the VMAC with index ifindex that Create made and puts
// back the sysctls it needed once nothing else needs them. An ifindex we
// did not create is an error (a real interface is never deleted); one the
// kernel already removed (its parent went away) is not.
func (v *VMACs) Remove(ifindex int) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	rec := v.owned[ifindex]
	if rec == nil {
		return fmt.Errorf("remove vmac ifindex %d: not created here", ifindex)
	}
	unpin, err := v.sameNetns()
	if err != nil {
		return err
	}
	defer unpin()
	return v.remove(rec)
}

func (v *VMACs) remove(rec *vmacRec) error {
	delete(v.owned, rec.link.Index)
	var errs []error
	if rec.parent != 0 {
		if p := v.parents[rec.parent]; p != nil {
			done, err := v.sys.releaseParent(p)
			if done {
				delete(v.parents, rec.parent)
			}
			if err != nil {
				errs = append(errs, fmt.Errorf("restore sysctls of %s: %w", p.ifname, err))
			}
		}
	}
	if rec.cfg.Family == IPv4 {
		if v.ipv4--; v.ipv4 == 0 {
			if err := v.rp.restore(v.sys, v.log); err != nil {
				errs = append(errs, fmt.Errorf("restore rp_filter: %w", err))
			}
		}
	}
	cur, err := v.h.LinkByIndex(rec.link.Index)
	if err != nil {
		return errors.Join(errs...) // gone with its parent
	}
	if _, ok := cur.(*netlink.Macvlan); !ok || cur.Attrs().Name != rec.cfg.Name {
		return errors.Join(errs...) // index reused by another interface: not ours
	}
	err = v.h.LinkDel(cur)
	switch {
	case err == nil:
		v.log.Info("removed vmac interface", "iface", rec.cfg.Name)
	case errors.Is(err, unix.ENODEV):
	default:
		errs = append(errs, fmt.Errorf("delete vmac %s: %w", rec.cfg.Name, err))
	}
	return errors.Join(errs...)
}

// Owned returns the VMACs that Create made and Remove has not removed.
func (v *VMACs) Owned() []Link {
	v.mu.Lock()
	defer v.mu.Unlock()
	out := make([]Link, 0, len(v.owned))
	for _, r := range v.owned {
		out = append(out, r.link)
	}
	return out
}

// Close removes every VMAC still owned, restores the sysctls and releases
// the netlink handle.
func (v *VMACs) Close() error {
	v.mu.Lock()
	defer v.mu.Unlock()
	unpin, err := v.sameNetns()
	if err != nil {
		return err
	}
	defer unpin()
	var errs []error
	for _, r := range v.owned {
		errs = append(errs, v.remove(r))
	}
	v.h.Close()
	return errors.Join(errs...)
}
