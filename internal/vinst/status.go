package vinst

import (
	"maps"
	"net/netip"
	"strings"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/control"
	"github.com/gokeepalived/gokeepalived/internal/instance"
)

func (vi *Instance) Status(onLink map[netip.Addr]map[int]bool, tracks []control.TrackRef) control.Instance {
	ci, m := vi.Conf, vi.M
	in := control.Instance{
		Name: ci.Name, Interface: vi.Link.Name, VRID: ci.VRID, Version: ci.Version,
		Family: "inet", State: control.State(m.State().String()), WantState: control.State(ci.State.String()),
		SyncGroup: ci.SyncGroup, BasePriority: ci.Priority, EffectivePriority: int(m.EffectivePriority()),
		SourceAddr: vi.Src, MasterAddr: m.MasterAddr(), MasterPriority: int(m.MasterPriority()),
		AdvertInterval: control.Duration(ci.AdvertInt), MasterAdvertInterval: control.Duration(m.MasterAdverInterval()),
		LastTransition: vi.LastTrans, Nopreempt: ci.Nopreempt, PreemptDelay: control.Duration(ci.PreemptDelay),
		Accept: ci.Accept, StrictMode: ci.StrictMode, AuthType: "none", AuthPass: ci.Auth.Pass,
		UnicastPeers: vi.Peers,
		Garp: control.GarpSettings{Delay: control.Duration(ci.Garp.MasterDelay), Repeat: ci.Garp.MasterRepeat,
			Refresh: control.Duration(ci.Garp.MasterRefresh), RefreshRepeat: ci.Garp.MasterRefreshRepeat,
			LowerPrioDelay: control.Duration(ci.Garp.LowerPrioDelay), LowerPrioRepeat: ci.Garp.LowerPrioRepeat,
			LowerPrioNoAdvert: ci.LowerPrioNoAdvert, HigherPrioAdvert: ci.HigherPrioSendAdvert},
		Flags: control.Flags{DontTrackPrimary: ci.DontTrackPrimary, SkipCheckAdvAddr: ci.SkipCheckAdvAddr,
			PromoteSecondaries: ci.PromoteSecondaries, NotifyDeleted: ci.NotifyDeleted != nil},
		Notify: control.NotifyScripts{Master: cmdline(ci.NotifyMaster), Backup: cmdline(ci.NotifyBackup),
			Fault: cmdline(ci.NotifyFault), Stop: cmdline(ci.NotifyStop), Deleted: cmdline(ci.NotifyDeleted),
			Generic: cmdline(ci.Notify), MasterRxLowerPri: cmdline(ci.NotifyMasterRxLowerPri)},
		Stats: vi.Stats, VMACInterface: vi.VMAC.Main().Name,
	}
	in.Stats.Drops = maps.Clone(vi.Stats.Drops)
	in.AuthHMAC = vi.hmacStatus() // hmac.go
	in.StatsCleared = vi.Cleared
	in.StatsCleared.Drops = maps.Clone(vi.Cleared.Drops)
	if ci.Family == 6 {
		in.Family = "inet6"
	}
	if ci.Auth.Type == config.AuthPass && ci.Version == 2 {
		in.AuthType = "PASS"
	}
	if vi.AH != nil {
		in.AuthType = "AH"
	}
	if m.State() == instance.Master {
		in.MasterAddr = vi.Src
		in.MasterPriority = 0
	}
	for i, v := range vi.VIPs {
		cv := ci.VIPs
		excluded := i >= len(cv)
		var conf config.VIP
		if excluded {
			conf = ci.ExcludedVIPs[i-len(cv)]
		} else {
			conf = cv[i]
		}
		in.VIPs = append(in.VIPs, control.VIP{Addr: v.Prefix, Interface: vi.VIPIf[i], Scope: vipScope(conf.Scope),
			Label: conf.Label, Excluded: excluded, Present: onLink[v.Prefix.Addr()][v.Ifindex]})
	}
	in.Tracks = tracks
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
