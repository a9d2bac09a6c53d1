package noaccept

import (
	"log/slog"
	"net/netip"
	"slices"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/instance"
	"github.com/gokeepalived/gokeepalived/internal/system"
	"github.com/gokeepalived/gokeepalived/internal/vinst"
)

// Rules is the drop set: system.Firewall in production.
type Rules interface {
	Drop(addrs []netip.Addr) error
	Allow(addrs []netip.Addr) error
	Close() error
}

// Opener opens the drop set.
type Opener func(system.FirewallConfig) (Rules, error)

// OpenSystem opens nftables (system.NewFirewall).
func OpenSystem(c system.FirewallConfig) (Rules, error) {
	fw, err := system.NewFirewall(c)
	if err != nil {
		return nil, err
	}
	return fw, nil
}

// Firewall is the daemon's drop set, opened on first use.
type Firewall struct {
	open Opener
	log  *slog.Logger
	fw   Rules
	err  error // the firewall could not be opened (logged once)
}

// New returns a firewall that opens its rules with open (nil:
// OpenSystem) on first use.
func New(open Opener, log *slog.Logger) *Firewall {
	if open == nil {
		open = OpenSystem
	}
	return &Firewall{open: open, log: log}
}

// Needed reports whether ci's VIPs are dropped while master.
func Needed(ci *config.Instance) bool {
	return !ci.Accept && ci.Priority != instance.OwnerPriority
}

// Start opens the firewall at start-up when some instance of conf needs
// it, which also removes a table left by a killed run.
func (f *Firewall) Start(conf *config.Config) {
	for _, ci := range conf.Instances {
		if Needed(ci) {
			f.rules(&conf.Global)
			return
		}
	}
}

// rules returns the drop set, opening it on first use under the globals
// g; nil when it cannot be opened (logged once).
func (f *Firewall) rules(g *config.GlobalDefs) Rules {
	if f.fw != nil || f.err != nil {
		return f.fw
	}
	fc := system.FirewallConfig{Table: system.DefaultFirewallTable, Priority: system.DefaultFirewallPriority,
		Counters: g.NFTablesCounters, Logger: f.log}
	if g.NFTablesTable != "" {
		fc.Table = g.NFTablesTable
	}
	if g.NFTablesPrioritySet {
		fc.Priority = int32(g.NFTablesPriority)
	}
	fw, err := f.open(fc)
	if err != nil {
		f.err = err
		f.log.Error("nftables unavailable: no_accept instances will accept packets to their VIPs", "err", err)
		return nil
	}
	f.fw = fw
	return fw
}

// Drop puts vi's current addresses in the drop set (before they are
// added as master), and takes out those it no longer has. Calling it again
// after the VIP list changed (reload) applies the difference.
func (f *Firewall) Drop(g *config.GlobalDefs, vi *vinst.Instance) {
	if !Needed(vi.Conf) {
		return
	}
	fw := f.rules(g)
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

// Release takes vi's addresses out of the drop set (after they were
// removed on leaving master).
func (f *Firewall) Release(vi *vinst.Instance) {
	if len(vi.Dyn.Dropped) == 0 || f.fw == nil {
		return
	}
	if err := f.fw.Allow(vi.Dyn.Dropped); err != nil {
		vi.Log.Error("no_accept: remove drop rules", "err", err)
	}
	vi.Dyn.Dropped = nil
}

// Close removes every table at exit.
func (f *Firewall) Close() {
	if f.fw == nil {
		return
	}
	if err := f.fw.Close(); err != nil {
		f.log.Error("remove nftables tables", "err", err)
	}
	f.fw = nil
}
