package daemon

import (
	"testing"

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
			d := &Daemon{conf: loadText(t, "global_defs {\n router_id r\n"+tt.global+"}\n"+inst(tt.own))}
			if got := d.smtpAlertOn(notify.KindInstance, "X"); got != tt.want {
				t.Errorf("smtpAlertOn = %v, want %v", got, tt.want)
			}
		})
	}
}
