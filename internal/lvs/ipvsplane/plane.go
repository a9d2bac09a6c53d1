package ipvsplane

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/cloudflare/ipvs"
	"github.com/cloudflare/ipvs/netmask"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/lvs"
)

// ErrUnavailable wraps the reason IPVS cannot be used.
var ErrUnavailable = errors.New("IPVS not available")

// Available reports whether the running kernel has IPVS.
func Available() bool {
	_, err := os.Stat("/proc/net/ip_vs")
	return err == nil
}

// Plane is the IPVS data plane. Safe for concurrent use.
type Plane struct {
	c ipvs.Client

	mu        sync.Mutex
	installed map[lvs.ServiceKey]lvs.Service
}

var _ lvs.DataPlane = (*Plane)(nil)

// New connects to IPVS in the calling thread's network namespace; it
// fails, saying why, on a kernel without IPVS.
func New() (*Plane, error) {
	if !Available() {
		return nil, fmt.Errorf("%w: /proc/net/ip_vs is absent (kernel without CONFIG_IP_VS, or ip_vs not loaded); use lvs_backend nftables", ErrUnavailable)
	}
	c, err := ipvs.New()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	return NewWithClient(c), nil
}

// NewWithClient makes a plane that talks through c.
func NewWithClient(c ipvs.Client) *Plane {
	return &Plane{c: c, installed: map[lvs.ServiceKey]lvs.Service{}}
}

// Apply makes IPVS hold s: services and destinations that are gone are
// removed, new ones created, changed ones updated, in that order.
func (p *Plane) Apply(s lvs.State) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	want := map[lvs.ServiceKey]lvs.Service{}
	for _, svc := range s.Services {
		want[svc.Key] = svc
	}
	var errs []error
	for _, k := range sortedKeys(p.installed) {
		if _, ok := want[k]; !ok {
			if err := p.c.RemoveService(service(p.installed[k])); err != nil {
				errs = append(errs, fmt.Errorf("ipvs: remove service %s: %w", k, err))
				continue
			}
			delete(p.installed, k)
		}
	}
	for _, svc := range s.Services {
		if err := p.sync(svc); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// sync brings one service and its destinations to svc.
func (p *Plane) sync(svc lvs.Service) error {
	old, had := p.installed[svc.Key]
	is := service(svc)
	switch {
	case !had:
		if err := p.c.CreateService(is); err != nil {
			return fmt.Errorf("ipvs: add service %s: %w", svc.Key, err)
		}
	case service(old) != is:
		if err := p.c.UpdateService(is); err != nil {
			return fmt.Errorf("ipvs: edit service %s: %w", svc.Key, err)
		}
	}
	installed := svc
	installed.Dests = slices.Clone(old.Dests)
	p.installed[svc.Key] = installed
	var errs []error
	keep := func(d lvs.Dest) bool {
		return slices.ContainsFunc(svc.Dests, func(x lvs.Dest) bool { return x.Addr == d.Addr && x.Port == d.Port })
	}
	for _, d := range old.Dests {
		if !keep(d) {
			if err := p.c.RemoveDestination(is, dest(svc, d)); err != nil {
				errs = append(errs, fmt.Errorf("ipvs: remove %s from %s: %w", d.Addr, svc.Key, err))
			}
		}
	}
	for _, d := range svc.Dests {
		i := slices.IndexFunc(old.Dests, func(x lvs.Dest) bool { return x.Addr == d.Addr && x.Port == d.Port })
		var err error
		switch {
		case i < 0:
			err = p.c.CreateDestination(is, dest(svc, d))
		case old.Dests[i] != d:
			err = p.c.UpdateDestination(is, dest(svc, d))
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("ipvs: set %s in %s: %w", d.Addr, svc.Key, err))
		}
	}
	if len(errs) == 0 {
		p.installed[svc.Key] = svc
	}
	return errors.Join(errs...)
}

// Close removes the services the plane installed.
func (p *Plane) Close() error {
	return p.Apply(lvs.State{})
}

// Release forgets the installed services without removing them (-I): the
// kernel keeps balancing after the daemon exits. The netlink client holds
// no resources between calls, so nothing else is closed.
func (p *Plane) Release() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	clear(p.installed)
	return nil
}

// Flush removes every IPVS service of the kernel, ours or not, with
// their destinations: keepalived's lvs_flush (at start) and
// lvs_flush_on_stop (at stop).
func (p *Plane) Flush() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	svcs, err := p.c.Services()
	if err != nil {
		return fmt.Errorf("ipvs: flush: list services: %w", err)
	}
	var errs []error
	for _, s := range svcs {
		if err := p.c.RemoveService(s.Service); err != nil {
			errs = append(errs, fmt.Errorf("ipvs: flush: remove service: %w", err))
		}
	}
	clear(p.installed)
	return errors.Join(errs...)
}

func sortedKeys(m map[lvs.ServiceKey]lvs.Service) []lvs.ServiceKey {
	keys := make([]lvs.ServiceKey, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b lvs.ServiceKey) int { return strings.Compare(a.String(), b.String()) })
	return keys
}

// service is the IPVS service keepalived installs for svc: persistence
// sets the persistent flag, its timeout in seconds and the netmask
// (255.255.255.255 or /128 when no granularity is given).
func service(svc lvs.Service) ipvs.Service {
	k := svc.Key
	s := ipvs.Service{Address: k.Addr, Port: k.Port, Protocol: ipvs.Protocol(k.Protocol), FWMark: k.Fwmark,
		Scheduler: string(svc.Sched), Flags: ipvs.Flags(svc.Flags)}
	v6 := k.Addr.Is6() || (k.Fwmark != 0 && k.IPv6)
	bits := 32
	s.Family = ipvs.INET
	if v6 {
		s.Family, bits = ipvs.INET6, 128
	}
	s.Netmask = netmask.MaskFrom(bits, bits)
	if svc.Persistence > 0 {
		s.Flags |= ipvs.ServicePersistent
		s.Timeout = uint32(svc.Persistence.Seconds())
		if g := svc.Granularity; g > 0 {
			s.Netmask = netmask.MaskFrom(g, bits)
		}
	}
	if svc.OPS {
		s.Flags |= ipvs.ServiceOnePacket
	}
	if k.Fwmark != 0 {
		s.Address = netip0(v6)
	}
	return s
}

// dest is the IPVS destination for d.
func dest(svc lvs.Service, d lvs.Dest) ipvs.Destination {
	fwd := ipvs.Masquerade
	switch d.Kind {
	case config.KindDR:
		fwd = ipvs.DirectRoute
	case config.KindTUN:
		fwd = ipvs.Tunnel
	}
	fam := ipvs.INET
	if d.Addr.Is6() {
		fam = ipvs.INET6
	}
	port := d.Port
	if port == 0 {
		port = svc.Key.Port
	}
	return ipvs.Destination{Address: d.Addr, Port: port, FwdMethod: fwd, Weight: uint32(d.Weight),
		UpperThreshold: uint32(d.UThreshold), LowerThreshold: uint32(d.LThreshold), Family: fam}
}

// netip0 is the unspecified address of a family, which IPVS expects in a
// fwmark service.
func netip0(v6 bool) netip.Addr {
	if v6 {
		return netip.IPv6Unspecified()
	}
	return netip.IPv4Unspecified()
}
