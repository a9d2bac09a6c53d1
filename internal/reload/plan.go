package reload

import (
	"log/slog"
	"net/netip"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/instance"
	"github.com/gokeepalived/gokeepalived/internal/instance/fromconfig"
	"github.com/gokeepalived/gokeepalived/internal/system"
	"github.com/gokeepalived/gokeepalived/internal/vinst"
)

// Plan is what a reload will do, worked out before anything running
// is touched.
type Plan struct {
	Conf  *config.Config
	Base  *Base               // what the plan was made against
	Keep  map[string]*InPlace // running instances that stay, by name
	Units []*vinst.Unit       // units whose members all stay
	Stop  []*vinst.Unit       // units to stop (changed or removed members)
	Fresh []*vinst.Instance   // new and restarted instances, built, not started
}

// InPlace is one running instance and the configuration it moves to
// without a restart.
type InPlace struct {
	From  Running
	CI    *config.Instance
	VIPs  []system.VIP
	VIPIf []string
	MC    instance.Config
}

// Base is what planning reads of the running daemon, copied on the
// loop so that the plan can be made off it.
type Base struct {
	Conf  *config.Config
	Insts map[string]Running
	Units []BaseUnit
}

// Running is a running instance as the plan saw it.
type Running struct {
	VI   *vinst.Instance // identity only: never read off the loop
	Conf *config.Instance
	MC   instance.Config
	Link system.Link
	Src  netip.Addr
}

// BaseUnit is a running unit and the names of its members.
type BaseUnit struct {
	U       *vinst.Unit
	Members []string
}

// BaseOf copies what Make reads of the running daemon: its configuration,
// instances and units. It runs on the loop.
func BaseOf(conf *config.Config, insts []*vinst.Instance, units []*vinst.Unit) *Base {
	b := &Base{Conf: conf, Insts: make(map[string]Running, len(insts))}
	for _, vi := range insts {
		b.Insts[vi.Conf.Name] = Running{VI: vi, Conf: vi.Conf, MC: vi.M.Config(), Link: vi.Link, Src: vi.Src}
	}
	for _, u := range units {
		bu := BaseUnit{U: u}
		for _, vi := range u.Members {
			bu.Members = append(bu.Members, vi.Conf.Name)
		}
		b.Units = append(b.Units, bu)
	}
	return b
}

// Current reports whether the running daemon is still as p's base saw
// it: same configuration and units, and every kept instance on the same
// interface with the same source address. It runs on the loop.
func (p *Plan) Current(conf *config.Config, units []*vinst.Unit) bool {
	b := p.Base
	if conf != b.Conf || len(units) != len(b.Units) {
		return false
	}
	for i, bu := range b.Units {
		if units[i] != bu.U {
			return false
		}
	}
	for _, ip := range p.Keep {
		vi, was := ip.From.VI, ip.From
		if vi.Link.Index != was.Link.Index || vi.Link.Name != was.Link.Name || vi.Src != was.Src {
			return false
		}
	}
	return true
}

// Make decides the fate of every instance and builds the new ones.
// It changes nothing that is running and reads the running daemon only
// through b, so it may run off the loop.
func Make(b *Base, newConf *config.Config, log *slog.Logger, links vinst.Links) (*Plan, error) {
	old := b.Conf
	p := &Plan{Conf: newConf, Base: b, Keep: map[string]*InPlace{}}
	globalSame := config.SameInstanceGlobals(old.Global, newConf.Global)
	for _, ci := range newConf.Instances {
		ri, ok := b.Insts[ci.Name]
		if !ok || !globalSame || !OnlyInPlaceChanges(ri.Conf, ci) {
			continue
		}
		if ri.Conf.SyncGroup != "" && !config.SameSyncGroup(old.SyncGroup(ri.Conf.SyncGroup), newConf.SyncGroup(ci.SyncGroup)) {
			continue
		}
		ip, err := prepareInPlace(ri, ci, links)
		if err != nil {
			return nil, err
		}
		if ip != nil {
			p.Keep[ci.Name] = ip
		}
	}
	for _, bu := range b.Units {
		kept := true
		for _, name := range bu.Members {
			kept = kept && p.Keep[name] != nil
		}
		if kept {
			p.Units = append(p.Units, bu.U)
			continue
		}
		// A member that could stay restarts with the rest of its group.
		for _, name := range bu.Members {
			delete(p.Keep, name)
		}
		p.Stop = append(p.Stop, bu.U)
	}
	for _, ci := range newConf.Instances {
		if p.Keep[ci.Name] != nil {
			continue
		}
		vi, err := vinst.New(log, links, &newConf.Global, ci)
		if err != nil {
			return nil, err
		}
		p.Fresh = append(p.Fresh, vi)
	}
	return p, nil
}

// prepareInPlace resolves ci's addresses for the running instance ri; nil
// means it must restart after all (the machine cannot take ci in place).
func prepareInPlace(ri Running, ci *config.Instance, links vinst.Links) (*InPlace, error) {
	mc := fromconfig.Config(ci, ri.Src)
	if instance.NeedsRestart(ri.MC, mc) {
		return nil, nil
	}
	scratch := &vinst.Instance{Conf: ci, Link: ri.Link}
	if err := scratch.ResolveVIPs(links); err != nil {
		return nil, err
	}
	return &InPlace{From: ri, CI: ci, VIPs: scratch.VIPs, VIPIf: scratch.VIPIf, MC: mc}, nil
}

// OnlyInPlaceChanges reports whether b differs from a only in settings a
// running machine takes in place (instance.Machine.Reconfigure and
// swapVIPs): everything else (interface, VRID, version, interval,
// addresses used on the wire, authentication, unicast peers, sync group)
// needs a restart.
func OnlyInPlaceChanges(a, b *config.Instance) bool {
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
	x.AuthHMAC = a.AuthHMAC // keys, active_key, mode: vinst.SetupHMAC carries the sequence and marks over
	return config.SameInstance(a, &x)
}
