package config

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
)

// Load reads the configuration file at path (with its includes,
// conditionals and parameters, see ParseFile) and returns the typed,
// validated model with every diagnostic found. The Config is nil only when
// nothing could be read; otherwise it is what keepalived would run, with
// the offending items dropped or defaulted as keepalived does. It is also
// nil when reading stopped at a budget (see Options): what was read is
// not the configuration.
func Load(path string, opts Options) (*Config, []Diagnostic) {
	return load(parseFile(path, opts), opts)
}

// LoadBytes is Load for configuration text held in memory; name is used in
// positions and to resolve relative includes.
func LoadBytes(name string, src []byte, opts Options) (*Config, []Diagnostic) {
	return load(parseBytes(name, src, opts), opts)
}

// LoadNodes builds the model from an already parsed tree.
func LoadNodes(nodes []*Node) (*Config, []Diagnostic) {
	return load(parsed{nodes: nodes}, Options{})
}

// HasErrors reports whether any diagnostic is an error.
func HasErrors(diags []Diagnostic) bool {
	for _, d := range diags {
		if d.Severity == SeverityError {
			return true
		}
	}
	return false
}

// Refuses reports whether the daemon must refuse to start (or a reload
// must keep the old configuration) because of diags: exactly when one of
// them is Fatal, that is where keepalived 2.2.7 refuses to start. Every
// other diagnostic, error or warning, describes a configuration that runs
// with keepalived's fallback applied (the daemon logs it). A nil cfg
// (nothing could be read) also refuses.
func Refuses(cfg *Config, diags []Diagnostic) bool {
	if cfg == nil {
		return true
	}
	for _, d := range diags {
		if d.Fatal {
			return true
		}
	}
	return false
}

// ExitCode is the exit status of a config test (-t), as keepalived 2.2's
// binary returns it: 0 nothing to report, 4 the configuration cannot be
// read (keepalived also gives 4 for its CONFIG_FATAL and CONFIG_BAD_IF,
// which none of the checks it shares with us raises),
// 5 problems were reported but keepalived would run, 6 scripts are
// configured without enable_script_security, 2 keepalived stopped reading
// at a keyword that lacks the parameter its handler reads (it exits at
// once, even under -t). (keepalived(8) documents
// 3/4/5 for the last three; the program's own enum, and the Debian 2.2.7
// package, return 4/5/6, and scripts test the program.) A nil cfg means
// nothing could be read.
func ExitCode(cfg *Config) int {
	if cfg == nil {
		return 4
	}
	switch cfg.Verdict {
	case VerdictOK:
		return 0
	case VerdictReported:
		return 5
	case VerdictSecurity:
		return 6
	case VerdictStopped:
		return 2
	}
	return 4
}

// topKeywords is the table of top-level blocks.
var topKeywords = table[*loader]{
	"global_defs":              func(l *loader, n *Node, _ *loader) { l.loadGlobal(n) },
	"vrrp_script":              func(l *loader, n *Node, _ *loader) { l.loadScript(n) },
	"vrrp_instance":            func(l *loader, n *Node, _ *loader) { l.loadInstance(n) },
	"vrrp_sync_group":          func(l *loader, n *Node, _ *loader) { l.loadSyncGroup(n) },
	"track_file":               func(l *loader, n *Node, _ *loader) { l.loadTrackFile(n) },
	"vrrp_track_file":          func(l *loader, n *Node, _ *loader) { l.loadTrackFile(n) },
	"vrrp_track_process":       func(l *loader, n *Node, _ *loader) { l.loadTrackProcess(n) },
	"track_group":              func(l *loader, n *Node, _ *loader) { l.loadTrackGroup(n) },
	"static_ipaddress":         func(l *loader, n *Node, _ *loader) { l.loadStatic(n) },
	"static_routes":            func(l *loader, n *Node, _ *loader) { l.loadStatic(n) },
	"static_rules":             func(l *loader, n *Node, _ *loader) { l.loadStatic(n) },
	"garp_group":               func(l *loader, n *Node, _ *loader) { l.loadGarpGroup(n) },
	"linkbeat_interfaces":      func(l *loader, n *Node, _ *loader) { l.loadLinkbeat(n) },
	"interface_up_down_delays": func(l *loader, n *Node, _ *loader) { l.loadUpDownDelays(n) },
	"virtual_server":           func(l *loader, n *Node, _ *loader) { l.loadVirtualServer(n) },
	"virtual_server_group":     func(l *loader, n *Node, _ *loader) { l.loadVSGroup(n) },
	"bfd_instance":             func(l *loader, n *Node, _ *loader) { l.loadBFD(n) },
	"SSL":                      func(l *loader, n *Node, _ *loader) { l.loadSSL(n) },
	"anycast_group":            func(l *loader, n *Node, _ *loader) { l.loadAnycastGroup(n) },
	// keepalived also takes these global keywords outside global_defs.
	"net_namespace":         func(l *loader, n *Node, _ *loader) { l.cfg.Global.NetNamespace = l.stringArg(n, 0) },
	"instance":              func(l *loader, n *Node, _ *loader) { l.cfg.Global.Instance = l.stringArg(n, 0) },
	"linkbeat_use_polling":  func(l *loader, n *Node, _ *loader) { l.noEffect(n) },
	"net_namespace_ipvs":    func(l *loader, n *Node, _ *loader) { l.noEffect(n) },
	"namespace_with_ipsets": func(l *loader, n *Node, _ *loader) { l.noEffect(n) },
	"use_pid_dir":           func(l *loader, n *Node, _ *loader) { l.noEffect(n) },
	"child_wait_time":       func(l *loader, n *Node, _ *loader) { l.noEffect(n) },
}

// load builds and validates the model; syntax diagnostics come first.
func load(syn parsed, opts Options) (*Config, []Diagnostic) {
	nodes := syn.nodes
	if syn.halted || len(nodes) == 0 && (HasErrors(syn.diags) || syn.cap.moreErrors > 0) {
		return nil, syn.cap.finish(syn.diags)
	}
	l := &loader{cfg: &Config{Global: newGlobalDefs()}, global: map[string]bool{}, byName: map[string]*Instance{}}
	l.diags, l.cap = syn.diags, syn.cap
	if l.names = opts.Names; l.names == nil {
		l.names = &FileNames{}
	}
	ifExists := opts.InterfaceExists
	if slices.ContainsFunc(syn.diags, func(d Diagnostic) bool { return !d.Quiet }) {
		l.reported = true
	}
	nodes = l.checkNames(nodes) // names.go
	for _, n := range nodes {
		if n.Keyword.Text == "global_defs" {
			for _, c := range n.Children {
				l.global[c.Keyword.Text] = true
			}
		}
	}
	missing := l.checkInterfaces(nodes, ifExists) // ifcheck.go
	l.dropRepeatedNotify(nodes)                   // instance_checks.go
	dispatch(l, nodes, topKeywords, l, "the configuration")
	// keepalived checks virtual servers even when it stops at a missing
	// interface.
	l.completeLVS()         // lvs_types.go
	l.checkVirtualServers() // lvs_check.go
	parsed := len(l.diags)
	l.complete()
	l.checkTrackGroups() // track_group.go
	l.checkBGP()         // bgp.go
	l.checkInstances()   // instance_checks.go
	security := l.checkScriptSecurity()
	if missing {
		// keepalived stops at a missing interface before it validates
		// instances or scripts: those reports never come.
		l.diags, security = l.diags[:parsed], false
		l.cfg.InterfaceMissing = true
	}
	switch {
	case l.stopped || syn.stopped:
		l.cfg.Verdict = VerdictStopped
	case security:
		l.cfg.Verdict = VerdictSecurity
	case l.reported:
		l.cfg.Verdict = VerdictReported
	default:
		l.cfg.Verdict = VerdictOK
	}
	return l.cfg, l.cap.finish(l.diags)
}

// checkScriptSecurity reports, as keepalived does, scripts that would run
// while enable_script_security is off. Like keepalived it only counts
// scripts whose program exists on this host.
func (l *loader) checkScriptSecurity() bool {
	if l.cfg.Global.EnableScriptSecurity {
		return false
	}
	for _, s := range l.scripts {
		if len(l.builds) == 0 && slices.Contains(l.vrrpScripts, s) {
			continue // no vrrp_instance: keepalived's VRRP side judges no script
		}
		if len(s.Cmd) == 0 || !programExists(s.Cmd[0]) {
			continue
		}
		l.cap.add(&l.diags, Diagnostic{
			Pos: s.Pos, Severity: SeverityWarning,
			Msg:  "SECURITY VIOLATION - scripts are being executed but script_security not enabled",
			Hint: "add `enable_script_security` (and `script_user USER`) to global_defs",
		})
		return true
	}
	return false
}

// programExists says whether a script's program can be found.
func programExists(p string) bool {
	if filepath.IsAbs(p) {
		fi, err := os.Stat(p)
		return err == nil && !fi.IsDir()
	}
	_, err := exec.LookPath(p)
	return err == nil
}
