package daemon

import (
	"errors"
	"fmt"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/metrics"
	"github.com/gokeepalived/gokeepalived/internal/system"
	"github.com/gokeepalived/gokeepalived/internal/track"
	"github.com/gokeepalived/gokeepalived/internal/trackers"
)

// trackEvent is a vrrp_script's run, handed to the loop.
type trackEvent = trackers.Event

// scriptGate is the daemon's track.Gate, rebuilt when the configuration
// (and so global_defs) changes.
type scriptGate struct {
	conf *config.Config
	gate *track.Gate
}

// scriptGate returns the gate for the current configuration.
func (d *Daemon) scriptGate() *track.Gate {
	if d.trk.gate.conf != d.conf {
		g := d.conf.Global
		d.trk.gate = scriptGate{conf: d.conf, gate: track.NewGate(track.SecurityConfig{
			Enabled: g.EnableScriptSecurity, User: g.ScriptUser, Group: g.ScriptGroup})}
	}
	return d.trk.gate.gate
}

// checkScript passes one script through the gate; a refusal is logged in
// keepalived's words and returned as an error.
func (d *Daemon) checkScript(s track.Spec, pos config.Pos) (track.Checked, error) {
	c, err := d.scriptGate().Check(s)
	if err != nil {
		var r *track.Refusal
		if errors.As(err, &r) {
			attrs := []any{"script", s.Name, "at", pos.String()}
			if r.Reason != "" && r.Reason != r.Msg {
				attrs = append(attrs, "reason", r.Reason)
			}
			if r.Detail != "" {
				attrs = append(attrs, "detail", r.Detail)
			}
			d.log.Warn(r.Msg, attrs...)
		}
		return c, err
	}
	chk := c.Check()
	if chk.Searched {
		d.log.Warn(fmt.Sprintf("WARNING - script `%s` resolved by path search to `%s`. Please specify full path.", s.Argv[0], chk.Path),
			"script", s.Name)
	}
	if chk.Insecure {
		d.log.Warn(chk.Reason, "script", s.Name, "detail", chk.Detail)
	}
	return c, nil
}

// auditScripts logs, once at start-up, what the gate says about the
// configuration as a whole: the default script user and keepalived's
// SECURITY VIOLATION warning when scripts run without script security.
func (d *Daemon) auditScripts() {
	g := d.scriptGate()
	if w := g.Warning(); w != "" && len(track.ConfigScripts(d.conf)) > 0 {
		d.log.Warn(w)
	}
	if _, err := g.DefaultCred(); err != nil {
		d.log.Error(err.Error(), "hint", "create the user or set `script_user USER` in global_defs; scripts that name no user are not run")
	}
	if msg := g.SecurityViolation(g.Audit(d.conf)); msg != "" {
		d.log.Warn(msg)
	}
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
	for _, vi := range d.insts {
		d.refreshEffects(vi)
	}
}

// linkChanged applies an interface change to the instances that use or
// track the interface.
func (d *Daemon) linkChanged(ev system.LinkEvent) {
	d.dynLinkChanged(ev) // interfaces appearing/vanishing, up/down delays
	for _, vi := range d.insts {
		d.refreshEffects(vi)
	}
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
