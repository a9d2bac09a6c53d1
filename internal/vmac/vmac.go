package vmac

import (
	"fmt"
	"log/slog"
	"net/netip"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/system"
)

// Ops is what a Manager needs of system.VMACs (a fake in tests).
type Ops interface {
	Create(system.VMACConfig) (system.Link, error)
	Remove(ifindex int) error
	Interfaces() ([]system.IfaceInfo, error)
}

// Config configures a Manager.
type Config struct {
	Log *slog.Logger
	// Ops makes and removes VMACs; nil opens system.NewVMACs on first use.
	Ops Ops
	// Conf returns the configuration in use: its use_vmac names are
	// reserved, its prefixes name new VMACs.
	Conf func() *config.Config
	// LinkLocal returns the link-local address an IPv6 VMAC for
	// addresses on parent gets; nil gives none.
	LinkLocal func(parent int) netip.Addr
}

// Manager makes and deletes the VMACs of every instance.
type Manager struct {
	cfg   Config
	sys   *system.VMACs // opened on first use when cfg.Ops is nil
	extra map[extraKey]*extraVMAC
	mains map[string]bool // names of the instances' own VMACs
}

// New returns a Manager that has made nothing yet.
func New(cfg Config) *Manager {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	return &Manager{cfg: cfg}
}

// Link is one instance's VMAC state: its own VMAC (keepalived's use_vmac)
// and the VMACs for addresses it holds. Every started instance has one;
// its VMAC is the zero Link without use_vmac.
type Link struct {
	link   system.Link // the macvlan carrying 00:00:5e:00:0{1,2}:VRID
	base   system.Link // the instance's configured interface
	extras map[extraKey]bool
	m      *Manager // makes VMACs for addresses a reload adds
	log    *slog.Logger
}

// HasMain reports whether l has an instance's own VMAC (use_vmac).
func (l *Link) HasMain() bool { return l != nil && l.link.Index != 0 }

// Main returns the instance's own VMAC; the zero Link without use_vmac.
func (l *Link) Main() system.Link {
	if !l.HasMain() {
		return system.Link{}
	}
	return l.link
}

// Base returns the instance's configured interface.
func (l *Link) Base() system.Link { return l.base }

// Name is the VMAC interface name of an instance: use_vmac NAME, or
// vmac_prefix "." VRID ("vrrp.87").
func Name(g config.GlobalDefs, ci *config.Instance) string {
	if ci.VMACName != "" {
		return ci.VMACName
	}
	return system.VMACName(g.VMACPrefix, ci.VRID)
}

// ops returns the handle that makes VMACs, opening it on first use.
func (m *Manager) ops() (Ops, error) {
	if m.cfg.Ops != nil {
		return m.cfg.Ops, nil
	}
	if m.sys == nil {
		v, err := system.NewVMACs(m.cfg.Log)
		if err != nil {
			return nil, err
		}
		m.sys = v
	}
	return m.sys, nil
}

// Instance is what Setup needs of one instance.
type Instance struct {
	Conf *config.Instance
	Log  *slog.Logger
	// Base is the configured interface, IPv6 the instance's family, Src
	// its advert source (an IPv6 VMAC's link-local address).
	Base system.Link
	IPv6 bool
	Src  netip.Addr
	// VIPs and Ifs are the resolved addresses (virtual_ipaddress then
	// virtual_ipaddress_excluded) and their interface names; Setup moves
	// them onto their VMACs.
	VIPs []system.VIP
	Ifs  []string
}

// Setup makes an instance's VMACs, as keepalived does before the instance
// starts. With use_vmac: a private-mode macvlan on the configured
// interface, up, in BACKUP as in MASTER; then the instance lives on it:
// its addresses of the instance's family on the configured interface go
// on the VMAC (so GARPs and ARP replies carry the virtual MAC), those of
// the other family stay on the interface, and adverts are sent and
// received on it, unless vmac_xmit_base keeps the VRRP socket on the
// configured interface. The advert source stays the configured
// interface's address. The addresses that want a VMAC of their own
// (per-address use_vmac, use_vmac_addr) get it too (addr.go).
//
// The Link is returned whenever it was made, also with an error about an
// address's VMAC.
func (m *Manager) Setup(in Instance) (*Link, error) {
	ci, base := in.Conf, in.Base
	vm := &Link{base: base, m: m, log: in.Log}
	places := vipPlaces(ci, base.Name, ci.UseVMAC, len(in.VIPs))
	if ci.UseVMAC {
		ops, err := m.ops()
		if err != nil {
			return nil, fmt.Errorf("vrrp_instance %s: use_vmac: %w", ci.Name, err)
		}
		cfg := system.VMACConfig{
			Name:   Name(m.conf().Global, ci),
			Parent: base.Index,
			VRID:   uint8(ci.VRID),
			Family: system.IPv4,
		}
		if in.IPv6 {
			cfg.Family, cfg.LinkLocal = system.IPv6, in.Src
		}
		// keepalived leaves IPv6 on when the instance has IPv6
		// addresses on the interface, wherever they go.
		for i, p := range places {
			if (p == placeMain || p == placeBase) && in.VIPs[i].Prefix.Addr().Is6() {
				cfg.KeepIPv6 = true
			}
		}
		link, err := ops.Create(cfg)
		if err != nil {
			return nil, fmt.Errorf("vrrp_instance %s: use_vmac on %s: %w", ci.Name, base.Name, err)
		}
		vm.link = link
		if m.mains == nil {
			m.mains = map[string]bool{}
		}
		m.mains[link.Name] = true
	}
	if err := vm.place(ci, in.VIPs, in.Ifs); err != nil {
		return vm, fmt.Errorf("vrrp_instance %s: %w", ci.Name, err)
	}
	if vm.HasMain() {
		vm.log.With("vmac", vm.link.Name).Info("instance uses a virtual MAC", "mac", vm.link.MAC.String(), "base", base.Name,
			"xmit_base", ci.VMACXmitBase)
	}
	return vm, nil
}

// Place moves the addresses of ci onto l's VMACs (vipPlaces): those of the
// instance's family on its interface onto the instance's VMAC (keepalived
// puts them on the instance's interface, which is the VMAC), those that
// want a VMAC of their own onto it, made if the reload added it. vips and
// ifs are the resolved lists for ci: virtual_ipaddress then
// virtual_ipaddress_excluded. A nil l changes nothing. Reload uses it for
// an instance kept in place; a VMAC that cannot be made leaves its address
// on the bare interface, logged.
func (l *Link) Place(ci *config.Instance, vips []system.VIP, ifs []string) {
	if l == nil {
		return
	}
	if err := l.place(ci, vips, ifs); err != nil && l.log != nil {
		l.log.Warn("reload: an address stays off its VMAC", "err", err)
	}
}

// Remove deletes l's VMAC after its instance stopped, and the VMACs for
// addresses no other instance holds.
func (m *Manager) Remove(l *Link) {
	m.releaseExtras(l)
	if !l.HasMain() {
		return
	}
	delete(m.mains, l.link.Name)
	if m.cfg.Ops == nil && m.sys == nil {
		return
	}
	ops, err := m.ops()
	if err == nil {
		err = ops.Remove(l.link.Index)
	}
	if err != nil {
		l.log.Warn("remove vmac interface", "err", err)
	}
}

// Close removes the VMACs still there (an instance that failed to start)
// and restores the sysctls, at shutdown.
func (m *Manager) Close() {
	if m.sys == nil {
		return
	}
	if err := m.sys.Close(); err != nil {
		m.cfg.Log.Warn("remove vmac interfaces", "err", err)
	}
	m.sys, m.extra, m.mains = nil, nil, nil
}

func (m *Manager) conf() *config.Config {
	if m.cfg.Conf == nil {
		return &config.Config{}
	}
	return m.cfg.Conf()
}

// ParentLinkLocal is Config.LinkLocal read from links, as keepalived gives
// an IPv6 VMAC for addresses its address: the parent's own link-local
// address, or else the one its MAC would give (EUI-64). A nil links gives
// none.
func ParentLinkLocal(links system.LinkResolver) func(parent int) netip.Addr {
	return func(parent int) netip.Addr {
		if links == nil {
			return netip.Addr{}
		}
		if ll, err := links.LinkLocalIPv6(parent); err == nil {
			return ll
		}
		if l, err := links.ByIndex(parent); err == nil {
			return system.EUI64LinkLocal(l.MAC)
		}
		return netip.Addr{}
	}
}
