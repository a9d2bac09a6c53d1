package daemon

import (
	"errors"
	"fmt"
	"net/netip"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/system"
	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

// Interfaces that come and go: dynamic_interfaces (an instance whose
// interface is missing waits in FAULT for it), interface_up_down_delays
// (link flaps are debounced before instances see them), and the advert
// source re-read when the interface's addresses change (no usable address
// means FAULT, as keepalived's "no IPv4 address for interface").

// dynState is the daemon's side of this file and accept.go.
type dynState struct {
	ifs   map[string]*ifDebounce // by interface name
	fw    *system.Firewall
	fwErr error // the firewall could not be opened (logged once)
}

// ifDebounce is one interface's raw link state and the state instances
// see, which follows raw after the configured delay.
type ifDebounce struct {
	raw, eff bool
	gen      int // bumped on every raw change; a timer of an older gen is stale
}

// dynInst is an instance's side of this file and accept.go.
type dynInst struct {
	missing bool         // the interface does not exist (dynamic_interfaces)
	noAddr  bool         // the interface has no usable source address
	dropped []netip.Addr // addresses in the no_accept drop set
	hinted  bool         // the no_accept hint was logged

	// srcNotLocal: the unicast source was no address of the node when
	// the socket opened (unicast_src.go).
	srcNotLocal bool
}

// lookupLink resolves an instance's interface. A missing one is an error
// unless dynamic_interfaces is set; then the instance waits for it.
func (d *Daemon) lookupLink(g *config.GlobalDefs, ci *config.Instance, ifname string) (system.Link, bool, error) {
	link, err := d.sys.links.Lookup(ifname)
	if err == nil {
		return link, false, nil
	}
	if errors.Is(err, system.ErrNoInterface) && g.DynamicInterfaces {
		return system.Link{Name: ifname}, true, nil
	}
	return system.Link{}, false, fmt.Errorf("vrrp_instance %s: interface %s: %w", ci.Name, ifname, err)
}

// sourceOK reports whether the error of resolveSource leaves vi able to
// start (in FAULT until an address comes): the interface is missing or has
// no address of the wanted kind yet.
func (d *Daemon) sourceOK(vi *vinst, err error) bool {
	switch {
	case vi.dyn.missing:
		return true
	case errors.Is(err, system.ErrNoAddress):
		vi.dyn.noAddr = true
		vi.log.Warn("no usable address on the interface: the instance stays in FAULT until one is added", "err", err)
		return true
	}
	return false
}

// bindInstance registers vi for received adverts and opens (or shares) its
// socket; an instance whose interface is missing is bound when it appears.
func (d *Daemon) bindInstance(vi *vinst) error {
	if vi.dyn.missing {
		vi.log.Warn("interface does not exist yet: the instance stays in FAULT until it appears (dynamic_interfaces)")
		return nil
	}
	key := rxKey{connKey{vi.link.Index, vi.fam}, uint8(vi.conf.VRID)}
	if other := d.byKey[key]; other != nil && other != vi {
		return fmt.Errorf("vrrp_instance %s: VRID %d is already used on %s by %s", vi.conf.Name, vi.conf.VRID, vi.link.Name, other.conf.Name)
	}
	if err := d.attachConn(vi); err != nil {
		return fmt.Errorf("vrrp_instance %s: open VRRP socket on %s: %w", vi.conf.Name, vi.link.Name, err)
	}
	d.byKey[key] = vi
	d.checkUnicastSrc(vi)
	return nil
}

// dynLinkChanged applies a link event before the instances' effects are
// refreshed: an awaited interface appearing, an instance's interface being
// deleted, and the debounced up/down state.
func (d *Daemon) dynLinkChanged(ev system.LinkEvent) {
	d.routes().LinkChanged(ev) // static entries on the interface
	for _, vi := range d.insts {
		switch {
		case vi.dyn.missing && !ev.Deleted && ev.Name == vi.link.Name:
			d.linkAppeared(vi, ev.Link)
		case !vi.dyn.missing && ev.Deleted && ev.Index == vi.link.Index:
			d.linkDeleted(vi)
		case !vi.dyn.missing && ev.Index != vi.link.Index:
			d.vipLinkChanged(vi, ev)
		}
	}
	d.debounce(ev.Name, ev.Up && !ev.Deleted, ev.Deleted)
}

// vipLinkChanged follows an interface that carries some of vi's addresses
// ("dev OTHER") but is not vi's own: deleting it takes the addresses with
// it, and a new interface of that name gets them back on the next advert
// round (retryVIPs) at its new index.
func (d *Daemon) vipLinkChanged(vi *vinst, ev system.LinkEvent) {
	for i := range vi.vips {
		if vi.vipIf[i] != ev.Name {
			continue
		}
		switch {
		case ev.Deleted && vi.vips[i].Ifindex == ev.Index:
			vi.present[i] = false
			vi.vipRetry = true
		case !ev.Deleted && vi.vips[i].Ifindex != ev.Index:
			vi.log.Info("interface of a virtual address re-created", "addr", vi.vips[i].Prefix, "dev", ev.Name, "ifindex", ev.Index)
			vi.vips[i].Ifindex = ev.Index
			vi.present[i] = false
			vi.vipRetry = true
		}
	}
}

// debounce records an interface's raw state and moves the state instances
// see after interface_up_down_delays (deletion is never delayed).
func (d *Daemon) debounce(name string, up, now bool) {
	if d.dyn.ifs == nil {
		d.dyn.ifs = map[string]*ifDebounce{}
	}
	st := d.dyn.ifs[name]
	if st == nil {
		// The first event: the state before it is the one the instances
		// on name saw at start, so a first flap is delayed too.
		prev := up
		for _, vi := range d.insts {
			if vi.link.Name == name && !vi.dyn.missing {
				prev = vi.link.Up
			}
		}
		st = &ifDebounce{raw: prev, eff: prev}
		d.dyn.ifs[name] = st
		d.setLinkUp(name, prev)
	}
	if up == st.raw {
		return
	}
	st.raw = up
	st.gen++
	d.log.Info("Netlink reports "+name+" "+upDown(up), "iface", name)
	delay := d.upDownDelay(name, up)
	if delay <= 0 || now {
		st.eff = up
		d.setLinkUp(name, up)
		return
	}
	gen := st.gen
	d.log.Info("interface change delayed", "iface", name, "up", up, "delay", delay)
	time.AfterFunc(delay, func() {
		d.post(func() {
			if st.gen != gen || st.eff == st.raw {
				return
			}
			st.eff = st.raw
			d.log.Info("interface change applied after delay", "iface", name, "up", st.eff)
			d.setLinkUp(name, st.eff)
			d.refreshAll()
		})
	})
}

// upDownDelay returns the configured delay before name going up (or down)
// reaches the instances.
func (d *Daemon) upDownDelay(name string, up bool) time.Duration {
	for _, dl := range d.conf.InterfaceUpDownDelays {
		if dl.Interface == name {
			if up {
				return dl.Up
			}
			return dl.Down
		}
	}
	return 0
}

// setLinkUp sets the up state instances on name see.
func (d *Daemon) setLinkUp(name string, up bool) {
	for _, vi := range d.insts {
		if vi.link.Name == name && !vi.dyn.missing {
			vi.link.Up = up
		}
	}
}

// linkUp returns the debounced state of a tracked interface (track_interface):
// false when it does not exist.
func (d *Daemon) linkUp(name string) bool {
	l, err := d.sys.links.Lookup(name)
	if err != nil {
		return false
	}
	if st := d.dyn.ifs[name]; st != nil {
		return st.eff
	}
	return l.Up
}

// post runs fn on the loop (from a timer or watcher goroutine); it gives
// up when the daemon stops.
func (d *Daemon) post(fn func()) {
	select {
	case d.reqCh <- fn:
	case <-d.runCtx.Done():
	}
}

// linkAppeared starts an instance whose interface was missing: VIPs and the
// source address are resolved and the socket opened. Its effects are
// refreshed by the caller, which lifts the FAULT.
func (d *Daemon) linkAppeared(vi *vinst, l system.Link) {
	vi.log.Info("interface appeared", "ifindex", l.Index)
	up := l.Up
	if st := d.dyn.ifs[l.Name]; st != nil {
		up = st.eff
	}
	vi.link, vi.link.Up = l, up
	vi.dyn.missing = false
	vi.vips, vi.vipIf = nil, nil
	if err := d.resolveVIPs(vi); err != nil {
		vi.log.Error("interface appeared, but a virtual address cannot be placed", "err", err)
	}
	d.rereadSource(vi)
	if err := d.bindInstance(vi); err != nil {
		vi.log.Error("interface appeared, but the instance cannot use it", "err", err)
	}
}

// linkDeleted puts an instance whose interface went away in FAULT and
// closes its socket; it waits for the interface to come back.
func (d *Daemon) linkDeleted(vi *vinst) {
	vi.log.Warn("interface deleted: the instance is in FAULT until it comes back")
	vi.dyn.missing = true
	vi.link.Up = false
	d.refreshEffects(vi) // leave MASTER (priority 0) while the socket is open
	delete(d.byKey, rxKey{connKey{vi.link.Index, vi.fam}, uint8(vi.conf.VRID)})
	d.detachConn(vi)
	vi.link.Index = 0
}

// addrChanged re-reads the advert source of the instances on the event's
// interface.
func (d *Daemon) addrChanged(ev system.AddrEvent) {
	// static addresses removed from outside (package route)
	if d.routes().AddrChanged(ev) {
		d.refreshAll()
	}
	d.trackSrcAddr(ev) // track_src.go: track_src_ip
	if d.isOurVIP(ev.Ifindex, ev.Prefix.Addr()) {
		// Our own VIPs never become an advert source (resolveSource
		// excludes them): re-reading every instance's source for each VIP
		// added or removed cost 255 × 255 netlink dumps at start-up with
		// 255 instances and delayed adverts by ~100 ms for a minute.
		if !ev.New {
			d.vipRemoved(ev) // track_vip.go
		}
		return
	}
	for _, vi := range d.insts {
		if vi.dyn.missing || vi.srcLink().Index != ev.Ifindex {
			continue
		}
		if (vi.fam == vrrp.IPv6) != ev.Prefix.Addr().Is6() {
			continue
		}
		if d.rereadSource(vi) {
			d.refreshEffects(vi)
		}
	}
}

// isOurVIP reports whether addr on ifindex is a virtual address of one of
// our instances.
func (d *Daemon) isOurVIP(ifindex int, addr netip.Addr) bool {
	for _, vi := range d.insts {
		for _, v := range vi.vips {
			if v.Ifindex == ifindex && v.Prefix.Addr() == addr {
				return true
			}
		}
	}
	return false
}

// rereadSource reads vi's source address again and reports whether
// anything changed. unicast_src_ip and mcast_src_ip are fixed.
func (d *Daemon) rereadSource(vi *vinst) bool {
	if vi.conf.UnicastSrcIP.IsValid() || vi.conf.McastSrcIP.IsValid() {
		return false
	}
	old, oldNo := vi.src, vi.dyn.noAddr
	err := d.resolveSource(vi)
	switch {
	case err != nil:
		vi.src = old // a master's goodbye (priority 0) still goes out from it
		if !oldNo {
			vi.dyn.noAddr = true
			vi.log.Warn("no usable address left on the interface: FAULT until one is added", "err", err)
		}
		return !oldNo
	default:
		if vi.src != old {
			vi.log.Info("advert source address changed", "from", old, "to", vi.src)
			vi.m.SetPrimaryAddr(vi.src)
		}
		vi.dyn.noAddr = false
	}
	return vi.src != old || oldNo
}

// startAddrWatch forwards address changes to the loop.
func (d *Daemon) startAddrWatch() {
	d.watchRoutes() // routes.go: and route and rule deletions
	ch, err := d.sys.WatchAddrs(d.runCtx, d.log)
	if err != nil {
		d.log.Error("watch addresses: advert sources are fixed at start-up", "err", err)
		return
	}
	go func() {
		for ev := range ch {
			d.post(func() { d.addrChanged(ev) })
		}
	}()
}
