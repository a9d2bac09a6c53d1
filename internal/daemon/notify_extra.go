package daemon

import (
	"context"
	"github.com/gokeepalived/gokeepalived/internal/effect"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/instance"
	"github.com/gokeepalived/gokeepalived/internal/notify"
)

// priorityChanged writes the MASTER_PRIORITY or BACKUP_PRIORITY FIFO line
// for vi when notify_priority_changes applies (the instance's, its sync
// group's or vrrp_notify_priority_changes), as keepalived's
// send_instance_priority_notifies does: MASTER_PRIORITY while master,
// BACKUP_PRIORITY in any other state. Nothing is said before the
// instance has started.
func (d *Daemon) priorityChanged(vi *vinst) {
	st := vi.m.State()
	if st == instance.Init || st == instance.Stop {
		return
	}
	on := vi.conf.NotifyPriorityChanges || d.conf.Global.NotifyPriorityChanges
	if g := effect.SyncGroupOf(d.conf, vi.conf); g != nil && g.NotifyPriorityChanges {
		on = true
	}
	if !on {
		return
	}
	ev := notify.Event{Kind: notify.KindInstance, Name: vi.conf.Name, State: notify.StateBackupPriority,
		Priority: int(vi.m.EffectivePriority())}
	if st == instance.Master {
		ev.State = notify.StateMasterPriority
	}
	d.notifier.Notify(ev)
}

// startMailer starts (or, after a reload, restarts) the smtp_alert mailer
// when some instance or sync group has smtp_alert on and global_defs has
// an smtp_server and a notification_email.
func (d *Daemon) startMailer() {
	t := &d.trk
	if t.mailer != nil {
		old := t.mailer
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			old.Close(ctx)
		}()
		t.mailer = nil
	}
	if !d.smtpWanted() {
		return
	}
	g := d.conf.Global
	if g.SMTPServer == "" || len(g.NotificationEmail) == 0 {
		if t.reportOnce("smtp config") {
			d.log.Warn("smtp_alert is on but global_defs has no smtp_server or notification_email; no mail is sent")
		}
		return
	}
	m, err := notify.NewMailer(notify.MailConfig{Server: g.SMTPServer, From: g.NotificationEmailFrom,
		To: g.NotificationEmail, RouterID: g.RouterID, HeloName: g.SMTPHeloName, ConnectTimeout: g.SMTPConnectTimeout, Log: d.log})
	if err != nil {
		d.log.Error("smtp_alert disabled", "err", err)
		return
	}
	t.mailer = m
}

func (d *Daemon) smtpWanted() bool {
	for _, ci := range d.conf.Instances {
		if d.smtpAlertOn(notify.KindInstance, ci.Name) {
			return true
		}
	}
	for _, g := range d.conf.SyncGroups {
		if d.smtpAlertOn(notify.KindGroup, g.Name) {
			return true
		}
	}
	return false
}

// mailState sends the smtp_alert mail for an instance or group entering
// st, unless its smtp_alert is off or the last mail was for the same state
// (keepalived's last_email_state). It never blocks.
func (d *Daemon) mailState(kind notify.Kind, name string, st notify.State) {
	t := &d.trk
	if t.mailer == nil || !d.smtpAlertOn(kind, name) || st == notify.StateFault && d.conf.Global.NoEmailFaults {
		return
	}
	if t.mailed == nil {
		t.mailed = map[notify.Kind]map[string]notify.State{}
	}
	if t.mailed[kind] == nil {
		t.mailed[kind] = map[string]notify.State{}
	}
	if t.mailed[kind][name] == st {
		return
	}
	mail, ok := t.mailer.AlertMail(kind, name, st)
	if !ok {
		return
	}
	t.mailed[kind][name] = st
	t.mailer.Send(mail)
}

// smtpAlertOn says whether an instance or group mails on transitions: its
// own smtp_alert, else global_defs smtp_alert_vrrp, else smtp_alert.
func (d *Daemon) smtpAlertOn(kind notify.Kind, name string) bool {
	var own *bool
	if kind == notify.KindGroup {
		g := syncGroupNamed(d.conf, name)
		if g == nil {
			return false
		}
		own = g.SMTPAlert
	} else {
		ci := instanceNamed(d.conf, name)
		if ci == nil {
			return false
		}
		own = ci.SMTPAlert
	}
	for _, b := range []*bool{own, d.conf.Global.SMTPAlertVRRP, d.conf.Global.SMTPAlert} {
		if b != nil {
			return *b
		}
	}
	return false
}

// closeMailer lets queued mails go for up to a few seconds at shutdown.
func (d *Daemon) closeMailer() {
	if d.trk.mailer == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	d.trk.mailer.Close(ctx)
	d.trk.mailer = nil
}

// writeStatesOnReload writes every instance's and sync group's current
// state to the notify FIFOs after a reload, as
// fifo_write_vrrp_states_on_reload does (FIFO lines only, no scripts).
func (d *Daemon) writeStatesOnReload() {
	if !d.conf.Global.FifoWriteStatesOnReload || len(d.fifos) == 0 {
		return
	}
	for _, vi := range d.insts {
		if st, ok := notifyState(vi.m.State()); ok {
			d.writeFIFOs(notify.Event{Kind: notify.KindInstance, Name: vi.conf.Name, State: st,
				Priority: int(vi.m.EffectivePriority())})
		}
	}
	for _, u := range d.units {
		if u.group == nil {
			continue
		}
		if st, ok := notifyState(u.groupState()); ok {
			d.writeFIFOs(notify.Event{Kind: notify.KindGroup, Name: u.name, State: st})
		}
	}
}

func (d *Daemon) writeFIFOs(ev notify.Event) {
	line := ev.FIFOLine()
	for _, f := range d.fifos {
		f.WriteLine(line)
	}
}
