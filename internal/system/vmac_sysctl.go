package system

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// sysctls reads and writes the small integer settings under root
// (/proc/sys in production, a temporary directory in tests). Paths are
// resolved in the network namespace of the calling thread.
type sysctls struct {
	root string
}

// path returns root/net/<proto>/conf/<ifname>/<key>.
func (s sysctls) path(proto, ifname, key string) string {
	return filepath.Join(s.root, "net", proto, "conf", ifname, key)
}

// get reads one integer setting.
func (s sysctls) get(proto, ifname, key string) (int, error) {
	b, err := os.ReadFile(s.path(proto, ifname, key))
	if err != nil {
		return 0, fmt.Errorf("read sysctl %s.%s.%s: %w", proto, ifname, key, err)
	}
	v, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return 0, fmt.Errorf("read sysctl %s.%s.%s: %w", proto, ifname, key, err)
	}
	return v, nil
}

// set writes one integer setting.
func (s sysctls) set(proto, ifname, key string, v int) error {
	p := s.path(proto, ifname, key)
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		return fmt.Errorf("write sysctl %s.%s.%s: %w", proto, ifname, key, err)
	}
	_, err = f.WriteString(strconv.Itoa(v) + "\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write sysctl %s.%s.%s: %w", proto, ifname, key, err)
	}
	return nil
}

// ifnames lists the interfaces that have an IPv4 conf directory, without
// "all" and "default".
func (s sysctls) ifnames() ([]string, error) {
	ents, err := os.ReadDir(filepath.Join(s.root, "net", "ipv4", "conf"))
	if err != nil {
		return nil, fmt.Errorf("list ipv4 conf: %w", err)
	}
	var out []string
	for _, e := range ents {
		if n := e.Name(); n != "all" && n != "default" {
			out = append(out, n)
		}
	}
	return out, nil
}

// rpFilter remembers how the IPv4 rp_filter settings were before the
// first IPv4 VMAC, so they can be put back when the last one goes.
//
// The kernel uses max(all.rp_filter, <if>.rp_filter), so a VMAC can only
// have rp_filter 0 when all.rp_filter is 0. keepalived (vrrp_if_config.c)
// therefore raises default.rp_filter and every interface's rp_filter to
// the old all value where lower, then sets all to 0: no interface changes
// behaviour, and the VMAC may have 0. On restore each setting goes back
// only if it still holds the value we wrote.
type rpFilter struct {
	active bool
	all    int            // all.rp_filter before; 0 means nothing was changed
	dflt   int            // default.rp_filter before, -1 when not changed
	raised map[string]int // interface → its value before we raised it
}

// clear applies the change when all.rp_filter is not 0. It is idempotent
// while active.
func (r *rpFilter) clear(s sysctls, log *slog.Logger) error {
	if r.active {
		return nil
	}
	all, err := s.get("ipv4", "all", "rp_filter")
	if err != nil {
		return err
	}
	*r = rpFilter{active: true, all: all, dflt: -1, raised: map[string]int{}}
	if all == 0 {
		return nil
	}
	var errs []error
	if d, err := s.get("ipv4", "default", "rp_filter"); err != nil {
		errs = append(errs, err)
	} else if d < all {
		if err := s.set("ipv4", "default", "rp_filter", all); err != nil {
			errs = append(errs, err)
		} else {
			r.dflt = d
			log.Info("raised sysctl for use_vmac", "sysctl", "net.ipv4.conf.default.rp_filter", "from", d, "to", all)
		}
	}
	names, err := s.ifnames()
	if err != nil {
		errs = append(errs, err)
	}
	for _, n := range names {
		v, err := s.get("ipv4", n, "rp_filter")
		if err != nil || v >= all {
			continue // gone meanwhile, or already strict enough
		}
		if err := s.set("ipv4", n, "rp_filter", all); err != nil {
			errs = append(errs, err)
			continue
		}
		r.raised[n] = v
	}
	if err := s.set("ipv4", "all", "rp_filter", 0); err != nil {
		errs = append(errs, err)
	} else {
		log.Info("cleared sysctl for use_vmac", "sysctl", "net.ipv4.conf.all.rp_filter", "from", all, "to", 0,
			"interfaces_raised", len(r.raised))
	}
	return errors.Join(errs...)
}

// restore puts back what clear changed, where nobody changed it since.
func (r *rpFilter) restore(s sysctls, log *slog.Logger) error {
	if !r.active {
		return nil
	}
	defer func() { *r = rpFilter{} }()
	if r.all == 0 {
		return nil
	}
	var errs []error
	if v, err := s.get("ipv4", "all", "rp_filter"); err == nil && v == 0 {
		if err := s.set("ipv4", "all", "rp_filter", r.all); err != nil {
			errs = append(errs, err)
		} else {
			log.Info("restored sysctl after use_vmac", "sysctl", "net.ipv4.conf.all.rp_filter", "to", r.all)
		}
	}
	if r.dflt >= 0 {
		if v, err := s.get("ipv4", "default", "rp_filter"); err == nil && v == r.all {
			if err := s.set("ipv4", "default", "rp_filter", r.dflt); err != nil {
				errs = append(errs, err)
			}
		}
	}
	for n, old := range r.raised {
		if v, err := s.get("ipv4", n, "rp_filter"); err == nil && v == r.all {
			if err := s.set("ipv4", n, "rp_filter", old); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// parentARP is what one parent interface's arp_ignore and arp_filter were
// before its first VMAC, and how many of our VMACs sit on it.
type parentARP struct {
	refs      int
	ifname    string
	arpIgnore int
	arpFilter int
	changed   bool
}

// vmacSysctls are the settings an IPv4 VMAC needs (vrrp_if_config.c):
// answer ARP only for its own addresses, accept packets from local
// sources (the address owner hearing itself), no reverse-path filter
// (it has no address of its own on the subnet), and keep secondaries.
var vmacSysctls = []struct {
	key string
	val int
}{
	{"arp_ignore", 1},
	{"accept_local", 1},
	{"rp_filter", 0},
	{"promote_secondaries", 1},
}

// setVMAC writes vmacSysctls on an IPv4 VMAC.
func (s sysctls) setVMAC(ifname string) error {
	var errs []error
	for _, kv := range vmacSysctls {
		if err := s.set("ipv4", ifname, kv.key, kv.val); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// holdParent makes the parent neither answer ARP for the VMAC's addresses
// (arp_ignore=1) nor for its own on the wrong interface (arp_filter=1),
// remembering the old values on the first reference.
func (s sysctls) holdParent(p *parentARP, log *slog.Logger) error {
	p.refs++
	if p.refs > 1 {
		return nil
	}
	ign, err := s.get("ipv4", p.ifname, "arp_ignore")
	if err != nil {
		return err
	}
	flt, err := s.get("ipv4", p.ifname, "arp_filter")
	if err != nil {
		return err
	}
	p.arpIgnore, p.arpFilter = ign, flt
	if ign == 1 && flt == 1 {
		return nil
	}
	p.changed = true
	log.Info("set parent sysctls for use_vmac", "iface", p.ifname, "arp_ignore", 1, "arp_filter", 1,
		"was_arp_ignore", ign, "was_arp_filter", flt)
	return errors.Join(s.set("ipv4", p.ifname, "arp_ignore", 1), s.set("ipv4", p.ifname, "arp_filter", 1))
}

// releaseParent drops one reference and restores the old values with the
// last one. It reports whether the entry can be forgotten.
func (s sysctls) releaseParent(p *parentARP) (bool, error) {
	p.refs--
	if p.refs > 0 {
		return false, nil
	}
	if !p.changed {
		return true, nil
	}
	return true, errors.Join(s.set("ipv4", p.ifname, "arp_ignore", p.arpIgnore), s.set("ipv4", p.ifname, "arp_filter", p.arpFilter))
}
