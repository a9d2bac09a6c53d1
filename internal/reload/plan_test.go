package reload

import (
	"strings"
	"testing"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/config/configtest"
	"github.com/google/go-cmp/cmp"
)

const reloadBase = `
global_defs {
    router_id r1
}
vrrp_instance X {
    state MASTER
    interface eth1
    virtual_router_id 80
    priority 100
    advert_int 1
    virtual_ipaddress {
        192.168.1.6
    }
}
`

// loadText loads keepalived.conf text through a fake file system.
func loadText(t *testing.T, text string) *config.Config {
	t.Helper()
	return configtest.Load(t, text)
}

// TestReloadDecision checks which edits a running instance takes in place
// and which need a restart.
func TestReloadDecision(t *testing.T) {
	tests := []struct {
		name    string
		from    string
		to      string
		inPlace bool
		globals bool
	}{
		{name: "identical", inPlace: true, globals: true},
		{name: "moved lines only", from: "advert_int 1\n", to: "advert_int 1\n\n\n", inPlace: true, globals: true},
		{name: "priority", from: "priority 100", to: "priority 50", inPlace: true, globals: true},
		{name: "state", from: "state MASTER", to: "state BACKUP", inPlace: true, globals: true},
		{name: "vip added", from: "192.168.1.6\n", to: "192.168.1.6\n192.168.1.9\n", inPlace: true, globals: true},
		{name: "nopreempt", from: "advert_int 1\n", to: "advert_int 1\nnopreempt\n", inPlace: true, globals: true},
		{name: "router id", from: "router_id r1", to: "router_id r2", inPlace: true, globals: true},
		{name: "virtual route added", from: "advert_int 1\n", to: "advert_int 1\nvirtual_routes {\n10.9.0.0/16 dev eth1\n}\n", inPlace: true, globals: true},
		{name: "virtual rule added", from: "advert_int 1\n", to: "advert_int 1\nvirtual_rules {\nfrom 192.168.1.6 table 100\n}\n", inPlace: true, globals: true},
		{name: "vrid", from: "virtual_router_id 80", to: "virtual_router_id 81", globals: true},
		{name: "interval", from: "advert_int 1\n", to: "advert_int 2\n", globals: true},
		{name: "interface", from: "interface eth1", to: "interface eth2", globals: true},
		{name: "auth", from: "advert_int 1\n", to: "advert_int 1\nauthentication {\nauth_type PASS\nauth_pass x\n}\n", globals: true},
		{name: "global mcast group", from: "router_id r1", to: "router_id r1\nvrrp_mcast_group4 224.0.0.19", inPlace: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := loadText(t, reloadBase)
			b := loadText(t, strings.Replace(reloadBase, tt.from, tt.to, 1))
			got := struct{ InPlace, Globals bool }{
				OnlyInPlaceChanges(a.Instances[0], b.Instances[0]),
				config.SameInstanceGlobals(a.Global, b.Global),
			}
			want := struct{ InPlace, Globals bool }{tt.inPlace, tt.globals}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("decision (-want +got):\n%s", diff)
			}
		})
	}
}
