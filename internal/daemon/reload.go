package daemon

import (
	"context"
	"errors"
	"net/netip"
	"os"
	"slices"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/control"
	"github.com/gokeepalived/gokeepalived/internal/instance"
	"github.com/gokeepalived/gokeepalived/internal/instance/fromconfig"
	"github.com/gokeepalived/gokeepalived/internal/logging"
	"github.com/gokeepalived/gokeepalived/internal/notify"
	"github.com/gokeepalived/gokeepalived/internal/system"
	"github.com/gokeepalived/gokeepalived/internal/vinst"
	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

// reloadPlan is what a reload will do, worked out before anything running
// is touched.
type reloadPlan struct {
	conf  *config.Config
	base  *planBase           // what the plan was made against
	keep  map[string]*inPlace // running instances that stay, by name
	units []*vinst.Unit       // units whose members all stay
	stop  []*vinst.Unit       // units to stop (changed or removed members)
	fresh []*vinst.Instance   // new and restarted instances, built, not started
}

// inPlace is one running instance and the configuration it moves to
// without a restart.
type inPlace struct {
	from  runningInst
	ci    *config.Instance
	vips  []system.VIP
	vipIf []string
	mc    instance.Config
}

// planBase is what planning reads of the running daemon, copied on the
// loop so that the plan can be made off it.
type planBase struct {
	conf  *config.Config
	insts map[string]runningInst
	units []baseUnit
}

// runningInst is a running instance as the plan saw it.
type runningInst struct {
	vi   *vinst.Instance // identity only: never read off the loop
	conf *config.Instance
	mc   instance.Config
	link system.Link
	src  netip.Addr
}

// baseUnit is a running unit and the names of its members.
type baseUnit struct {
	u       *vinst.Unit
	members []string
}

// A reload re-reads the configuration (SIGHUP, POST /v1/reload) off the
// loop (reloader, reload_worker.go): the whole new configuration is read,
// validated, resolved and planned there, and the loop only applies the
// finished plan, so a configuration that takes seconds to read never
// delays an advert. On any error the running configuration stays and the
// error is reported in status. Then: instances whose settings are the
// same, or differ only in what can change under a running machine
// (priority, VIPs, notify and tracking, preempt and GARP options), keep
// their machine, state and timers and are updated in place; the others
// are stopped (priority 0, VIPs removed) and started again as BACKUP;
// removed ones stop; new ones start as BACKUP. vrrp_scripts whose
// definition did not change keep running.
//
// prepareReload is the part off the loop: it reads, checks and plans.
func (d *Daemon) prepareReload() (*reloadPlan, error) {
	hook(d.cfg.Reloading)
	d.log.Info("Reloading ...", logging.Parent) // keepalived's parent, then its VRRP child
	d.log.Info("Reloading")
	newConf, err := loadConfig(d.cfg.File, d.cfg.ConfigID, d.log, testReadDelay())
	if err != nil {
		return nil, err
	}
	var base *planBase
	if !d.do(context.Background(), func() { base = d.planBase() }) {
		return nil, errStopping
	}
	return d.planReload(base, newConf)
}

// testReadDelay is GK_TEST_RELOAD_READ_DELAY (a Go duration): the lab
// test's slow filesystem, since config refuses the classic stand-in, an
// include that is a FIFO. Unset, reloads read at full speed.
func testReadDelay() time.Duration {
	v, _ := time.ParseDuration(os.Getenv("GK_TEST_RELOAD_READ_DELAY"))
	return v
}

// commitReload hands a prepared reload to the loop, which applies it or
// records why it was refused, and returns the outcome.
func (d *Daemon) commitReload(p *reloadPlan, err error) error {
	defer hook(d.cfg.Reloaded)
	if !d.do(context.Background(), func() { err = d.finishReload(p, err) }) {
		return errStopping
	}
	return err
}

// reloadSuperseded drops a prepared reload that a newer request replaces.
func (d *Daemon) reloadSuperseded() {
	d.log.Info("reload requested again while the configuration was being read: reading it again")
	hook(d.cfg.Reloaded)
}

// finishReload applies p on the loop, or records err.
func (d *Daemon) finishReload(p *reloadPlan, err error) error {
	d.lastReload = time.Now()
	if err == nil && !d.planCurrent(p) {
		// An interface or a source address the plan read changed while
		// it was made: plan again here, from the configuration read.
		d.log.Debug("reload: running state changed while planning, planning again")
		p, err = d.planReload(d.planBase(), p.conf)
	}
	if err != nil {
		d.reloadErr = control.ClipError(err.Error())
		d.log.Error("reload refused, the running configuration stays", "err", d.reloadErr)
		return errors.New(d.reloadErr)
	}
	d.applyReload(p)
	return nil
}

// planBase copies what planReload reads of the running daemon; it runs on
// the loop.
func (d *Daemon) planBase() *planBase {
	b := &planBase{conf: d.conf, insts: make(map[string]runningInst, len(d.insts))}
	for _, vi := range d.insts {
		b.insts[vi.Conf.Name] = runningInst{vi: vi, conf: vi.Conf, mc: vi.M.Config(), link: vi.Link, src: vi.Src}
	}
	for _, u := range d.units {
		bu := baseUnit{u: u}
		for _, vi := range u.Members {
			bu.members = append(bu.members, vi.Conf.Name)
		}
		b.units = append(b.units, bu)
	}
	return b
}

// planCurrent reports whether the running daemon is still as p's base saw
// it: same configuration and units, and every kept instance on the same
// interface with the same source address. It runs on the loop.
func (d *Daemon) planCurrent(p *reloadPlan) bool {
	b := p.base
	if d.conf != b.conf || len(d.units) != len(b.units) {
		return false
	}
	for i, bu := range b.units {
		if d.units[i] != bu.u {
			return false
		}
	}
	for _, ip := range p.keep {
		vi, was := ip.from.vi, ip.from
		if vi.Link.Index != was.link.Index || vi.Link.Name != was.link.Name || vi.Src != was.src {
			return false
		}
	}
	return true
}

// planReload decides the fate of every instance and builds the new ones.
// It changes nothing that is running and reads the running daemon only
// through b, so it may run off the loop.
func (d *Daemon) planReload(b *planBase, newConf *config.Config) (*reloadPlan, error) {
	old := b.conf
	p := &reloadPlan{conf: newConf, base: b, keep: map[string]*inPlace{}}
	globalSame := config.SameInstanceGlobals(old.Global, newConf.Global)
	for _, ci := range newConf.Instances {
		ri, ok := b.insts[ci.Name]
		if !ok || !globalSame || !onlyInPlaceChanges(ri.conf, ci) {
			continue
		}
		if ri.conf.SyncGroup != "" && !config.SameSyncGroup(old.SyncGroup(ri.conf.SyncGroup), newConf.SyncGroup(ci.SyncGroup)) {
			continue
		}
		ip, err := d.prepareInPlace(ri, ci)
		if err != nil {
			return nil, err
		}
		if ip != nil {
			p.keep[ci.Name] = ip
		}
	}
	for _, bu := range b.units {
		kept := true
		for _, name := range bu.members {
			kept = kept && p.keep[name] != nil
		}
		if kept {
			p.units = append(p.units, bu.u)
			continue
		}
		// A member that could stay restarts with the rest of its group.
		for _, name := range bu.members {
			delete(p.keep, name)
		}
		p.stop = append(p.stop, bu.u)
	}
	for _, ci := range newConf.Instances {
		if p.keep[ci.Name] != nil {
			continue
		}
		vi, err := vinst.New(d.log, d.sys.links, &newConf.Global, ci)
		if err != nil {
			return nil, err
		}
		p.fresh = append(p.fresh, vi)
	}
	return p, nil
}

// prepareInPlace resolves ci's addresses for the running instance ri; nil
// means it must restart after all (the machine cannot take ci in place).
func (d *Daemon) prepareInPlace(ri runningInst, ci *config.Instance) (*inPlace, error) {
	mc := fromconfig.Config(ci, ri.src)
	if instance.NeedsRestart(ri.mc, mc) {
		return nil, nil
	}
	scratch := &vinst.Instance{Conf: ci, Link: ri.link}
	if err := scratch.ResolveVIPs(d.sys.links); err != nil {
		return nil, err
	}
	return &inPlace{from: ri, ci: ci, vips: scratch.VIPs, vipIf: scratch.VIPIf, mc: mc}, nil
}

// applyReload carries out a plan; it cannot fail.
func (d *Daemon) applyReload(p *reloadPlan) {
	now := time.Now()
	d.conf = p.conf
	d.rx.LogUnknown = d.conf.Global.LogUnknownVRIDs
	if d.routes().Reload(p.conf) {
		d.refreshAll()
	}
	for _, u := range p.stop {
		d.stopUnit(u)
		for _, vi := range u.Members {
			if p.conf.Instance(vi.Conf.Name) == nil {
				vi.Log.Info("instance removed by reload")
				d.notifier.Notify(notify.Event{Kind: notify.KindInstance, Name: vi.Conf.Name, State: notify.StateDeleted})
			}
		}
	}
	carryStats(p.stop, p.fresh) // stats_keep.go
	d.units = p.units
	d.insts = d.insts[:0]
	var updated int
	for _, u := range p.units {
		for _, vi := range u.Members {
			if d.applyInPlace(now, p.keep[vi.Conf.Name]) {
				updated++
			}
			d.insts = append(d.insts, vi)
		}
	}
	d.trackers().Reload(d.conf)
	d.notes.Configure(d.conf)
	d.refreshAll()
	if err := d.startInstances(p.fresh, 0); err != nil {
		d.log.Error("reload: start instances", "err", err)
	}
	for _, vi := range d.insts {
		d.refreshEffects(vi)
	}
	slices.SortStableFunc(d.insts, func(a, b *vinst.Instance) int {
		return indexOf(p.conf, a.Conf.Name) - indexOf(p.conf, b.Conf.Name)
	})
	d.loadedAt, d.reloadErr = time.Now(), ""
	d.notes.Reloaded(d.states())
	d.log.Info("Reload complete", "kept", len(p.keep)-updated, "updated", updated,
		"restarted_or_new", len(p.fresh), "stopped_units", len(p.stop))
}

// applyInPlace moves a kept instance to its new configuration: VIP
// difference, wire template, machine settings, notify scripts. It reports
// whether anything changed.
func (d *Daemon) applyInPlace(now time.Time, ip *inPlace) bool {
	vi, prev := ip.from.vi, ip.from.vi.Conf
	vi.Conf = ip.ci
	if config.SameInstance(prev, ip.ci) {
		return false
	}
	vi.VMAC.Place(ip.ci, ip.vips, ip.vipIf) // may make a VMAC: on the loop
	d.swapVIPs(vi, ip.vips, ip.vipIf)
	vi.Routes = d.routes().Swap(d.virtual(vi), ip.ci.VirtualRoutes, ip.ci.VirtualRules, vi.M.State() == instance.Master)
	vi.Peers, vi.Expect = nil, vrrp.Expect{}
	vi.BuildWire(&d.conf.Global)
	acts, _ := vi.M.Reconfigure(now, ip.mc)
	for _, a := range acts {
		d.execute(now, vi, a)
	}
	d.setInstanceScripts(ip.ci)
	if prev.Priority != ip.ci.Priority {
		vi.Log.Info("priority changed in place", "from", prev.Priority, "to", ip.ci.Priority,
			"effective", vi.M.EffectivePriority(), "state", vi.M.State())
	}
	return true
}

// swapVIPs replaces vi's address list. While master it removes the
// addresses that went away and adds (and announces) only the new ones;
// addresses in both lists are not touched.
func (d *Daemon) swapVIPs(vi *vinst.Instance, vips []system.VIP, ifs []string) {
	master := vi.M.State() == instance.Master
	present := make([]bool, len(vips))
	for j, ov := range vi.VIPs {
		if i := indexVIP(vips, ov); i >= 0 {
			present[i] = vi.Present[j]
			continue
		}
		if !vi.Present[j] {
			continue
		}
		if err := d.sys.addrs.Del(ov); err != nil {
			vi.Log.Error("remove virtual address", "addr", ov.Prefix, "dev", vi.VIPIf[j], "err", err)
			continue
		}
		vi.Log.Info("virtual address removed by reload", "addr", ov.Prefix, "dev", vi.VIPIf[j])
	}
	if master {
		// no_accept: the drop set follows the new list before any new
		// address goes on, as on becoming master.
		old := vi.VIPs
		vi.VIPs = vips
		d.acceptDrop(vi)
		vi.VIPs = old
	}
	var added []vinst.Target
	for i, nv := range vips {
		if !master || indexVIP(vi.VIPs, nv) >= 0 {
			continue
		}
		if err := d.sys.addrs.Add(nv); err != nil {
			vi.Log.Error("add virtual address, will retry", "addr", nv.Prefix, "dev", ifs[i], "err", err)
			continue
		}
		present[i] = true
		added = append(added, vinst.Target{Ifindex: nv.Ifindex, Addr: nv.Prefix.Addr()})
		vi.Log.Info("virtual address added by reload", "addr", nv.Prefix, "dev", ifs[i])
	}
	vi.VIPs, vi.VIPIf, vi.Present = vips, ifs, present
	g := vi.M.Config().GARP
	d.announce(vi, added, g.MasterRepeat, g.Interval)
}

// announce sends repeat rounds of GARP/NA for targets only (the addresses
// a reload added), in the background when interval > 0.
func (d *Daemon) announce(vi *vinst.Instance, targets []vinst.Target, repeat int, interval time.Duration) {
	if repeat <= 0 || len(targets) == 0 {
		return
	}
	n := uint64(repeat * len(targets))
	if vi.Fam == vrrp.IPv6 {
		vi.Stats.UnsolicitedNASent += n
	} else {
		vi.Stats.GratuitousARPSent += n
	}
	ann := d.sys.ann
	send := func() {
		for r := range repeat {
			for i, t := range targets {
				if interval > 0 && (r > 0 || i > 0) {
					time.Sleep(interval)
				}
				if err := ann.Gratuitous(t.Ifindex, t.Addr); err != nil {
					vi.Log.Debug("gratuitous", "addr", t.Addr, "err", err)
				}
			}
		}
	}
	if interval > 0 {
		go send()
		return
	}
	send()
}

// setInstanceScripts registers ci's notify scripts with the notifier.
func (d *Daemon) setInstanceScripts(ci *config.Instance) {
	s := d.notifyScripts(&ci.Notifications)
	s.MasterRxLowerPri = d.notifyScript(ci.NotifyMasterRxLowerPri)
	d.notifier.SetScripts(notify.KindInstance, ci.Name, s)
}

// notifyScripts turns an instance's or a sync group's notify keywords into
// the notifier's scripts.
func (d *Daemon) notifyScripts(n *config.Notifications) notify.Scripts {
	return notify.Scripts{
		Master: d.notifyScript(n.NotifyMaster), Backup: d.notifyScript(n.NotifyBackup),
		Fault: d.notifyScript(n.NotifyFault), Stop: d.notifyScript(n.NotifyStop),
		Deleted: d.notifyScript(n.NotifyDeleted), DeletedEnabled: n.NotifyDeleted != nil,
		Notify: d.notifyScript(n.Notify),
	}
}

// onlyInPlaceChanges reports whether b differs from a only in settings a
// running machine takes in place (instance.Machine.Reconfigure and
// swapVIPs): everything else (interface, VRID, version, interval,
// addresses used on the wire, authentication, unicast peers, sync group)
// needs a restart.
func onlyInPlaceChanges(a, b *config.Instance) bool {
	x := *b
	x.State, x.Priority = a.State, a.Priority
	x.VIPs, x.ExcludedVIPs = a.VIPs, a.ExcludedVIPs
	x.VirtualRoutes, x.VirtualRules = a.VirtualRoutes, a.VirtualRules
	x.Nopreempt, x.PreemptDelay, x.Garp = a.Nopreempt, a.PreemptDelay, a.Garp
	x.LowerPrioNoAdvert, x.HigherPrioSendAdvert = a.LowerPrioNoAdvert, a.HigherPrioSendAdvert
	x.DownTimerAdverts, x.FastFailover = a.DownTimerAdverts, a.FastFailover
	x.TrackScripts, x.TrackInterfaces = a.TrackScripts, a.TrackInterfaces
	x.NotifyMaster, x.NotifyBackup, x.NotifyFault = a.NotifyMaster, a.NotifyBackup, a.NotifyFault
	x.NotifyStop, x.NotifyDeleted, x.Notify = a.NotifyStop, a.NotifyDeleted, a.Notify
	x.NotifyMasterRxLowerPri, x.NotifyPriorityChanges, x.SMTPAlert = a.NotifyMasterRxLowerPri, a.NotifyPriorityChanges, a.SMTPAlert
	return config.SameInstance(a, &x)
}

// indexVIP returns the index of the address in vips equal to v in every
// option, or -1.
func indexVIP(vips []system.VIP, v system.VIP) int {
	return slices.IndexFunc(vips, v.Equal)
}

func indexOf(c *config.Config, name string) int {
	return slices.IndexFunc(c.Instances, func(ci *config.Instance) bool { return ci.Name == name })
}
