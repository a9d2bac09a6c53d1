package daemon

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/control"
	"github.com/gokeepalived/gokeepalived/internal/instance"
	"github.com/gokeepalived/gokeepalived/internal/logging"
	"github.com/gokeepalived/gokeepalived/internal/lvs/half"
	"github.com/gokeepalived/gokeepalived/internal/notify"
	"github.com/gokeepalived/gokeepalived/internal/notify/policy"
	"github.com/gokeepalived/gokeepalived/internal/reload"
	"github.com/gokeepalived/gokeepalived/internal/vinst"
	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

// A reload re-reads the configuration (SIGHUP, POST /v1/reload) off the
// loop (package reload): the whole new configuration is read,
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
func (d *Daemon) prepareReload() (*reload.Plan, error) {
	hook(d.cfg.Reloading)
	d.log.Info("Reloading ...", logging.Parent) // keepalived's parent, then its VRRP child
	d.log.Info("Reloading")
	newConf, err := loadConfig(d.cfg)
	if err != nil {
		return nil, err
	}
	newConf = half.Halves(newConf, d.cfg.CheckersOnly, d.cfg.VRRPOnly) // -C, -P
	var base *reload.Base
	if !d.do(context.Background(), func() { base = reload.BaseOf(d.conf, d.insts, d.units) }) {
		return nil, reload.ErrStopping
	}
	return reload.Make(base, newConf, d.log, d.sys.links)
}

// commitReload hands a prepared reload to the loop, which applies it or
// records why it was refused, and returns the outcome.
func (d *Daemon) commitReload(p *reload.Plan, err error) error {
	defer hook(d.cfg.Reloaded)
	if !d.do(context.Background(), func() { err = d.finishReload(p, err) }) {
		return reload.ErrStopping
	}
	return err
}

// reloadSuperseded drops a prepared reload that a newer request replaces.
func (d *Daemon) reloadSuperseded() {
	d.log.Info("reload requested again while the configuration was being read: reading it again")
	hook(d.cfg.Reloaded)
}

// finishReload applies p on the loop, or records err.
func (d *Daemon) finishReload(p *reload.Plan, err error) error {
	d.rel.lastAt = time.Now()
	if err == nil && !p.Current(d.conf, d.units) {
		// An interface or a source address the plan read changed while
		// it was made: plan again here, from the configuration read.
		d.log.Debug("reload: running state changed while planning, planning again")
		p, err = reload.Make(reload.BaseOf(d.conf, d.insts, d.units), p.Conf, d.log, d.sys.links)
	}
	if err != nil {
		d.rel.err = control.ClipError(err.Error())
		d.log.Error("reload refused, the running configuration stays", "err", d.rel.err)
		return errors.New(d.rel.err)
	}
	d.applyReload(p)
	return nil
}

// applyReload carries out a plan; it cannot fail.
func (d *Daemon) applyReload(p *reload.Plan) {
	now := time.Now()
	d.conf = p.Conf
	d.rx.LogUnknown = d.conf.Global.LogUnknownVRIDs
	d.rx.RxBufs = d.conf.Global.RxBufs
	if d.routes().Reload(p.Conf) {
		d.refreshAll()
	}
	for _, u := range p.Stop {
		d.stopUnit(u)
		for _, vi := range u.Members {
			if p.Conf.Instance(vi.Conf.Name) == nil {
				vi.Log.Info("instance removed by reload")
				d.ann.notifier.Notify(notify.Event{Kind: notify.KindInstance, Name: vi.Conf.Name, State: notify.StateDeleted})
			}
		}
	}
	vinst.CarryStats(p.Stop, p.Fresh) // counters never go down
	d.units = p.Units
	d.insts = d.insts[:0]
	var updated int
	for _, u := range p.Units {
		for _, vi := range u.Members {
			if d.applyInPlace(now, p.Keep[vi.Conf.Name]) {
				updated++
			}
			if !vi.Dyn.Missing {
				vi.CheckUnicastSrc(d.sys.addrs) // keepalived's reload opens every socket again
			}
			d.insts = append(d.insts, vi)
		}
	}
	d.trackers().Reload(d.conf)
	d.ann.notes.Configure(d.conf)
	d.refreshAll()
	if err := d.startInstances(p.Fresh, 0); err != nil {
		d.log.Error("reload: start instances", "err", err)
	}
	for _, vi := range d.insts {
		d.refreshEffects(vi)
	}
	slices.SortStableFunc(d.insts, func(a, b *vinst.Instance) int {
		return indexOf(p.Conf, a.Conf.Name) - indexOf(p.Conf, b.Conf.Name)
	})
	d.reloadLVS() // lvs.go
	d.rel.loadedAt, d.rel.err = time.Now(), ""
	d.ann.notes.Reloaded(d.states())
	d.log.Info("Reload complete", "kept", len(p.Keep)-updated, "updated", updated,
		"restarted_or_new", len(p.Fresh), "stopped_units", len(p.Stop))
}

// applyInPlace moves a kept instance to its new configuration: VIP
// difference, wire template, machine settings, notify scripts. It reports
// whether anything changed.
func (d *Daemon) applyInPlace(now time.Time, ip *reload.InPlace) bool {
	vi, prev := ip.From.VI, ip.From.VI.Conf
	vi.Conf = ip.CI
	if config.SameInstance(prev, ip.CI) {
		return false
	}
	vi.VMAC.Place(ip.CI, ip.VIPs, ip.VIPIf) // may make a VMAC: on the loop
	vi.SwapVIPs(d.sys.addrs, d.sys.ann, ip.VIPs, ip.VIPIf, func() { d.fx.fw.Drop(&d.conf.Global, vi) })
	vi.Routes = d.routes().Swap(vi.Virtual(), ip.CI.VirtualRoutes, ip.CI.VirtualRules, vi.M.State() == instance.Master)
	vi.Peers, vi.Expect = nil, vrrp.Expect{}
	vi.BuildWire(&d.conf.Global)
	acts, _ := vi.M.Reconfigure(now, ip.MC)
	for _, a := range acts {
		d.execute(now, vi, a)
	}
	d.ann.notifier.SetScripts(notify.KindInstance, ip.CI.Name, policy.InstanceScripts(d.checkScript, ip.CI))
	if prev.Priority != ip.CI.Priority {
		vi.Log.Info("priority changed in place", "from", prev.Priority, "to", ip.CI.Priority,
			"effective", vi.M.EffectivePriority(), "state", vi.M.State())
	}
	return true
}

func indexOf(c *config.Config, name string) int {
	return slices.IndexFunc(c.Instances, func(ci *config.Instance) bool { return ci.Name == name })
}
