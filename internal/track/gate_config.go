package track

import (
	"slices"

	"github.com/gokeepalived/gokeepalived/internal/config"
)

// ConfigScripts lists every script cfg configures, each as the Gate is
// asked about it: vrrp_scripts, the notify scripts of every instance and
// sync group, the notify FIFO scripts, startup_script and shutdown_script,
// and the checker scripts (KindChecker: not run yet). A test walks the
// config model and fails when a command-bearing field is missing here, so a
// new keyword cannot skip the Gate.
func ConfigScripts(cfg *config.Config) []Spec {
	var out []Spec
	add := func(kind ScriptKind, name string, s *config.Script) {
		if s != nil {
			out = append(out, Spec{Kind: kind, Name: name, Argv: s.Cmd, User: s.User, Group: s.Group})
		}
	}
	g := &cfg.Global
	add(KindStartup, "startup_script", g.StartupScript)
	add(KindShutdown, "shutdown_script", g.ShutdownScript)
	for _, f := range []struct {
		name string
		fifo *config.Fifo
	}{{"notify_fifo_script", g.NotifyFifo}, {"vrrp_notify_fifo_script", g.VRRPNotifyFifo}, {"lvs_notify_fifo_script", g.LVSNotifyFifo}} {
		if f.fifo != nil {
			add(KindFIFO, f.name, f.fifo.Script)
		}
	}
	for _, s := range cfg.Scripts {
		out = append(out, TrackSpec(s))
	}
	for _, ci := range cfg.Instances {
		out = append(out, NotifySpecs(ci.Name, &ci.Notifications)...)
		add(KindNotify, ci.Name+" notify_master_rx_lower_pri", ci.NotifyMasterRxLowerPri)
	}
	for _, sg := range cfg.SyncGroups {
		out = append(out, NotifySpecs(sg.Name, &sg.Notifications)...)
	}
	for _, vs := range cfg.VirtualServers {
		add(KindChecker, "virtual_server quorum_up", vs.QuorumUp)
		add(KindChecker, "virtual_server quorum_down", vs.QuorumDown)
		for _, rs := range append(append([]*config.RealServer(nil), vs.RealServers...), vs.Sorry) {
			if rs == nil {
				continue
			}
			add(KindChecker, "real_server notify_up", rs.NotifyUp)
			add(KindChecker, "real_server notify_down", rs.NotifyDown)
			for _, c := range rs.Checkers {
				add(KindChecker, "MISC_CHECK misc_path", c.Misc)
			}
		}
	}
	return out
}

// TrackSpec is the Gate's view of a vrrp_script.
func TrackSpec(s *config.VRRPScript) Spec {
	return Spec{Kind: KindTrack, Name: s.Name, Argv: s.Cmd, User: s.User, Group: s.Group}
}

// NotifySpecs lists the notify scripts of an instance or sync group named
// owner, in keepalived's order.
func NotifySpecs(owner string, n *config.Notifications) []Spec {
	var out []Spec
	for _, s := range []struct {
		kw string
		s  *config.Script
	}{{"notify_master", n.NotifyMaster}, {"notify_backup", n.NotifyBackup}, {"notify_fault", n.NotifyFault},
		{"notify_stop", n.NotifyStop}, {"notify_deleted", n.NotifyDeleted}, {"notify", n.Notify}} {
		if s.s != nil {
			out = append(out, Spec{Kind: KindNotify, Name: owner + " " + s.kw, Argv: s.s.Cmd, User: s.s.User, Group: s.s.Group})
		}
	}
	return out
}

// Finding is the Gate's verdict on one configured script.
type Finding struct {
	Spec    Spec
	Checked Checked  // valid when the script may run
	Refusal *Refusal // set when it may not
}

// Audit checks every script of cfg (ConfigScripts).
func (g *Gate) Audit(cfg *config.Config) []Finding {
	var out []Finding
	for _, s := range ConfigScripts(cfg) {
		c, err := g.Check(s)
		f := Finding{Spec: s, Checked: c}
		if r, ok := err.(*Refusal); ok {
			f.Refusal = r
		}
		out = append(out, f)
	}
	return out
}

// ConfigErrors returns the lines keepalived's config test prints about
// scripts, in its words, for the findings of an Audit: the global
// script_user error, then every refusal keepalived counts as a
// configuration error (a config test then exits 5).
func (g *Gate) ConfigErrors(findings []Finding) []string {
	var out []string
	if g.userErr != "" {
		out = append(out, g.userErr)
	}
	defaultSaid := g.userErr != ""
	for _, f := range findings {
		r := f.Refusal
		if r == nil || !r.ConfigError {
			continue
		}
		if f.Spec.User == "" && g.defErr != "" && !defaultSaid {
			out = append(out, g.defErr)
			defaultSaid = true
		}
		out = append(out, r.Msg)
	}
	return out
}

// SecurityViolation returns keepalived's start-up warning when scripts run
// while enable_script_security is off ("" when it is on, or when no
// configured program exists), with what to change.
func (g *Gate) SecurityViolation(findings []Finding) string {
	if g.sec.Enabled {
		return ""
	}
	found, insecure := false, false
	for _, f := range findings {
		switch {
		case f.Spec.Kind == KindChecker:
		case f.Refusal == nil:
			found = true
			insecure = insecure || f.Checked.Check().Insecure
		case !f.Refusal.NotFound:
			found = true
		}
	}
	if !found {
		return ""
	}
	msg := "SECURITY VIOLATION - scripts are being executed but script_security not enabled."
	if insecure {
		msg += " There are insecure scripts."
	}
	return msg + " Fix: add `enable_script_security` to global_defs and run scripts as an unprivileged user " +
		"(`script_user NAME`, `user NAME` in vrrp_script, or a user after a notify script); scripts that still run as root " +
		"must be owned by root and not writable by group or others, nor any directory on their path (chown root:root; chmod go-w)."
}

// ConfigTest judges cfg's scripts as the daemon's script gate will and as
// keepalived's config test does: it returns the exit code (config.ExitCode
// raised to 5 when a script is refused) and the lines keepalived prints
// (a missing or insecure vrrp_script, a script user that does not exist,
// ...). When an interface is missing keepalived stops before judging
// scripts, and so does this.
func ConfigTest(cfg *config.Config) (int, []string) {
	code := config.ExitCode(cfg)
	if cfg == nil || cfg.InterfaceMissing {
		return code, nil
	}
	g := &cfg.Global
	gate := NewGate(SecurityConfig{Enabled: g.EnableScriptSecurity, User: g.ScriptUser, Group: g.ScriptGroup})
	findings := gate.Audit(cfg)
	lines := gate.ConfigErrors(findings)
	if code == 6 && gate.defErr != "" && !slices.ContainsFunc(findings, func(f Finding) bool { return f.Spec.User != "" }) {
		// keepalived removes the scripts that cannot run as the default
		// user; with none left nothing breaks script security.
		code = 5
	}
	if len(lines) > 0 && code == 0 {
		code = 5
	}
	return code, lines
}
