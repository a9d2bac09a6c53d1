package system

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/netip"
	"strconv"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// Scope is an address scope (`ip addr ... scope`).
type Scope uint8

// Address scopes, as in rtnetlink. The zero Scope is global, the default.
const (
	ScopeGlobal  Scope = unix.RT_SCOPE_UNIVERSE
	ScopeSite    Scope = unix.RT_SCOPE_SITE
	ScopeLink    Scope = unix.RT_SCOPE_LINK
	ScopeHost    Scope = unix.RT_SCOPE_HOST
	ScopeNowhere Scope = unix.RT_SCOPE_NOWHERE
)

// String returns the name `ip` uses: global, site, link, host, nowhere, or
// the number.
func (s Scope) String() string {
	switch s {
	case ScopeGlobal:
		return "global"
	case ScopeSite:
		return "site"
	case ScopeLink:
		return "link"
	case ScopeHost:
		return "host"
	case ScopeNowhere:
		return "nowhere"
	}
	return strconv.Itoa(int(s))
}

// VIP is one virtual_ipaddress entry, resolved to an interface index.
type VIP struct {
	// Prefix is the address and its prefix length (/32 or /128 when the
	// config gives none, as keepalived does).
	Prefix netip.Prefix
	// Ifindex is the interface (`dev`, or the instance's interface).
	Ifindex int
	// Broadcast is `brd`; the zero Addr adds none (keepalived's default).
	Broadcast netip.Addr
	// Scope is `scope`; the zero value is global.
	Scope Scope
	// Label is `label` (IPv4 only), e.g. "eth1:vip".
	Label string
	// Peer is `peer` (point-to-point remote address and prefix).
	Peer netip.Prefix
	// PreferredLft is `preferred_lft` in seconds; nil means forever.
	PreferredLft *uint32
	// NoDAD is `nodad` (IPv6 only).
	NoDAD bool
	// NoPrefixRoute is `noprefixroute`.
	NoPrefixRoute bool
	// Home, MngTmpAddr and AutoJoin are `home`, `mngtmpaddr` (IPv6) and
	// `autojoin` (multicast addresses), as in `ip address add`.
	Home, MngTmpAddr, AutoJoin bool
}

// Equal reports whether v and w are the same address with the same
// options.
func (v VIP) Equal(w VIP) bool {
	lv, lw := v.PreferredLft, w.PreferredLft
	v.PreferredLft, w.PreferredLft = nil, nil
	return v == w && (lv == nil) == (lw == nil) && (lv == nil || *lv == *lw)
}

// String returns the VIP the way it is written in logs: "192.168.1.6/32 dev 3".
func (v VIP) String() string {
	return v.Prefix.String() + " dev " + strconv.Itoa(v.Ifindex)
}

// Addresses is the netlink Addresser and AddrLister.
type Addresses struct {
	h   *netlink.Handle
	log *slog.Logger
}

var (
	_ Addresser  = (*Addresses)(nil)
	_ AddrLister = (*Addresses)(nil)
)

// NewAddresses opens a netlink handle in the calling thread's network
// namespace. log receives an Info line per address added or removed.
func NewAddresses(log *slog.Logger) (*Addresses, error) {
	h, err := netlink.NewHandle(unix.NETLINK_ROUTE)
	if err != nil {
		return nil, fmt.Errorf("open netlink for addresses: %w", err)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Addresses{h: h, log: log}, nil
}

// Close releases the netlink handle.
func (a *Addresses) Close() error {
	a.h.Close()
	return nil
}

func (v VIP) netlinkAddr() (*netlink.Addr, error) {
	if !v.Prefix.IsValid() {
		return nil, errors.New("invalid prefix")
	}
	na := &netlink.Addr{IPNet: prefixNet(v.Prefix), Label: v.Label, Scope: int(v.Scope)}
	if v.Broadcast.IsValid() {
		na.Broadcast = net.IP(v.Broadcast.AsSlice())
	} else if v.Prefix.Addr().Is4() {
		na.Broadcast = net.IPv4zero // netlink would compute one; keepalived adds none
	}
	if v.Peer.IsValid() {
		na.Peer = prefixNet(v.Peer)
	}
	if v.PreferredLft != nil {
		na.PreferedLft = int(*v.PreferredLft)
		na.ValidLft = math.MaxUint32 // forever; netlink sends lifetimes only as a pair
	}
	if v.NoDAD {
		na.Flags |= unix.IFA_F_NODAD
	}
	if v.NoPrefixRoute {
		na.Flags |= unix.IFA_F_NOPREFIXROUTE
	}
	if v.Home {
		na.Flags |= unix.IFA_F_HOMEADDRESS
	}
	if v.MngTmpAddr {
		na.Flags |= unix.IFA_F_MANAGETEMPADDR
	}
	if v.AutoJoin {
		na.Flags |= unix.IFA_F_MCAUTOJOIN
	}
	return na, nil
}

func prefixNet(p netip.Prefix) *net.IPNet {
	bits := 32
	if p.Addr().Is6() {
		bits = 128
	}
	return &net.IPNet{IP: net.IP(p.Addr().AsSlice()), Mask: net.CIDRMask(p.Bits(), bits)}
}

// Add adds v to its interface. An address already present (EEXIST) is
// success. A missing interface wraps ErrNoInterface.
func (a *Addresses) Add(v VIP) error {
	na, err := v.netlinkAddr()
	var link netlink.Link
	if err == nil {
		// By index, for the name: netlink and the kernel check that a
		// label starts with it.
		link, err = a.h.LinkByIndex(v.Ifindex)
	}
	if err == nil {
		err = a.h.AddrAdd(link, na)
	}
	switch {
	case err == nil:
		a.log.Info("address added", "addr", v.Prefix, "ifindex", v.Ifindex)
		return nil
	case errors.Is(err, unix.EEXIST):
		return nil
	case isNoLink(err):
		err = fmt.Errorf("%w: %w", ErrNoInterface, err)
	}
	return fmt.Errorf("add %s: %w", v, err)
}

// Del removes v from its interface. An address that is not there
// (EADDRNOTAVAIL) is success.
func (a *Addresses) Del(v VIP) error {
	na, err := v.netlinkAddr()
	if err == nil {
		na.Broadcast, na.Label, na.Flags = nil, "", 0
		err = a.h.AddrDel(&netlink.Device{LinkAttrs: *attrsFor(v.Ifindex)}, na)
	}
	switch {
	case err == nil:
		a.log.Info("address removed", "addr", v.Prefix, "ifindex", v.Ifindex)
		return nil
	case errors.Is(err, unix.EADDRNOTAVAIL), errors.Is(err, unix.ENODEV):
		return nil
	}
	return fmt.Errorf("delete %s: %w", v, err)
}

// List returns the addresses of family fam (0 = both) on ifindex in kernel
// order (for IPv4 the primary address comes first).
func (a *Addresses) List(ifindex int, fam Family) ([]netip.Prefix, error) {
	addrs, err := a.list(ifindex, fam)
	if err != nil {
		return nil, err
	}
	out := make([]netip.Prefix, 0, len(addrs))
	for _, na := range addrs {
		out = append(out, toPrefix(na.IPNet))
	}
	return out, nil
}

func (a *Addresses) list(ifindex int, fam Family) ([]netlink.Addr, error) {
	nf := netlink.FAMILY_ALL
	switch fam {
	case IPv4:
		nf = netlink.FAMILY_V4
	case IPv6:
		nf = netlink.FAMILY_V6
	}
	var link netlink.Link // nil: every interface
	if ifindex != 0 {
		link = &netlink.Device{LinkAttrs: *attrsFor(ifindex)}
	}
	addrs, err := a.h.AddrList(link, nf)
	if err != nil {
		if errors.Is(err, unix.ENODEV) {
			err = fmt.Errorf("%w: %w", ErrNoInterface, err)
		}
		return nil, fmt.Errorf("list addresses of ifindex %d: %w", ifindex, err)
	}
	return addrs, nil
}

func toPrefix(n *net.IPNet) netip.Prefix {
	a, _ := netip.AddrFromSlice(n.IP)
	ones, _ := n.Mask.Size()
	return netip.PrefixFrom(a.Unmap(), ones)
}

// RemoveStale removes those of vips that are present on their interfaces
// (left by a killed process, acassen/keepalived#672) and returns the ones it
// removed. Call it before any instance starts: every configured VIP is ours.
func RemoveStale(l AddrLister, a Addresser, vips []VIP) ([]VIP, error) {
	present := map[int]map[netip.Addr]bool{}
	var removed []VIP
	var errs []error
	for _, v := range vips {
		have, ok := present[v.Ifindex]
		if !ok {
			ps, err := l.List(v.Ifindex, 0)
			if err != nil {
				errs = append(errs, err)
				present[v.Ifindex] = nil
				continue
			}
			have = map[netip.Addr]bool{}
			for _, p := range ps {
				have[p.Addr()] = true
			}
			present[v.Ifindex] = have
		}
		if !have[v.Prefix.Addr()] {
			continue
		}
		if err := a.Del(v); err != nil {
			errs = append(errs, err)
			continue
		}
		removed = append(removed, v)
	}
	return removed, errors.Join(errs...)
}

func isNoLink(err error) bool {
	var nf netlink.LinkNotFoundError
	return errors.As(err, &nf) || errors.Is(err, unix.ENODEV)
}
