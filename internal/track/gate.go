package track

import (
	"fmt"
	"os"
	"slices"
	"strings"
)

// ScriptKind says what a configured script is for. The zero value is
// invalid.
type ScriptKind uint8

// Kinds of script. Every keyword that names a command maps to one.
const (
	KindTrack    ScriptKind = iota + 1 // vrrp_script
	KindNotify                         // notify, notify_* of an instance or sync group
	KindFIFO                           // notify_fifo_script, vrrp_notify_fifo_script, lvs_notify_fifo_script
	KindStartup                        // startup_script
	KindShutdown                       // shutdown_script
	// KindChecker is a checker-process script (MISC_CHECK misc_path,
	// notify_up/notify_down, quorum_up/quorum_down). The daemon does not
	// run checkers yet; when it does, they go through the same Gate.
	KindChecker
)

var kindNames = [...]string{KindTrack: "vrrp", KindNotify: "notify", KindFIFO: "notify fifo",
	KindStartup: "startup", KindShutdown: "shutdown", KindChecker: "checker"}

// String returns the word keepalived uses for the kind in its messages.
func (k ScriptKind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return fmt.Sprintf("ScriptKind(%d)", uint8(k))
}

// Spec is one configured script as the Gate sees it.
type Spec struct {
	Kind  ScriptKind
	Name  string   // vrrp_script name, or where it is configured ("VI_1 notify_master")
	Argv  []string // the command split into words
	User  string   // "" means the default script user
	Group string
}

// Checked is a script that passed the Gate: the program to execute, the
// arguments it gets and the user it runs as. Its fields are unexported so
// that only the Gate makes one; Exec runs nothing else, so no path can
// start a script that skipped the check.
type Checked struct {
	path  string
	argv  []string
	cred  *Credential
	fake  bool
	check ScriptCheck
}

// Path returns the file that is executed.
func (c Checked) Path() string { return c.path }

// Argv returns the arguments, argv[0] included.
func (c Checked) Argv() []string { return slices.Clone(c.argv) }

// Cred returns the user the script runs as (nil: the daemon's own).
func (c Checked) Cred() *Credential { return c.cred }

// Check returns what the Gate found (e.g. Insecure while script security
// is off, or Searched).
func (c Checked) Check() ScriptCheck { return c.check }

// Valid reports whether c came from a Gate (the zero Checked does not).
func (c Checked) Valid() bool { return c.path != "" }

// With returns c with extra arguments appended (the generic notify's four,
// a FIFO script's path).
func (c Checked) With(extra ...string) Checked {
	c.argv = append(slices.Clip(c.argv), extra...)
	return c
}

// String returns the command line.
func (c Checked) String() string { return strings.Join(c.argv, " ") }

// Fake returns a Checked for tests that hand it to a fake Execer. Exec
// refuses to run it.
func Fake(argv ...string) Checked {
	return Checked{path: argv[0], argv: argv, fake: true}
}

// Refusal is why the Gate will not run a script, in keepalived's words.
type Refusal struct {
	Spec Spec
	// Msg is keepalived's message about the script ("Disabling track
	// script chk since not found/accessible").
	Msg string
	// Reason is the finding behind it ("Cannot find script chk.sh in path -
	// disabling"), "" when Msg says it all.
	Reason string
	// Detail names the path component and what is wrong with it.
	Detail string
	// ConfigError: keepalived reports this as a configuration error, so a
	// config test (-t) exits 5.
	ConfigError bool
	// NotFound: the program does not exist (keepalived's SC_NOTFOUND).
	NotFound bool
}

func (r *Refusal) Error() string {
	s := r.Msg
	if r.Reason != "" && r.Reason != r.Msg {
		s += ": " + r.Reason
	}
	if r.Detail != "" {
		s += " (" + r.Detail + ")"
	}
	return s
}

// Gate decides, for every script of a configuration, whether and how it
// runs: it resolves the user (a user that does not exist refuses the
// script, never falls back to root), finds the program (PATH search,
// symbolic links resolved) and judges its path with CheckScript.
type Gate struct {
	sec SecurityConfig
	def *Credential // scripts naming no user; nil: the daemon's own user
	// defErr, when set, refuses every script that names no user: script_user
	// names a missing user, or script security is on and neither script_user
	// nor keepalived_script exists.
	defErr string
	// userErr is the configuration error for script_user itself.
	userErr string
	// warning says scripts run as root because keepalived_script is missing.
	warning string
}

// NewGate resolves the default script user of sec as keepalived does:
// script_user when set (a missing user refuses every script that names no
// user), else keepalived_script when it exists, else the daemon's own
// user, which with enable_script_security refuses those scripts too.
func NewGate(sec SecurityConfig) *Gate {
	g := &Gate{sec: sec}
	if sec.User != "" {
		cred, err := LookupUser(sec.User, sec.Group)
		if err != nil {
			g.userErr = "Error setting global script uid/gid: " + err.Error()
			g.defErr = g.userErr
			return g
		}
		g.def = cred
		return g
	}
	cred, err := LookupUser(DefaultScriptUser, "")
	switch {
	case err == nil:
		g.def = cred
	case sec.Enabled:
		g.defErr = fmt.Sprintf("Unable to set default user %s for script", DefaultScriptUser)
	default:
		g.warning = fmt.Sprintf("default script user %q does not exist, so scripts run as uid %d; "+
			"create it (useradd -r -M -s /usr/sbin/nologin %s) or set `script_user USER` in global_defs",
			DefaultScriptUser, os.Geteuid(), DefaultScriptUser)
	}
	return g
}

// Security returns the configuration the Gate enforces.
func (g *Gate) Security() SecurityConfig { return g.sec }

// DefaultCred returns the user for scripts and FIFOs that name none, or
// keepalived's reason why there is none.
func (g *Gate) DefaultCred() (*Credential, error) {
	if g.defErr != "" {
		return nil, fmt.Errorf("%s", g.defErr)
	}
	return g.def, nil
}

// Cred resolves user and group ("" user: the default script user).
func (g *Gate) Cred(user, group string) (*Credential, error) {
	if user == "" {
		return g.DefaultCred()
	}
	return LookupUser(user, group)
}

// Warning returns the start-up warning about the default user, if any.
func (g *Gate) Warning() string { return g.warning }

// Check resolves s to a Checked, or says why it must not run.
func (g *Gate) Check(s Spec) (Checked, error) {
	if len(s.Argv) == 0 || s.Argv[0] == "" {
		return Checked{}, &Refusal{Spec: s, Msg: fmt.Sprintf("No script set for %s %s - removing", s.Kind, s.Name), ConfigError: true}
	}
	cred, err := g.Cred(s.User, s.Group)
	if err != nil {
		return Checked{}, g.userRefusal(s, err)
	}
	if isRedirection(s.Argv[0]) {
		// keepalived hands `</dev/tcp/host/port`-style checks to the shell
		// unchecked: nothing is executed but the shell itself.
		return Checked{path: "/bin/sh", argv: []string{"/bin/sh", "-c", shellLine(s.Argv)}, cred: cred}, nil
	}
	chk := CheckScript(s.Argv[0], cred, g.sec.Enabled)
	if !chk.Runnable() {
		return Checked{}, scriptRefusal(s, chk)
	}
	argv := append([]string{chk.Path}, s.Argv[1:]...)
	return Checked{path: chk.Path, argv: argv, cred: cred, check: chk}, nil
}

func (g *Gate) userRefusal(s Spec, err error) *Refusal {
	r := &Refusal{Spec: s, Reason: err.Error()}
	switch {
	case s.Kind == KindStartup || s.Kind == KindShutdown:
		r.Msg, r.ConfigError = fmt.Sprintf("Invalid %s script", s.Kind), true
	case s.User != "" && s.Kind == KindTrack:
		r.Msg, r.ConfigError = fmt.Sprintf("Unable to set uid/gid for script %s", shellLine(s.Argv)), true
	case s.User != "":
		r.Msg = fmt.Sprintf("Invalid user/group for %s script %s - ignoring", s.Kind, s.Argv[0])
	case s.Kind == KindTrack:
		r.Msg, r.ConfigError = fmt.Sprintf("Unable to set default user for vrrp script %s - removing", s.Name), true
	default:
		r.Msg = fmt.Sprintf("Failed to set default user for %s script %s - ignoring", s.Kind, s.Argv[0])
	}
	return r
}

func scriptRefusal(s Spec, chk ScriptCheck) *Refusal {
	r := &Refusal{Spec: s, Msg: chk.Reason, Detail: chk.Detail, NotFound: chk.NotFound}
	if s.Kind != KindTrack {
		return r
	}
	r.Reason = chk.Reason
	switch {
	case chk.NotFound:
		r.Msg, r.ConfigError = fmt.Sprintf("Disabling track script %s since not found/accessible", s.Name), true
	case chk.Inhibit:
		r.Msg, r.ConfigError = fmt.Sprintf("Disabling track script %s due to insecure", s.Name), true
	default: // not executable: keepalived drops it with only the log line
		r.Msg = fmt.Sprintf("Disabling track script %s since not executable", s.Name)
	}
	return r
}

// isRedirection reports keepalived's special case of a command starting
// with '<' and then (after blanks) '/': a shell redirection testing that a
// file can be opened.
func isRedirection(argv0 string) bool {
	return strings.HasPrefix(argv0, "<") && strings.HasPrefix(strings.TrimLeft(argv0[1:], " \t"), "/")
}

// shellLine quotes argv for a shell as keepalived's cmd_str does: every
// word in single quotes, except a first word that is a redirection.
func shellLine(argv []string) string {
	var b strings.Builder
	for i, w := range argv {
		if i > 0 {
			b.WriteByte(' ')
		}
		if i == 0 && (strings.HasPrefix(w, "<") || strings.HasPrefix(w, ">")) {
			b.WriteString(w)
			continue
		}
		b.WriteString("'" + w + "'")
	}
	return b.String()
}
