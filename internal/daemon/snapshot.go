package daemon

import (
	"maps"
	"net/netip"
	"os"
	"strings"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/control"
	"github.com/gokeepalived/gokeepalived/internal/instance"
)

// snapshot copies the daemon's state; it runs on the loop.
func (d *Daemon) snapshot() control.Snapshot {
	s := control.Snapshot{
		Time: time.Now(),
		Daemon: control.Daemon{Version: d.cfg.Version, PID: os.Getpid(), StartedAt: d.startedAt,
			RouterID: d.conf.Global.RouterID},
		Config: control.ConfigStatus{File: d.cfg.File, LoadedAt: d.loadedAt,
			LastReloadAt: d.lastReload, LastReloadError: d.reloadErr},
		Instances:  []control.Instance{},
		SyncGroups: []control.SyncGroup{},
		Trackers:   []control.Tracker{},
	}
	onLink := d.addressesOnLinks()
	for _, vi := range d.insts {
		s.Instances = append(s.Instances, d.instanceStatus(vi, onLink))
	}
	for _, u := range d.units {
		if u.group == nil {
			continue
		}
		g := control.SyncGroup{Name: u.name, State: control.State(u.groupState().String())}
		for _, vi := range u.members {
			g.Members = append(g.Members, vi.conf.Name)
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
		for _, v := range vi.vips {
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

func (d *Daemon) instanceStatus(vi *vinst, onLink map[netip.Addr]map[int]bool) control.Instance {
	ci, m := vi.conf, vi.m
	in := control.Instance{
		Name: ci.Name, Interface: vi.link.Name, VRID: ci.VRID, Version: ci.Version,
		Family: "inet", State: control.State(m.State().String()), WantState: control.State(ci.State.String()),
		SyncGroup: ci.SyncGroup, BasePriority: ci.Priority, EffectivePriority: int(m.EffectivePriority()),
		SourceAddr: vi.src, MasterAddr: m.MasterAddr(), MasterPriority: int(m.MasterPriority()),
		AdvertInterval: control.Duration(ci.AdvertInt), MasterAdvertInterval: control.Duration(m.MasterAdverInterval()),
		LastTransition: vi.lastTrans, Nopreempt: ci.Nopreempt, PreemptDelay: control.Duration(ci.PreemptDelay),
		Accept: ci.Accept, StrictMode: ci.StrictMode, AuthType: "none", AuthPass: ci.Auth.Pass,
		UnicastPeers: vi.peers,
		Garp: control.GarpSettings{Delay: control.Duration(ci.Garp.MasterDelay), Repeat: ci.Garp.MasterRepeat,
			Refresh: control.Duration(ci.Garp.MasterRefresh), RefreshRepeat: ci.Garp.MasterRefreshRepeat,
			LowerPrioDelay: control.Duration(ci.Garp.LowerPrioDelay), LowerPrioRepeat: ci.Garp.LowerPrioRepeat,
			LowerPrioNoAdvert: ci.LowerPrioNoAdvert, HigherPrioAdvert: ci.HigherPrioSendAdvert},
		Flags: control.Flags{DontTrackPrimary: ci.DontTrackPrimary, SkipCheckAdvAddr: ci.SkipCheckAdvAddr,
			PromoteSecondaries: ci.PromoteSecondaries, NotifyDeleted: ci.NotifyDeleted != nil},
		Notify: control.NotifyScripts{Master: cmdline(ci.NotifyMaster), Backup: cmdline(ci.NotifyBackup),
			Fault: cmdline(ci.NotifyFault), Stop: cmdline(ci.NotifyStop), Deleted: cmdline(ci.NotifyDeleted),
			Generic: cmdline(ci.Notify), MasterRxLowerPri: cmdline(ci.NotifyMasterRxLowerPri)},
		Stats: vi.stats, VMACInterface: vi.vmac.Main().Name,
	}
	in.Stats.Drops = maps.Clone(vi.stats.Drops)
	in.AuthHMAC = hmacStatus(vi) // hmac.go
	in.StatsCleared = vi.cleared
	in.StatsCleared.Drops = maps.Clone(vi.cleared.Drops)
	if ci.Family == 6 {
		in.Family = "inet6"
	}
	if ci.Auth.Type == config.AuthPass && ci.Version == 2 {
		in.AuthType = "PASS"
	}
	if vi.ah != nil {
		in.AuthType = "AH"
	}
	if m.State() == instance.Master {
		in.MasterAddr = vi.src
		in.MasterPriority = 0
	}
	for i, v := range vi.vips {
		cv := ci.VIPs
		excluded := i >= len(cv)
		var conf config.VIP
		if excluded {
			conf = ci.ExcludedVIPs[i-len(cv)]
		} else {
			conf = cv[i]
		}
		in.VIPs = append(in.VIPs, control.VIP{Addr: v.Prefix, Interface: vi.vipIf[i], Scope: vipScope(conf.Scope),
			Label: conf.Label, Excluded: excluded, Present: onLink[v.Prefix.Addr()][v.Ifindex]})
	}
	in.Tracks = d.trackers().Refs(ci)
	return in
}

func cmdline(s *config.Script) string {
	if s == nil {
		return ""
	}
	return strings.Join(s.Cmd, " ")
}

// vipScope names a VIP's scope for the status API; global, the default,
// is left empty.
func vipScope(s config.Scope) string {
	if s == 0 {
		return ""
	}
	return s.String()
}
