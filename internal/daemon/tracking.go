package daemon

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/metrics"
	"github.com/gokeepalived/gokeepalived/internal/system"
	"github.com/gokeepalived/gokeepalived/internal/track"
)

// trackEvent is a tracker's new state, handed to the loop.
type trackEvent struct {
	script string // vrrp_script name
	state  track.State
	result track.Result
}

// scriptRunner is one running vrrp_script, or one the gate refused.
type scriptRunner struct {
	conf   *config.VRRPScript
	cancel context.CancelFunc
	state  track.State
	last   track.Result
	lastAt time.Time
	// disabled is why the gate refused the script: it never runs and, as
	// in keepalived, is taken out of tracking (its weight never applies).
	disabled string
}

// scriptGate is the daemon's track.Gate, rebuilt when the configuration
// (and so global_defs) changes.
type scriptGate struct {
	conf *config.Config
	gate *track.Gate
}

// scriptGate returns the gate for the current configuration.
func (d *Daemon) scriptGate() *track.Gate {
	if d.gate.conf != d.conf {
		g := d.conf.Global
		d.gate = scriptGate{conf: d.conf, gate: track.NewGate(track.SecurityConfig{
			Enabled: g.EnableScriptSecurity, User: g.ScriptUser, Group: g.ScriptGroup})}
	}
	return d.gate.gate
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

// usedScripts returns the vrrp_scripts some instance or group tracks.
func (d *Daemon) usedScripts() []*config.VRRPScript {
	used := map[string]bool{}
	for _, ci := range d.conf.Instances {
		for _, r := range ci.TrackScripts {
			used[r.Name] = true
		}
	}
	for _, g := range d.conf.SyncGroups {
		for _, r := range g.TrackScripts {
			used[r.Name] = true
		}
	}
	var out []*config.VRRPScript
	for _, s := range d.conf.Scripts {
		if used[s.Name] {
			out = append(out, s)
		}
	}
	return out
}

// startScript starts the runner of s.
func (d *Daemon) startScript(s *config.VRRPScript) {
	ctx, cancel := context.WithCancel(d.runCtx)
	sr := &scriptRunner{conf: s, cancel: cancel, state: track.StateInit}
	if s.InitFail {
		sr.state = track.StateDown
	}
	d.scripts[s.Name] = sr
	cmd, err := d.checkScript(track.TrackSpec(s), s.Pos)
	if err != nil {
		sr.disabled = err.Error()
		return
	}
	r := track.NewRunner(track.Script{
		Name: s.Name, Cmd: cmd, Interval: s.Interval, Timeout: s.Timeout,
		Rise: s.Rise, Fall: s.Fall, InitFail: s.InitFail,
	}, track.OSExec, d.log, func(res track.Result) {
		select {
		case d.trackC <- trackEvent{script: s.Name, state: res.State, result: res}:
		case <-ctx.Done():
		}
	})
	go r.Run(ctx)
}

// trackerChanged applies a script result to the instances tracking it.
func (d *Daemon) trackerChanged(ev trackEvent) {
	sr := d.scripts[ev.script]
	if sr == nil {
		return
	}
	sr.last, sr.lastAt = ev.result, time.Now()
	res := metricsResult(ev.result)
	d.metrics.ScriptRun(ev.script, res, ev.result.Outcome.Took)
	if ev.state == sr.state {
		return
	}
	sr.state = ev.state
	for _, vi := range d.insts {
		d.refreshEffects(vi)
	}
}

// linkChanged applies an interface change to the instances that use or
// track the interface.
func (d *Daemon) linkChanged(ev system.LinkEvent) {
	d.dynLinkChanged(ev) // dynif.go: interfaces appearing/vanishing, up/down delays
	for _, vi := range d.insts {
		d.refreshEffects(vi)
	}
}

// stopScripts stops every runner (their processes are killed).
func (d *Daemon) stopScripts() {
	for name, sr := range d.scripts {
		sr.cancel()
		delete(d.scripts, name)
	}
}

func scriptTarget(s *config.VRRPScript) string { return strings.Join(s.Cmd, " ") }

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
