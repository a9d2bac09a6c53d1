package daemon

import (
	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/metrics"
	"github.com/gokeepalived/gokeepalived/internal/system"
	"github.com/gokeepalived/gokeepalived/internal/track"
	"github.com/gokeepalived/gokeepalived/internal/trackers"
)

// trackEvent is a vrrp_script's run, handed to the loop.
type trackEvent = trackers.Event

// checkScript passes one script through the gate of the running
// configuration; a refusal is logged in keepalived's words.
func (d *Daemon) checkScript(s track.Spec, pos config.Pos) (track.Checked, error) {
	return d.trk.gate.Check(d.conf, d.log, s, pos)
}

// trackerChanged applies a script result to the instances tracking it.
func (d *Daemon) trackerChanged(ev trackEvent) {
	known, changed := d.trackers().Result(ev)
	if !known {
		return
	}
	d.ann.metrics.ScriptRun(ev.Script, metricsResult(ev.Result), ev.Result.Outcome.Took)
	if changed {
		d.refreshAll()
	}
}

// trackers returns the running trackers (package trackers), made on first
// use; Start runs them.
func (d *Daemon) trackers() *trackers.Set {
	if d.trk.set == nil {
		d.trk.set = trackers.New(trackers.Config{Log: d.log, Check: d.checkScript, Results: d.trk.ch,
			Post: d.do, Changed: d.refreshAll, Lookup: d.lookupIface, Exec: d.sys.Exec})
	}
	return d.trk.set
}

// refreshAll recomputes every instance's tracker effects.
func (d *Daemon) refreshAll() {
	d.ann.bgp.Touch() // anycast groups' trackers, with or without instances
	for _, vi := range d.insts {
		d.refreshEffects(vi)
	}
}

// linkChanged applies an interface change to the instances that use or
// track the interface.
func (d *Daemon) linkChanged(ev system.LinkEvent) {
	d.routes().LinkChanged(ev) // static entries on the interface
	d.fx.ifs.LinkChanged(ev)   // interfaces appearing/vanishing, up/down delays
	d.refreshAll()
}

// addrChanged applies an address event: static addresses removed from
// outside (package route), then advert sources, track_src_ip and our VIPs
// (package dynif).
func (d *Daemon) addrChanged(ev system.AddrEvent) {
	if d.routes().AddrChanged(ev) {
		d.refreshAll()
	}
	d.fx.ifs.AddrChanged(ev)
}

func metricsResult(r track.Result) metrics.ScriptResult {
	switch o := r.Outcome; {
	case o.Err != nil:
		return metrics.ScriptError
	case o.TimedOut:
		return metrics.ScriptTimeout
	case r.OK:
		return metrics.ScriptSuccess
	}
	return metrics.ScriptFailure
}
