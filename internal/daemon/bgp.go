package daemon

import (
	"github.com/gokeepalived/gokeepalived/internal/bgp"
	"github.com/gokeepalived/gokeepalived/internal/bgp/announcer"
	"github.com/gokeepalived/gokeepalived/internal/control"
)

// The BGP side (issue 16, docs/bgp.md) is package bgp/announcer: the loop
// feeds it after every event and it asks the loop to run again when a
// hold-down ends. It exists while a bgp_speaker is configured.

// bgpSync brings the speaker and the announced routes up to date.
func (d *Daemon) bgpSync() {
	if d.ann.bgp == nil {
		if d.conf.Global.BGPSpeaker == nil || d.loop.stopping {
			return
		}
		d.ann.bgp = announcer.New(announcer.Deps{Log: d.log, Links: d.sys.links, Addrs: d.sys.addrs,
			Trackers: func() announcer.Trackers { return d.trackers() }, LinkUp: d.fx.ifs.LinkUp,
			VRRP: d.bgpVRRP, Wake: func() { d.post(func() {}) }})
	}
	d.ann.bgp.Sync(d.loop.ctx, d.conf)
}

// bgpVRRP is the state and priority of every bgp_announce instance.
func (d *Daemon) bgpVRRP() map[string]bgp.VRRP {
	out := map[string]bgp.VRRP{}
	for _, vi := range d.insts {
		if vi.Conf.BGPAnnounce != nil {
			out[vi.Conf.Name] = bgp.VRRP{State: vi.M.State(), Priority: int(vi.M.EffectivePriority())}
		}
	}
	return out
}

// bgpStop runs first when the daemon stops (announcer.Stop).
func (d *Daemon) bgpStop() {
	if d.ann.bgp != nil {
		d.ann.bgp.Stop()
		d.ann.bgp = nil
	}
}

// bgpStatus is the BGP part of the status snapshot; nil without a
// bgp_speaker.
func (d *Daemon) bgpStatus() *control.BGP {
	if d.ann.bgp == nil {
		return nil
	}
	return d.ann.bgp.Status()
}
