package policy

import (
	"fmt"
	"log/slog"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/instance"
	"github.com/gokeepalived/gokeepalived/internal/notify"
	"github.com/gokeepalived/gokeepalived/internal/track"
)

// Checker passes a script through the script gate of the running
// configuration.
type Checker func(track.Spec, config.Pos) (track.Checked, error)

// Start opens conf's notify_fifo and vrrp_notify_fifo (owned by their
// script user; a user that cannot be resolved drops the FIFO rather than
// fall back to root), starts their scripts through check, and returns the
// notifier and the policy over them with the FIFOs.
func Start(conf *config.Config, gate *track.Gate, check Checker, exec track.Execer, log *slog.Logger) (*notify.Notifier, *Policy, []*notify.FIFO) {
	var out []*notify.FIFO
	fifos := []struct {
		kw string
		f  *config.Fifo
	}{{"notify_fifo", conf.Global.NotifyFifo}, {"vrrp_notify_fifo", conf.Global.VRRPNotifyFifo}}
	for _, x := range fifos {
		f := x.f
		if f == nil || f.Path == "" {
			continue
		}
		owner, err := gate.Cred(f.User, f.Group)
		if err != nil {
			log.Warn(fmt.Sprintf("Invalid user/group for %s %s - ignoring", x.kw, f.Path), "reason", err.Error())
			continue
		}
		ff, err := notify.OpenFIFO(f.Path, owner, log)
		if err != nil {
			log.Error("notify fifo", "path", f.Path, "err", err)
			continue
		}
		if f.Script != nil {
			spec := track.Spec{Kind: track.KindFIFO, Name: x.kw + "_script", Argv: f.Script.Cmd, User: f.Script.User, Group: f.Script.Group}
			if sc, err := check(spec, f.Script.Pos); err == nil {
				ff.StartScript(sc, exec)
			}
		}
		out = append(out, ff)
	}
	n := notify.New(notify.Config{Log: log, Exec: exec, FIFOs: out})
	lines := make([]LineWriter, len(out))
	for i, f := range out {
		lines[i] = f
	}
	return n, New(Config{Log: log, Notifier: n, FIFOs: lines}), out
}

// StateOf is the notification of a machine state; false for a state that
// is never announced (INIT).
func StateOf(s instance.State) (notify.State, bool) {
	switch s {
	case instance.Master:
		return notify.StateMaster, true
	case instance.Backup:
		return notify.StateBackup, true
	case instance.Fault:
		return notify.StateFault, true
	case instance.Stop:
		return notify.StateStop, true
	}
	return 0, false
}

// Instance announces instance name's new state s at priority prio.
func (p *Policy) Instance(name string, s instance.State, prio int) {
	if st, ok := StateOf(s); ok {
		p.State(notify.Event{Kind: notify.KindInstance, Name: name, State: st, Priority: prio})
	}
}

// Group announces sync group name's new state s.
func (p *Policy) Group(name string, s instance.State) {
	if st, ok := StateOf(s); ok {
		p.State(notify.Event{Kind: notify.KindGroup, Name: name, State: st})
	}
}

// PriorityChanged announces ci's new effective priority
// (notify_priority_changes) in state s; nothing is said before the
// instance has started.
func (p *Policy) PriorityChanged(ci *config.Instance, s instance.State, prio int) {
	if s == instance.Init || s == instance.Stop {
		return
	}
	p.Priority(ci, s == instance.Master, prio)
}

// Script passes a notify script through check: nil when it is not
// configured or refused (keepalived then never runs it).
func Script(check Checker, s *config.Script) *notify.Script {
	if s == nil {
		return nil
	}
	sc, err := check(track.Spec{Kind: track.KindNotify, Name: "notify", Argv: s.Cmd, User: s.User, Group: s.Group}, s.Pos)
	if err != nil {
		return nil
	}
	return &sc
}

// Scripts turns an instance's or a sync group's notify keywords into the
// notifier's scripts.
func Scripts(check Checker, n *config.Notifications) notify.Scripts {
	return notify.Scripts{
		Master: Script(check, n.NotifyMaster), Backup: Script(check, n.NotifyBackup),
		Fault: Script(check, n.NotifyFault), Stop: Script(check, n.NotifyStop),
		Deleted: Script(check, n.NotifyDeleted), DeletedEnabled: n.NotifyDeleted != nil,
		Notify: Script(check, n.Notify),
	}
}

// InstanceScripts is Scripts of an instance, with notify_master_rx_lower_pri.
func InstanceScripts(check Checker, ci *config.Instance) notify.Scripts {
	s := Scripts(check, &ci.Notifications)
	s.MasterRxLowerPri = Script(check, ci.NotifyMasterRxLowerPri)
	return s
}
