package trackers

import (
	"errors"
	"fmt"
	"log/slog"
	"weak"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/track"
)

// Gate is the running configuration's track.Gate, rebuilt when the
// configuration (and so global_defs) changes. The zero value is ready.
// It knows the configuration it was built for only weakly: a gate must not
// keep a configuration a reload replaced (every instance of it) alive.
type Gate struct {
	conf weak.Pointer[config.Config]
	gate *track.Gate
}

// For returns the gate of conf.
func (g *Gate) For(conf *config.Config) *track.Gate {
	if w := weak.Make(conf); g.gate == nil || g.conf != w {
		gl := conf.Global
		g.conf, g.gate = w, track.NewGate(track.SecurityConfig{
			Enabled: gl.EnableScriptSecurity, User: gl.ScriptUser, Group: gl.ScriptGroup})
	}
	return g.gate
}

// Check passes one script through conf's gate; a refusal is logged in
// keepalived's words and returned as an error.
func (g *Gate) Check(conf *config.Config, log *slog.Logger, s track.Spec, pos config.Pos) (track.Checked, error) {
	c, err := g.For(conf).Check(s)
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
			log.Warn(r.Msg, attrs...)
		}
		return c, err
	}
	chk := c.Check()
	if chk.Searched {
		log.Warn(fmt.Sprintf("WARNING - script `%s` resolved by path search to `%s`. Please specify full path.", s.Argv[0], chk.Path),
			"script", s.Name)
	}
	if chk.Insecure {
		log.Warn(chk.Reason, "script", s.Name, "detail", chk.Detail)
	}
	return c, nil
}

// Audit logs, once at start-up, what the gate says about the
// configuration as a whole: the default script user and keepalived's
// SECURITY VIOLATION warning when scripts run without script security.
func (g *Gate) Audit(conf *config.Config, log *slog.Logger) {
	tg := g.For(conf)
	if w := tg.Warning(); w != "" && len(track.ConfigScripts(conf)) > 0 {
		log.Warn(w)
	}
	if _, err := tg.DefaultCred(); err != nil {
		log.Error(err.Error(), "hint", "create the user or set `script_user USER` in global_defs; scripts that name no user are not run")
	}
	if msg := tg.SecurityViolation(tg.Audit(conf)); msg != "" {
		log.Warn(msg)
	}
}
