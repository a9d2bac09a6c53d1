package daemon

import (
	"net/netip"
	"os"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/control"
)

// snapshot copies the daemon's state; it runs on the loop.
func (d *Daemon) snapshot() control.Snapshot {
	s := control.Snapshot{
		Time: time.Now(),
		Daemon: control.Daemon{Version: d.cfg.Version, PID: os.Getpid(), StartedAt: d.loop.startedAt,
			RouterID: d.conf.Global.RouterID},
		Config: control.ConfigStatus{File: d.cfg.File, LoadedAt: d.rel.loadedAt,
			LastReloadAt: d.rel.lastAt, LastReloadError: d.rel.err},
		Instances:  []control.Instance{},
		SyncGroups: []control.SyncGroup{},
		Trackers:   []control.Tracker{},
	}
	onLink := d.addressesOnLinks()
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

// addressesOnLinks reads the addresses on every interface a VIP goes on,
// so that status reports what is really there.
func (d *Daemon) addressesOnLinks() map[netip.Addr]map[int]bool {
	seen := map[int]bool{}
	out := map[netip.Addr]map[int]bool{}
	for _, vi := range d.insts {
		for _, v := range vi.VIPs {
			if seen[v.Ifindex] {
				continue
			}
			seen[v.Ifindex] = true
			ps, err := d.sys.addrs.List(v.Ifindex, 0)
			if err != nil {
				continue
			}
			for _, p := range ps {
				if out[p.Addr()] == nil {
					out[p.Addr()] = map[int]bool{}
				}
				out[p.Addr()][v.Ifindex] = true
			}
		}
	}
	return out
}
