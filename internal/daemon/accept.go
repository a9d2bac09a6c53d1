package daemon

import (
	"net/netip"
	"slices"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/instance"
	"github.com/gokeepalived/gokeepalived/internal/system"
	"github.com/gokeepalived/gokeepalived/internal/vinst"
)

// Accept_Mode: a master with no_accept (vrrp_strict implies it) must not
// accept packets addressed to its VIPs unless it owns them (priority 255).
// As keepalived, the VIPs go into the nftables drop set just before they are
// added on becoming master, and leave it after they are removed.

// noAccept reports whether ci's VIPs are dropped while master.
func noAccept(ci *config.Instance) bool {
	return !ci.Accept && ci.Priority != instance.OwnerPriority
}

// startFirewall opens the firewall at start-up when some instance needs
// it, which also removes a table left by a killed run.
func (d *Daemon) startFirewall() {
	for _, ci := range d.conf.Instances {
		if noAccept(ci) {
			d.firewall()
			return
		}
	}
}

// firewall returns the nftables handle, opening it on first use; nil when
// it cannot be opened (logged once).
func (d *Daemon) firewall() *system.Firewall {
	if d.dyn.fw != nil || d.dyn.fwErr != nil {
		return d.dyn.fw
	}
	g := d.conf.Global
	fc := system.FirewallConfig{Table: system.DefaultFirewallTable, Priority: system.DefaultFirewallPriority,
		Counters: g.NFTablesCounters, Logger: d.log}
	if g.NFTablesTable != "" {
		fc.Table = g.NFTablesTable
	}
	if g.NFTablesPrioritySet {
		fc.Priority = int32(g.NFTablesPriority)
	}
	fw, err := system.NewFirewall(fc)
	if err != nil {
		d.dyn.fwErr = err
		d.log.Error("nftables unavailable: no_accept instances will accept packets to their VIPs", "err", err)
		return nil
	}
	d.dyn.fw = fw
	return fw
}

// acceptDrop puts vi's current addresses in the drop set (before they are
// added as master), and takes out those it no longer has. Calling it again
// after the VIP list changed (reload) applies the difference.
func (d *Daemon) acceptDrop(vi *vinst.Instance) {
	if !noAccept(vi.Conf) {
		return
	}
	fw := d.firewall()
	if fw == nil {
		return
	}
	want := make([]netip.Addr, 0, len(vi.VIPs))
	for _, v := range vi.VIPs {
		want = append(want, v.Prefix.Addr())
	}
	var add, del []netip.Addr
	for _, a := range want {
		if !slices.Contains(vi.Dyn.Dropped, a) {
			add = append(add, a)
		}
	}
	for _, a := range vi.Dyn.Dropped {
		if !slices.Contains(want, a) {
			del = append(del, a)
		}
	}
	if err := fw.Drop(add); err != nil {
		vi.Log.Error("no_accept: add drop rules", "err", err)
	}
	if err := fw.Allow(del); err != nil {
		vi.Log.Error("no_accept: remove drop rules", "err", err)
	}
	vi.Dyn.Dropped = want
	if !vi.Dyn.Hinted {
		vi.Dyn.Hinted = true
		why := "no_accept"
		if vi.Conf.StrictMode {
			why = "strict mode (vrrp_strict) implies no_accept"
		}
		vi.Log.Info(why+": while master, packets to the virtual addresses are dropped (nftables table "+
			system.DefaultFirewallTable+"), so they answer ARP/ND but not ping or any service; add `accept` to the instance if they should",
			"addrs", want)
	}
}

// acceptRelease takes vi's addresses out of the drop set (after they were
// removed on leaving master).
func (d *Daemon) acceptRelease(vi *vinst.Instance) {
	if len(vi.Dyn.Dropped) == 0 || d.dyn.fw == nil {
		return
	}
	if err := d.dyn.fw.Allow(vi.Dyn.Dropped); err != nil {
		vi.Log.Error("no_accept: remove drop rules", "err", err)
	}
	vi.Dyn.Dropped = nil
}

// closeFirewall removes every table at exit.
func (d *Daemon) closeFirewall() {
	if d.dyn.fw == nil {
		return
	}
	if err := d.dyn.fw.Close(); err != nil {
		d.log.Error("remove nftables tables", "err", err)
	}
	d.dyn.fw = nil
}
