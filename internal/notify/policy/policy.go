package policy

import (
	"context"
	"log/slog"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/notify"
)

// Notifier runs the notify scripts and writes the FIFO lines of an event
// (*notify.Notifier).
type Notifier interface {
	Notify(notify.Event)
}

// LineWriter is a notify FIFO (*notify.FIFO).
type LineWriter interface {
	WriteLine(line string) bool
}

// Mailer sends smtp_alert mails (*notify.Mailer).
type Mailer interface {
	AlertMail(kind notify.Kind, name string, st notify.State) (notify.Mail, bool)
	Send(notify.Mail)
	Close(ctx context.Context)
}

// Config configures a Policy.
type Config struct {
	Log      *slog.Logger
	Notifier Notifier
	FIFOs    []LineWriter
	// NewMailer makes the smtp_alert mailer; nil uses notify.NewMailer.
	NewMailer func(notify.MailConfig) (Mailer, error)
}

// Policy decides the notifications of state and priority changes. It runs
// on the daemon's loop.
type Policy struct {
	cfg    Config
	conf   *config.Config
	mailer Mailer
	mailed map[notify.Kind]map[string]notify.State
	warned bool // the smtp configuration warning was logged
}

// New returns a Policy; Configure gives it its configuration.
func New(cfg Config) *Policy {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.NewMailer == nil {
		cfg.NewMailer = func(c notify.MailConfig) (Mailer, error) { return notify.NewMailer(c) }
	}
	return &Policy{cfg: cfg}
}

// Configure takes the configuration c (at start and after each reload)
// and (re)starts the smtp_alert mailer when some instance or sync group
// has smtp_alert on and global_defs has an smtp_server and a
// notification_email. A replaced mailer finishes its queue in the
// background.
func (p *Policy) Configure(c *config.Config) {
	p.conf = c
	if p.mailer != nil {
		old := p.mailer
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			old.Close(ctx)
		}()
		p.mailer = nil
	}
	if !p.smtpWanted() {
		return
	}
	g := c.Global
	if g.SMTPServer == "" || len(g.NotificationEmail) == 0 {
		if !p.warned {
			p.warned = true
			p.cfg.Log.Warn("smtp_alert is on but global_defs has no smtp_server or notification_email; no mail is sent")
		}
		return
	}
	m, err := p.cfg.NewMailer(MailConfig(g, p.cfg.Log))
	if err != nil {
		p.cfg.Log.Error("smtp_alert disabled", "err", err)
		return
	}
	p.mailer = m
}

// MailConfig is the mailer configuration global_defs gives (smtp_server,
// notification_email, notification_email_from, smtp_helo_name,
// smtp_connect_timeout, router_id): the VRRP alerts' and the checker's.
func MailConfig(g config.GlobalDefs, log *slog.Logger) notify.MailConfig {
	return notify.MailConfig{Server: g.SMTPAddr, From: g.NotificationEmailFrom,
		To: g.NotificationEmail, RouterID: g.RouterID, HeloName: g.SMTPHeloName, ConnectTimeout: g.SMTPConnectTimeout, Log: log}
}

// State announces an instance or sync group entering st: its notify
// scripts and FIFO lines, and its smtp_alert mail.
func (p *Policy) State(ev notify.Event) {
	p.cfg.Notifier.Notify(ev)
	p.mail(ev.Kind, ev.Name, ev.State)
}

// Priority writes the MASTER_PRIORITY or BACKUP_PRIORITY FIFO line of
// instance ci, now at priority prio, when notify_priority_changes applies
// (the instance's, its sync group's or vrrp_notify_priority_changes), as
// keepalived's send_instance_priority_notifies does: MASTER_PRIORITY while
// master, BACKUP_PRIORITY in any other state. The daemon says nothing
// before the instance has started.
func (p *Policy) Priority(ci *config.Instance, master bool, prio int) {
	on := ci.NotifyPriorityChanges || p.conf.Global.NotifyPriorityChanges
	if g := p.conf.SyncGroup(ci.SyncGroup); g != nil && g.NotifyPriorityChanges {
		on = true
	}
	if !on {
		return
	}
	ev := notify.Event{Kind: notify.KindInstance, Name: ci.Name, State: notify.StateBackupPriority, Priority: prio}
	if master {
		ev.State = notify.StateMasterPriority
	}
	p.cfg.Notifier.Notify(ev)
}

// Reloaded writes every instance's and sync group's current state (evs)
// to the notify FIFOs after a reload, as fifo_write_vrrp_states_on_reload
// does (FIFO lines only, no scripts).
func (p *Policy) Reloaded(evs []notify.Event) {
	if !p.conf.Global.FifoWriteStatesOnReload || len(p.cfg.FIFOs) == 0 {
		return
	}
	for _, ev := range evs {
		line := ev.FIFOLine()
		for _, f := range p.cfg.FIFOs {
			f.WriteLine(line)
		}
	}
}

// Close lets queued mails go for up to a few seconds, at shutdown.
func (p *Policy) Close() {
	if p.mailer == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	p.mailer.Close(ctx)
	p.mailer = nil
}

func (p *Policy) smtpWanted() bool {
	for _, ci := range p.conf.Instances {
		if p.smtpAlertOn(notify.KindInstance, ci.Name) {
			return true
		}
	}
	for _, g := range p.conf.SyncGroups {
		if p.smtpAlertOn(notify.KindGroup, g.Name) {
			return true
		}
	}
	return false
}

// mail sends the smtp_alert mail for an instance or group entering st,
// unless its smtp_alert is off or the last mail was for the same state
// (keepalived's last_email_state). It never blocks.
func (p *Policy) mail(kind notify.Kind, name string, st notify.State) {
	if p.mailer == nil || !p.smtpAlertOn(kind, name) || st == notify.StateFault && p.conf.Global.NoEmailFaults {
		return
	}
	if p.mailed == nil {
		p.mailed = map[notify.Kind]map[string]notify.State{}
	}
	if p.mailed[kind] == nil {
		p.mailed[kind] = map[string]notify.State{}
	}
	if p.mailed[kind][name] == st {
		return
	}
	mail, ok := p.mailer.AlertMail(kind, name, st)
	if !ok {
		return
	}
	p.mailed[kind][name] = st
	p.mailer.Send(mail)
}

// smtpAlertOn says whether an instance or group mails on transitions: its
// own smtp_alert, else global_defs smtp_alert_vrrp, else smtp_alert.
func (p *Policy) smtpAlertOn(kind notify.Kind, name string) bool {
	var own *bool
	if kind == notify.KindGroup {
		g := p.conf.SyncGroup(name)
		if g == nil {
			return false
		}
		own = g.SMTPAlert
	} else {
		ci := p.conf.Instance(name)
		if ci == nil {
			return false
		}
		own = ci.SMTPAlert
	}
	for _, b := range []*bool{own, p.conf.Global.SMTPAlertVRRP, p.conf.Global.SMTPAlert} {
		if b != nil {
			return *b
		}
	}
	return false
}
