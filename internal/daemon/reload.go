package daemon

import (
	"net/netip"
	"slices"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/notify"
)

// reload re-reads the configuration (SIGHUP). A configuration with errors
// is refused and the running one stays. Instances whose configuration did
// not change keep running untouched: same machine, state, timers and
// VIPs. Changed instances are stopped and started again, removed ones are
// stopped (priority 0, VIPs removed), new ones start as BACKUP.
func (d *Daemon) reload() error {
	d.lastReload = time.Now()
	newConf, err := loadConfig(d.cfg.File, d.cfg.ConfigID, d.log)
	if err != nil {
		d.reloadErr = err.Error()
		return err
	}
	old := d.conf
	oldByName := map[string]*vinst{}
	for _, vi := range d.insts {
		oldByName[vi.conf.Name] = vi
	}
	keep := map[string]bool{}
	for _, ci := range newConf.Instances {
		if vi := oldByName[ci.Name]; vi != nil && d.unchanged(old, newConf, vi.conf, ci) {
			keep[ci.Name] = true
		}
	}
	// Build the new and changed instances before touching anything, so a
	// missing interface refuses the reload with the old config running.
	d.conf = newConf
	var fresh []*vinst
	for _, ci := range newConf.Instances {
		if keep[ci.Name] {
			continue
		}
		vi, err := d.newVinst(ci)
		if err != nil {
			d.conf = old
			d.reloadErr = err.Error()
			return err
		}
		fresh = append(fresh, vi)
	}
	var units []*unit
	for _, u := range d.units {
		kept := true
		for _, vi := range u.members {
			kept = kept && keep[vi.conf.Name]
		}
		if kept {
			units = append(units, u)
			continue
		}
		d.stopUnit(u)
		for _, vi := range u.members {
			if keep[vi.conf.Name] {
				// A kept member of a changed group restarts with it.
				nv, err := d.newVinst(vi.conf)
				if err == nil {
					fresh = append(fresh, nv)
				}
				delete(keep, vi.conf.Name)
			}
			if !slices.ContainsFunc(newConf.Instances, func(c *config.Instance) bool { return c.Name == vi.conf.Name }) {
				d.notifier.Notify(notify.Event{Kind: notify.KindInstance, Name: vi.conf.Name, State: notify.StateDeleted})
			}
		}
	}
	d.units = units
	d.insts = d.insts[:0]
	for _, u := range units {
		for _, vi := range u.members {
			vi.conf = instanceNamed(newConf, vi.conf.Name)
			d.insts = append(d.insts, vi)
		}
	}
	d.reloadScripts(old)
	if err := d.startInstances(fresh); err != nil {
		d.log.Error("reload: start instances", "err", err)
	}
	slices.SortStableFunc(d.insts, func(a, b *vinst) int {
		return indexOf(newConf, a.conf.Name) - indexOf(newConf, b.conf.Name)
	})
	d.loadedAt, d.reloadErr = time.Now(), ""
	d.log.Info("configuration reloaded", "kept", len(keep), "started", len(fresh))
	return nil
}

// reloadScripts restarts the vrrp_scripts whose definition changed, stops
// the ones no longer used and starts new ones; unchanged ones keep running
// with their state.
func (d *Daemon) reloadScripts(old *config.Config) {
	want := map[string]*config.VRRPScript{}
	for _, s := range d.usedScripts() {
		want[s.Name] = s
	}
	for name, sr := range d.scripts {
		if s := want[name]; s != nil && equalIgnoringPos(sr.conf, s) {
			sr.conf = s
			delete(want, name)
			continue
		}
		sr.cancel()
		delete(d.scripts, name)
	}
	for _, s := range d.usedScripts() {
		if want[s.Name] != nil {
			d.startScript(s)
		}
	}
}

// unchanged reports whether instance a (old config) and b (new) are the
// same, including the scripts they track and the sync group they are in.
func (d *Daemon) unchanged(oldConf, newConf *config.Config, a, b *config.Instance) bool {
	if !equalIgnoringPos(a, b) {
		return false
	}
	if a.SyncGroup != "" && !equalIgnoringPos(syncGroupNamed(oldConf, a.SyncGroup), syncGroupNamed(newConf, b.SyncGroup)) {
		return false
	}
	return equalIgnoringPos(oldConf.Global, newConf.Global)
}

// equalIgnoringPos compares two configuration values, ignoring where
// they were written.
func equalIgnoringPos(a, b any) (eq bool) {
	defer func() {
		if recover() != nil {
			eq = false
		}
	}()
	return cmp.Equal(a, b, cmpopts.IgnoreTypes(config.Pos{}), cmpopts.EquateComparable(netip.Addr{}, netip.Prefix{}), cmpopts.EquateEmpty())
}

func instanceNamed(c *config.Config, name string) *config.Instance {
	for _, ci := range c.Instances {
		if ci.Name == name {
			return ci
		}
	}
	return nil
}

func syncGroupNamed(c *config.Config, name string) *config.SyncGroup {
	for _, g := range c.SyncGroups {
		if g.Name == name {
			return g
		}
	}
	return nil
}

func indexOf(c *config.Config, name string) int {
	return slices.IndexFunc(c.Instances, func(ci *config.Instance) bool { return ci.Name == name })
}
