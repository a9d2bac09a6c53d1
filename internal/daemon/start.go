package daemon

import (
	"context"
	"slices"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/dynif"
	"github.com/gokeepalived/gokeepalived/internal/instance"
	"github.com/gokeepalived/gokeepalived/internal/notify"
	"github.com/gokeepalived/gokeepalived/internal/notify/policy"
	"github.com/gokeepalived/gokeepalived/internal/vinst"
)

// startNotifier opens the notify FIFOs and starts the notifier and the
// notify policy (package notify/policy).
func (d *Daemon) startNotifier() {
	d.trk.gate.Audit(d.conf, d.log)
	d.ann.notifier, d.ann.notes, d.ann.fifos = policy.Start(d.conf, d.trk.gate.For(d.conf), d.checkScript, d.sys.Exec, d.log)
}

// startAll builds and starts every instance of the configuration.
func (d *Daemon) startAll() error {
	var vis []*vinst.Instance
	for _, ci := range d.conf.Instances {
		vi, err := vinst.New(d.log, d.sys.links, &d.conf.Global, ci)
		if err != nil {
			return err
		}
		vis = append(vis, vi)
	}
	vinst.RemoveStale(d.log, d.sys.addrs, vis) // left by a killed process
	// static_ipaddress, static_routes, static_rules go on first.
	d.routes().Start(d.conf)
	d.trackers().Start(d.loop.ctx, d.conf)
	if d.ann.notes != nil {
		d.ann.notes.Configure(d.conf) // smtp_alert's mailer
	}
	if err := d.startLVS(); err != nil { // lvs.go
		return err
	}
	d.watchRoutes() // routes.go: route and rule deletions
	dynif.Watch(d.loop.ctx, d.log, d.sys.WatchAddrs, d.post, d.addrChanged)
	d.fx.fw.Start(d.conf)
	// vrrp_startup_delay holds the instances in INIT after the daemon
	// starts (not after a reload).
	return d.startInstances(vis, d.conf.Global.StartupDelay)
}

// startInstances groups vis into units, opens their sockets and starts
// their machines, after delay when it is not zero.
func (d *Daemon) startInstances(vis []*vinst.Instance, delay time.Duration) error {
	units := vinst.Units(d.conf.SyncGroups, vis)
	for _, u := range units {
		if g := d.conf.SyncGroup(u.Name); u.Group != nil && g != nil {
			d.ann.notifier.SetScripts(notify.KindGroup, g.Name, policy.Scripts(d.checkScript, &g.Notifications))
		}
	}
	for _, vi := range vis {
		if err := vi.SetupVMAC(d.vmacs()); err != nil { // use_vmac interface before the socket
			return err
		}
		if err := d.fx.ifs.Bind(vi); err != nil { // waits for a missing interface
			return err
		}
		ci := vi.Conf
		d.ann.notifier.SetScripts(notify.KindInstance, ci.Name, policy.InstanceScripts(d.checkScript, ci))
		d.insts = append(d.insts, vi)
	}
	d.units = append(d.units, units...)
	start := func() {
		now := time.Now()
		for _, u := range units {
			if !slices.Contains(d.units, u) { // removed by a reload meanwhile
				continue
			}
			for i, vi := range u.Members {
				d.refreshEffects(vi)
				d.stepUnit(now, u, i, instance.Startup{})
			}
		}
	}
	if delay > 0 {
		d.log.Info("vrrp_startup_delay: instances start later", "delay", delay)
		time.AfterFunc(delay, func() { d.post(start) })
		return nil
	}
	start()
	return nil
}

// stopUnit shuts every member of u down (priority 0 from a master, VIPs
// removed) and releases its sockets.
func (d *Daemon) stopUnit(u *vinst.Unit) {
	now := time.Now()
	for i := range u.Members {
		d.stepUnit(now, u, i, instance.Shutdown{})
	}
	for _, vi := range u.Members {
		d.rx.Unbind(vi)
		d.removeVMAC(vi) // vmac.go: after priority 0 and the VIPs
	}
}

// shutdown stops everything, as SIGTERM does.
func (d *Daemon) shutdown() {
	d.loop.stopping = true
	hook(d.cfg.Stopping)
	d.bgpStop() // bgp.go: traffic leaves while every instance still serves
	for _, f := range d.ann.fifos {
		f.StopScript()
	}
	for _, u := range d.units {
		d.stopUnit(u)
	}
	d.units, d.insts = nil, nil
	d.stopLVS() // lvs.go: omega notifications, the data plane's state removed
	// static entries off, netlink closed.
	d.routes().Stop()
	d.fx.fw.Close() // no drop rules outlive us
	d.closeVMACs()  // vmac.go: leftovers and sysctls
	d.trackers().Stop()
	if d.ann.notes != nil {
		d.ann.notes.Close() // queued mails go for a few seconds
	}
	d.rx.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if d.ann.notifier != nil {
		d.ann.notifier.Close(ctx)
	}
	for _, f := range d.ann.fifos {
		f.Close()
	}
	d.sys.close()
	d.runShutdownScript() // startstop.go: once everything is down
	d.log.Info("Stopped")
}
