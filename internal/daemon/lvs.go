package daemon

import (
	"github.com/gokeepalived/gokeepalived/internal/control"
	"github.com/gokeepalived/gokeepalived/internal/lvs/half"
	"github.com/gokeepalived/gokeepalived/internal/vinst"
)

// The LVS half (virtual_server blocks) is package lvs/half beside the
// VRRP loop; these are the loop's calls into it, all on the loop.

// startLVS starts the LVS half when the configuration has virtual
// servers; a data plane that cannot be opened stops the start.
func (d *Daemon) startLVS() error {
	h, err := half.Start(d.conf, half.Deps{Log: d.log, Exec: d.sys.Exec, Gate: d.trk.gate.For, Check: d.checkScript,
		NotifyFIFOs: d.ann.fifos, FollowAddrs: !d.cfg.CheckersOnly && len(d.conf.Instances) > 0,
		KeepOnStop: d.cfg.DontReleaseIPVS})
	if h != nil {
		d.fx.lvs = h
		d.lvsAddrsChanged()
	}
	return err
}

// lvsAddrsChanged tells the LVS half which VIPs this host holds now.
func (d *Daemon) lvsAddrsChanged() {
	if d.fx.lvs == nil {
		return
	}
	d.fx.lvs.SetAddrs(vinst.Held(d.insts))
}

// reloadLVS moves the LVS half to the configuration just loaded,
// starting it when the reload brought the first virtual server.
func (d *Daemon) reloadLVS() {
	if d.fx.lvs == nil {
		if err := d.startLVS(); err != nil {
			d.log.Error("reload", "err", err)
		}
		return
	}
	d.fx.lvs.Reload(d.conf)
	d.lvsAddrsChanged()
}

// stopLVS stops the checkers and removes what the data plane installed.
func (d *Daemon) stopLVS() {
	if d.fx.lvs != nil {
		d.fx.lvs.Stop()
		d.fx.lvs = nil
	}
}

// lvsStatus is the LVS half's part of the snapshot.
func (d *Daemon) lvsStatus() *control.LVS {
	if d.fx.lvs == nil {
		return nil
	}
	return d.fx.lvs.Status()
}

// dumpLVS writes the checker part of the SIGUSR1 dump, to the file
// keepalived's checker process writes, when the LVS half runs.
func (d *Daemon) dumpLVS() {
	if d.fx.lvs != nil {
		d.dump(control.CheckDataFile, control.WriteCheckData)
	}
}
