package policy

import (
	"context"
	"slices"
	"testing"

	"github.com/gokeepalived/gokeepalived/internal/config/configtest"
	"github.com/gokeepalived/gokeepalived/internal/notify"
)

// TestSMTPAlertInheritance: an instance without its own smtp_alert follows
// global_defs smtp_alert_vrrp, else smtp_alert, as keepalived does.
func TestSMTPAlertInheritance(t *testing.T) {
	inst := func(own string) string {
		return "vrrp_instance X {\n interface eth1\n virtual_router_id 1\n" + own + " virtual_ipaddress {\n 10.0.0.1\n }\n}\n"
	}
	tests := []struct {
		name, global, own string
		want              bool
	}{
		{"nothing", "", "", false},
		{"global on", " smtp_alert\n", "", true},
		{"global off, vrrp on", " smtp_alert off\n smtp_alert_vrrp on\n", "", true},
		{"global on, vrrp off", " smtp_alert\n smtp_alert_vrrp off\n", "", false},
		{"instance off wins", " smtp_alert\n", " smtp_alert off\n", false},
		{"instance on wins", "", " smtp_alert\n", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := New(Config{})
			p.conf = configtest.Load(t, "global_defs {\n router_id r\n"+tt.global+"}\n"+inst(tt.own))
			if got := p.smtpAlertOn(notify.KindInstance, "X"); got != tt.want {
				t.Errorf("smtpAlertOn = %v, want %v", got, tt.want)
			}
		})
	}
}

// recorder records events and FIFO lines, and stands for the mailer.
type recorder struct {
	events []notify.Event
	lines  []string
	mails  []notify.State
}

func (r *recorder) Notify(ev notify.Event)     { r.events = append(r.events, ev) }
func (r *recorder) WriteLine(line string) bool { r.lines = append(r.lines, line); return true }
func (r *recorder) AlertMail(_ notify.Kind, _ string, st notify.State) (notify.Mail, bool) {
	return notify.Mail{}, true
}
func (r *recorder) Send(notify.Mail)      { r.mails = append(r.mails, notify.State(len(r.mails))) }
func (r *recorder) Close(context.Context) {}

// TestPriority: the priority lines go out under notify_priority_changes
// of the instance, its sync group or global_defs, and only then.
func TestPriority(t *testing.T) {
	tests := []struct {
		name, global, group, own string
		master                   bool
		want                     []notify.State
	}{
		{"off", "", "", "", false, nil},
		{"instance, backup", "", "", " notify_priority_changes\n", false, []notify.State{notify.StateBackupPriority}},
		{"instance, master", "", "", " notify_priority_changes\n", true, []notify.State{notify.StateMasterPriority}},
		{"group", "", " notify_priority_changes\n", "", true, []notify.State{notify.StateMasterPriority}},
		{"global", " vrrp_notify_priority_changes\n", "", "", false, []notify.State{notify.StateBackupPriority}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{}
			p := New(Config{Notifier: rec})
			p.Configure(configtest.Load(t, "global_defs {\n router_id r\n"+tt.global+"}\n"+
				"vrrp_instance X {\n interface eth1\n virtual_router_id 1\n"+tt.own+"}\n"+
				"vrrp_sync_group G {\n group {\n  X\n }\n"+tt.group+"}\n"))
			p.Priority(p.conf.Instance("X"), tt.master, 90)
			var got []notify.State
			for _, ev := range rec.events {
				if ev.Name != "X" || ev.Priority != 90 {
					t.Errorf("event %+v, want X at 90", ev)
				}
				got = append(got, ev.State)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("states %v, want %v", got, tt.want)
			}
		})
	}
}

// TestReloadedAndMail: the states go to the FIFOs after a reload only
// under fifo_write_vrrp_states_on_reload; a state is mailed once, and
// FAULT not at all under no_email_faults.
func TestReloadedAndMail(t *testing.T) {
	rec := &recorder{}
	p := New(Config{Notifier: rec, FIFOs: []LineWriter{rec},
		NewMailer: func(notify.MailConfig) (Mailer, error) { return rec, nil }})
	conf := func(extra string) string {
		return "global_defs {\n router_id r\n smtp_server 127.0.0.1\n notification_email {\n  a@b\n }\n" + extra + "}\n" +
			"vrrp_instance X {\n interface eth1\n virtual_router_id 1\n smtp_alert\n}\n"
	}
	evs := []notify.Event{{Kind: notify.KindInstance, Name: "X", State: notify.StateMaster, Priority: 100}}
	p.Configure(configtest.Load(t, conf(" no_email_faults\n")))
	p.Reloaded(evs)
	if len(rec.lines) != 0 {
		t.Errorf("lines %q without fifo_write_vrrp_states_on_reload", rec.lines)
	}
	p.State(evs[0])
	p.State(evs[0])
	p.State(notify.Event{Kind: notify.KindInstance, Name: "X", State: notify.StateFault})
	if len(rec.events) != 3 || len(rec.mails) != 1 {
		t.Errorf("%d events, %d mails; want 3 events, 1 mail", len(rec.events), len(rec.mails))
	}
	p.Configure(configtest.Load(t, conf(" fifo_write_vrrp_states_on_reload\n")))
	p.Reloaded(evs)
	if want := []string{evs[0].FIFOLine()}; !slices.Equal(rec.lines, want) {
		t.Errorf("lines %q, want %q", rec.lines, want)
	}
}
