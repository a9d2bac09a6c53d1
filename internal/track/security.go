package track

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// DefaultScriptUser is the user keepalived runs scripts as when script_user
// is not set and the user exists.
const DefaultScriptUser = "keepalived_script"

// SecurityConfig is the script-security part of global_defs.
type SecurityConfig struct {
	Enabled bool   // enable_script_security
	User    string // script_user; "" means DefaultScriptUser if it exists
	Group   string // script_user's optional group; "" means the user's group
}

// LookupUser resolves a user and optional group name to a Credential. A
// group starting with ':' (keepalived's syntax) is accepted without it.
func LookupUser(name, group string) (*Credential, error) {
	u, err := user.Lookup(name)
	if err != nil {
		return nil, fmt.Errorf("script user %q: %w", name, err)
	}
	uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
	gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
	if err := errors.Join(err1, err2); err != nil {
		return nil, fmt.Errorf("script user %q: %w", name, err)
	}
	if group = strings.TrimPrefix(group, ":"); group != "" {
		g, err := user.LookupGroup(group)
		if err != nil {
			return nil, fmt.Errorf("script group %q: %w", group, err)
		}
		if gid, err = strconv.ParseUint(g.Gid, 10, 32); err != nil {
			return nil, fmt.Errorf("script group %q: %w", group, err)
		}
	}
	return &Credential{UID: uint32(uid), GID: uint32(gid)}, nil
}

// DefaultCredential returns the credential for scripts that name no user.
// With script_user set, that user must exist (an error otherwise). Without
// it, keepalived_script is used when it exists; when it does not, scripts
// run as the daemon's user (nil) and warning says what to do about it.
func DefaultCredential(cfg SecurityConfig) (cred *Credential, warning string, err error) {
	if cfg.User != "" {
		cred, err = LookupUser(cfg.User, cfg.Group)
		return cred, "", err
	}
	cred, err = LookupUser(DefaultScriptUser, "")
	if err != nil {
		return nil, fmt.Sprintf("default script user %q does not exist, so scripts run as uid %d; "+
			"create it (useradd -r -M -s /usr/sbin/nologin %s) or set `script_user USER` in global_defs",
			DefaultScriptUser, os.Geteuid(), DefaultScriptUser), nil
	}
	return cred, "", nil
}

// ScriptCheck is the result of CheckScript for one script.
type ScriptCheck struct {
	Path          string // the program, after a PATH search for a bare name
	Searched      bool   // Path came from a PATH search (give a full path)
	NotFound      bool
	NotExecutable bool   // not executable by the user it runs as
	Insecure      bool   // runs as root but a non-root user can change it
	Reason        string // for NotFound / NotExecutable / Insecure: which path and why
	Inhibit       bool   // must not run (Insecure with script security enabled)
}

// Runnable reports whether the script may be run.
func (c ScriptCheck) Runnable() bool { return !c.NotFound && !c.NotExecutable && !c.Inhibit }

// CheckScript checks argv0 as keepalived's check_script_secure does: it
// finds the program (searching PATH for a bare name), checks it is
// executable by cred (nil: the daemon's user), and, when it would run with
// root's user or group (or is setuid/setgid root), that no component of its
// path, nor of the path it resolves to, is a non-root-owned entry or is
// writable by a non-root group or by everyone (a directory with the sticky
// bit, like /tmp, is fine). With enforce (enable_script_security) an
// insecure script is inhibited.
func CheckScript(argv0 string, cred *Credential, enforce bool) ScriptCheck {
	c := ScriptCheck{Path: argv0}
	if !strings.Contains(argv0, "/") {
		p, err := exec.LookPath(argv0)
		if err != nil {
			c.NotFound, c.Reason = true, fmt.Sprintf("%s not found in PATH", argv0)
			return c
		}
		c.Path, c.Searched = p, true
	}
	uid, gid := uint32(os.Geteuid()), uint32(os.Getegid())
	if cred != nil {
		uid, gid = cred.UID, cred.GID
	}
	real, err := filepath.EvalSymlinks(c.Path)
	var st syscall.Stat_t
	if err == nil {
		err = syscall.Stat(real, &st)
	}
	if err != nil {
		c.NotFound, c.Reason = true, fmt.Sprintf("%s: %v", c.Path, unwrapPathErr(err))
		return c
	}
	if st.Mode&syscall.S_IFMT != syscall.S_IFREG || !isExecutable(&st, uid, gid) {
		c.NotExecutable = true
		c.Reason = fmt.Sprintf("%s is not an executable file for uid:gid %d:%d", c.Path, uid, gid)
		return c
	}
	setRoot := (st.Uid == 0 && st.Mode&syscall.S_ISUID != 0) || (st.Gid == 0 && st.Mode&syscall.S_ISGID != 0)
	if uid != 0 && gid != 0 && !setRoot {
		return c
	}
	paths := []string{c.Path}
	if abs, _ := filepath.Abs(c.Path); real != abs {
		paths = append(paths, real)
	}
	for _, p := range paths {
		if why := unsafeComponent(p); why != "" {
			c.Insecure, c.Reason, c.Inhibit = true, why, enforce
			return c
		}
	}
	return c
}

func unwrapPathErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// isExecutable mirrors keepalived: root needs any x bit; the owner needs
// u+x; a group member g+x; anyone else o+x.
func isExecutable(st *syscall.Stat_t, uid, gid uint32) bool {
	m := st.Mode
	switch {
	case uid == 0:
		return m&0o111 != 0
	case uid == st.Uid:
		return m&0o100 != 0
	case gid == st.Gid:
		return m&0o010 != 0
	}
	return m&0o001 != 0
}

// unsafeComponent walks every prefix of the absolute path p, without
// following the last symlink of each, and says which one a non-root user
// could change, or "" when none.
func unsafeComponent(p string) string {
	abs, err := filepath.Abs(p)
	if err != nil {
		return fmt.Sprintf("%s: %v", p, err)
	}
	parts := strings.Split(strings.TrimPrefix(abs, "/"), "/")
	prefix := "/"
	for i := -1; i < len(parts); i++ {
		if i >= 0 {
			prefix = filepath.Join(prefix, parts[i])
		}
		last := i == len(parts)-1
		var st syscall.Stat_t
		if err := syscall.Lstat(prefix, &st); err != nil {
			return fmt.Sprintf("%s: %v", prefix, err)
		}
		typ := st.Mode & syscall.S_IFMT
		isDir := typ == syscall.S_IFDIR
		if (!last && !isDir) || (last && typ != syscall.S_IFREG && typ != syscall.S_IFLNK) {
			return fmt.Sprintf("%s has the wrong file type", prefix)
		}
		switch {
		case st.Uid != 0:
			return fmt.Sprintf("%s is owned by uid %d, not root", prefix, st.Uid)
		case (isDir && st.Mode&syscall.S_ISVTX != 0) || typ == syscall.S_IFLNK:
			// sticky directories (like /tmp) and symlinks themselves are fine
		case st.Gid != 0 && st.Mode&0o020 != 0:
			return fmt.Sprintf("%s is writable by group %d", prefix, st.Gid)
		case st.Mode&0o002 != 0:
			return fmt.Sprintf("%s is writable by everyone", prefix)
		}
	}
	return ""
}

// NamedCheck pairs a script's config name with its CheckScript result.
type NamedCheck struct {
	Name string // e.g. "vrrp_script chk_nginx" or "VI_1 notify_master"
	ScriptCheck
}

// SecurityMessage composes the one start-up message about script security:
// "" when there is nothing to say. It names every insecure, missing or
// non-executable script and says exactly what to change. userWarning is the
// warning from DefaultCredential, if any. insecure reports whether any
// script is insecure (keepalived's `-t` exits 5 when that happens without
// enable_script_security).
func SecurityMessage(cfg SecurityConfig, checks []NamedCheck, userWarning string) (msg string, insecure bool) {
	var b strings.Builder
	var bad []NamedCheck
	for _, c := range checks {
		if c.Insecure {
			bad = append(bad, c)
		}
	}
	if len(bad) > 0 {
		insecure = true
		if cfg.Enabled {
			fmt.Fprintf(&b, "script security: %d script(s) disabled because a non-root user could change what runs as root:", len(bad))
		} else {
			fmt.Fprintf(&b, "SECURITY VIOLATION - scripts are being executed but script_security not enabled; %d script(s) run as root from paths a non-root user can change:", len(bad))
		}
		for _, c := range bad {
			fmt.Fprintf(&b, " %s (%s: %s);", c.Name, c.Path, c.Reason)
		}
		b.WriteString(" fix: make every directory on the path and the script owned by root and not writable by group or others " +
			"(chown root:root FILE; chmod go-w FILE DIR), or run the script as an unprivileged user (`user NAME` in vrrp_script, " +
			"a user after a notify script, or `script_user NAME` in global_defs)")
		if !cfg.Enabled {
			b.WriteString(", then add `enable_script_security` to global_defs")
		}
		b.WriteString(".")
	}
	for _, c := range checks {
		switch {
		case c.NotFound || c.NotExecutable:
			sep(&b)
			fmt.Fprintf(&b, "%s cannot run and counts as failing: %s.", c.Name, c.Reason)
		case c.Searched:
			sep(&b)
			fmt.Fprintf(&b, "%s was found by a PATH search at %s; write the full path in the configuration.", c.Name, c.Path)
		}
	}
	if userWarning != "" {
		sep(&b)
		b.WriteString(userWarning + ".")
	}
	return b.String(), insecure
}

func sep(b *strings.Builder) {
	if b.Len() > 0 {
		b.WriteString(" ")
	}
}
