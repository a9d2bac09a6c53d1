package daemon

import (
	"os"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/control"
	"github.com/gokeepalived/gokeepalived/internal/vinst"
)

// snapshot copies the daemon's state; it runs on the loop.
func (d *Daemon) snapshot() control.Snapshot {
	s := control.Snapshot{
		Time: time.Now(),
		Daemon: control.Daemon{Version: d.cfg.Version, PID: os.Getpid(), StartedAt: d.loop.startedAt,
			RouterID: d.conf.Global.RouterID, RxKernelDrops: d.rx.KernelDrops()},
		Config: control.ConfigStatus{File: d.cfg.File, LoadedAt: d.rel.loadedAt,
			LastReloadAt: d.rel.lastAt, LastReloadError: d.rel.err},
		Instances:  []control.Instance{},
		SyncGroups: []control.SyncGroup{},
		Trackers:   []control.Tracker{},
	}
	onLink := vinst.AddressesOnLinks(d.insts, d.sys.addrs)
	for _, vi := range d.insts {
		s.Instances = append(s.Instances, vi.Status(onLink, d.trackers().Refs(vi.Conf)))
	}
	for _, u := range d.units {
		if u.Group == nil {
			continue
		}
		g := control.SyncGroup{Name: u.Name, State: control.State(u.GroupState().String())}
		for _, vi := range u.Members {
			g.Members = append(g.Members, vi.Conf.Name)
		}
		s.SyncGroups = append(s.SyncGroups, g)
	}
	s.Trackers = d.trackers().Status()
	s.LVS = d.lvsStatus() // lvs.go
	s.BGP = d.bgpStatus() // bgp.go
	return s
}
