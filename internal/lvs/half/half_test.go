package half

import (
	"testing"

	"github.com/gokeepalived/gokeepalived/internal/config"
)

// TestHalves: -C drops VRRP (instances, sync groups, static addresses),
// -P drops the virtual servers; neither touches the loaded configuration.
func TestHalves(t *testing.T) {
	conf := &config.Config{Instances: []*config.Instance{{Name: "VI_1"}}, SyncGroups: []*config.SyncGroup{{}},
		StaticAddresses: []config.VIP{{}}, VirtualServers: []*config.VirtualServer{{}}}
	if got := Halves(conf, false, false); got != conf {
		t.Error("no flag: configuration changed")
	}
	c := Halves(conf, true, false)
	if len(c.Instances)+len(c.SyncGroups)+len(c.StaticAddresses) != 0 || len(c.VirtualServers) != 1 {
		t.Errorf("-C: %d instances, %d groups, %d statics, %d virtual servers; want only the virtual server",
			len(c.Instances), len(c.SyncGroups), len(c.StaticAddresses), len(c.VirtualServers))
	}
	p := Halves(conf, false, true)
	if len(p.VirtualServers) != 0 || len(p.Instances) != 1 {
		t.Errorf("-P: %d virtual servers, %d instances; want only the instance", len(p.VirtualServers), len(p.Instances))
	}
	if len(conf.Instances) != 1 || len(conf.VirtualServers) != 1 {
		t.Error("the loaded configuration was changed")
	}
}
