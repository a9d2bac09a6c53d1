package fromconfig

import (
	"net/netip"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/instance"
	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

// Config maps a parsed, validated vrrp_instance to the machine's
// instance.Config. primary is the instance's source address (unicast_src_ip,
// mcast_src_ip or the interface's primary address), which the daemon reads
// from the system and the planner takes from the user. Only the addresses
// carried in adverts (virtual_ipaddress, not the excluded ones) are VIPs
// here; the daemon installs the rest alongside them.
func Config(ci *config.Instance, primary netip.Addr) instance.Config {
	c := instance.DefaultConfig()
	c.Name = ci.Name
	c.VRID = uint8(ci.VRID)
	c.Version = vrrp.Version(ci.Version)
	c.Priority = uint8(ci.Priority)
	c.AdvertInterval = ci.AdvertInt
	c.PrimaryAddr = primary
	for _, v := range ci.VIPs {
		c.VIPs = append(c.VIPs, v.Prefix)
	}
	for _, p := range ci.UnicastPeers {
		c.UnicastPeers = append(c.UnicastPeers, p.Addr)
	}
	c.WantMaster = ci.State == config.StateMaster
	c.Nopreempt = ci.Nopreempt
	c.PreemptDelay = ci.PreemptDelay
	if ci.DownTimerAdverts > 0 {
		c.DownTimerAdverts = ci.DownTimerAdverts
	}
	g := ci.Garp
	c.GARP = instance.GARPConfig{
		Interval:            g.Interval,
		MasterDelay:         g.MasterDelay,
		MasterRepeat:        g.MasterRepeat,
		MasterRefresh:       g.MasterRefresh,
		MasterRefreshRepeat: g.MasterRefreshRepeat,
		LowerPrioDelay:      g.LowerPrioDelay,
		LowerPrioRepeat:     g.LowerPrioRepeat,
	}
	if ci.Family == 6 && g.GnaInterval > 0 {
		c.GARP.Interval = g.GnaInterval
	}
	c.LowerPrioNoAdvert = ci.LowerPrioNoAdvert
	c.HigherPrioSendAdvert = ci.HigherPrioSendAdvert
	c.OwnerIgnoreAdverts = ci.OwnerIgnoreAdverts // global_defs applied by config
	c.FastFailover = ci.FastFailover
	c.NoPartingAdvert = ci.Auth.Type == config.AuthAH
	return c
}
