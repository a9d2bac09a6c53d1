package track

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// DefaultScriptUser is the user keepalived runs scripts as when script_user
// is not set and the user exists.
const DefaultScriptUser = "keepalived_script"

// defaultSearchPath is used for a bare script name when PATH is unset, as
// glibc's confstr(_CS_PATH) gives it.
const defaultSearchPath = "/bin:/usr/bin"

// SecurityConfig is the script-security part of global_defs.
type SecurityConfig struct {
	Enabled bool   // enable_script_security
	User    string // script_user; "" means DefaultScriptUser if it exists
	Group   string // script_user's optional group; "" means the user's group
}

// LookupUser resolves a user and optional group name to a Credential. A
// group starting with ':' (keepalived's syntax) is accepted without it. The
// error names the missing user or group in keepalived's words ("Script
// user 'x' does not exist").
func LookupUser(name, group string) (*Credential, error) {
	u, err := user.Lookup(name)
	if err != nil {
		var unknown user.UnknownUserError
		if errors.As(err, &unknown) {
			return nil, fmt.Errorf("Script user '%s' does not exist", name)
		}
		return nil, fmt.Errorf("Unable to resolve script username '%s': %w", name, err)
	}
	uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
	gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
	if err := errors.Join(err1, err2); err != nil {
		return nil, fmt.Errorf("script user %q: %w", name, err)
	}
	if group = strings.TrimPrefix(group, ":"); group != "" {
		g, err := user.LookupGroup(group)
		if err != nil {
			var unknown user.UnknownGroupError
			if errors.As(err, &unknown) {
				return nil, fmt.Errorf("Script group '%s' does not exist", group)
			}
			return nil, fmt.Errorf("Unable to resolve script group name '%s': %w", group, err)
		}
		if gid, err = strconv.ParseUint(g.Gid, 10, 32); err != nil {
			return nil, fmt.Errorf("script group %q: %w", group, err)
		}
	}
	return &Credential{UID: uint32(uid), GID: uint32(gid)}, nil
}

// ScriptCheck is the result of CheckScript for one script.
type ScriptCheck struct {
	// Path is the file to execute: the path found by a PATH search for a
	// bare name, with symbolic links resolved; where only the file name
	// itself was a link to a file of another name, the resolved directory
	// with the name as written (some programs act on their name). keepalived
	// passes this same path as argv[0].
	Path          string
	Searched      bool // Path came from a PATH search (give a full path)
	NotFound      bool
	NotExecutable bool // not executable by the user it runs as
	// Insecure: it runs as root (or is set-uid/gid root) and a non-root user
	// can change it or a directory on its resolved path.
	Insecure bool
	// Inhibit: it must not run: Insecure with script security enabled, or
	// a path component of the wrong type (whatever the setting).
	Inhibit bool
	Reason  string // keepalived's log line for the finding, "" when none
	Detail  string // which path component and why, for an Insecure or Inhibit finding
}

// Runnable reports whether the script may be run.
func (c ScriptCheck) Runnable() bool { return !c.NotFound && !c.NotExecutable && !c.Inhibit }

// CheckScript judges argv0 as keepalived's check_script_secure does:
//
//   - a bare name is searched in PATH for a regular file cred can execute;
//   - the path is made absolute and its symbolic links resolved (realpath);
//     that resolved path is what is checked and run, so /bin/true on a
//     merged-/usr system is judged as /usr/bin/true;
//   - the file must be executable by cred (nil: the daemon's own user);
//   - when it runs with root's user or group, or is set-uid/gid root, every
//     component of the resolved path (and of the path run, when it differs)
//     must be root-owned and not writable by a non-root group or by
//     everyone (a directory with the sticky bit, like /tmp, is fine).
//
// With enforce (enable_script_security) an insecure script is inhibited;
// without it the finding is only reported.
func CheckScript(argv0 string, cred *Credential, enforce bool) ScriptCheck {
	uid, gid := uint32(os.Geteuid()), uint32(os.Getegid())
	if cred != nil {
		uid, gid = cred.UID, cred.GID
	}
	c := ScriptCheck{Path: argv0}
	if !strings.Contains(argv0, "/") {
		p, denied := searchPath(argv0, os.Getenv("PATH"), uid, gid)
		switch {
		case p == "" && denied:
			c.NotFound, c.Reason = true, fmt.Sprintf("Permissions failure for script %s in path - disabling", argv0)
			return c
		case p == "":
			c.NotFound, c.Reason = true, fmt.Sprintf("Cannot find script %s in path - disabling", argv0)
			return c
		}
		c.Path, c.Searched = p, true
	}
	run, real, err := resolve(c.Path)
	if err != nil {
		c.NotFound, c.Reason = true, fmt.Sprintf("Script %s cannot be accessed - %v", c.Path, unwrapPathErr(err))
		return c
	}
	c.Path = run
	if dir := unsearchable(filepath.Dir(real), uid, gid); dir != "" {
		// keepalived resolves the path as the script's user, so a
		// directory that user cannot search hides the script.
		c.NotFound, c.Reason = true, fmt.Sprintf("Script %s cannot be accessed - %v", c.Path, syscall.EACCES)
		c.Detail = fmt.Sprintf("uid:gid %d:%d cannot search %s", uid, gid, dir)
		return c
	}
	var st syscall.Stat_t
	if err := syscall.Stat(real, &st); err != nil {
		c.NotFound, c.Reason = true, fmt.Sprintf("Unable to access script `%s` - disabling", c.Path)
		return c
	}
	if st.Mode&syscall.S_IFMT != syscall.S_IFREG || !isExecutable(&st, uid, gid) {
		c.NotExecutable = true
		c.Reason = fmt.Sprintf("WARNING - script '%s' is not executable for uid:gid %d:%d - disabling.", c.Path, uid, gid)
		return c
	}
	setRoot := (st.Uid == 0 && st.Mode&syscall.S_IXUSR != 0 && st.Mode&syscall.S_ISUID != 0) ||
		(st.Gid == 0 && st.Mode&syscall.S_IXGRP != 0 && st.Mode&syscall.S_ISGID != 0)
	if uid != 0 && gid != 0 && !setRoot {
		return c
	}
	paths := []string{run}
	if real != run {
		paths = append(paths, real)
	}
	for _, p := range paths {
		if f := judgePath(p, enforce); f.NotFound || f.Insecure || f.Inhibit {
			c.NotFound, c.Insecure, c.Inhibit, c.Reason, c.Detail = f.NotFound, f.Insecure, f.Inhibit, f.Reason, f.Detail
			return c
		}
	}
	return c
}

// searchPath finds a bare name in the colon-separated dirs as glibc's
// execvp does (an empty entry is the current directory), accepting only a
// regular file uid:gid may execute. denied says something was found but
// not executable.
func searchPath(name, dirs string, uid, gid uint32) (found string, denied bool) {
	if dirs == "" {
		dirs = defaultSearchPath
	}
	for _, dir := range strings.Split(dirs, ":") {
		p := name
		if dir != "" {
			p = dir + "/" + name
		}
		var st syscall.Stat_t
		if syscall.Stat(p, &st) != nil {
			continue
		}
		if st.Mode&syscall.S_IFMT == syscall.S_IFREG && isExecutable(&st, uid, gid) {
			return p, false
		}
		denied = true
	}
	return "", denied
}

// resolve is keepalived's use of realpath(3): real is p absolute with every
// symbolic link resolved; run is the path to execute, which is real except
// that when the final link changes the file name, the name as written is
// kept in real's directory if it names the same file there.
func resolve(p string) (run, real string, err error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", "", err
	}
	if real, err = filepath.EvalSymlinks(abs); err != nil {
		return "", "", err
	}
	if filepath.Base(real) == filepath.Base(p) {
		return real, real, nil
	}
	named := filepath.Join(filepath.Dir(real), filepath.Base(p))
	a, errA := os.Stat(real)
	b, errB := os.Stat(named)
	if errA != nil || errB != nil || !os.SameFile(a, b) {
		return real, real, nil
	}
	return named, real, nil
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

// unsearchable returns the first directory from / down to dir that
// uid:gid may not search (x permission; root may search anything), or "".
func unsearchable(dir string, uid, gid uint32) string {
	if uid == 0 {
		return ""
	}
	p := "/"
	for _, part := range append([]string{""}, strings.Split(strings.TrimPrefix(dir, "/"), "/")...) {
		p = filepath.Join(p, part)
		var st syscall.Stat_t
		if syscall.Stat(p, &st) != nil || !isExecutable(&st, uid, gid) {
			return p
		}
	}
	return ""
}

// pathFinding is judgePath's verdict on one path.
type pathFinding struct {
	NotFound, Insecure, Inhibit bool
	Reason, Detail              string
}

// judgePath walks every prefix of the absolute path p ("/", "/usr",
// "/usr/bin", "/usr/bin/true") without following links, as keepalived's
// check_security does: each but the last must be a directory and the last
// a regular file or a link (else the script is refused whatever enforce
// says); none may be owned by a non-root user, and no directory without
// the sticky bit, nor the file, may be writable by a non-root group or by
// everyone. A prefix that cannot be read is treated as not found.
func judgePath(p string, enforce bool) pathFinding {
	parts := strings.Split(strings.TrimPrefix(p, "/"), "/")
	prefix := "/"
	for i := -1; i < len(parts); i++ {
		if i >= 0 {
			prefix = filepath.Join(prefix, parts[i])
		}
		last := i == len(parts)-1
		var st syscall.Stat_t
		if err := syscall.Lstat(prefix, &st); err != nil {
			return pathFinding{NotFound: true, Reason: fmt.Sprintf("check_script_secure could not find script '%s' - disabling", p),
				Detail: fmt.Sprintf("%s: %v", prefix, err)}
		}
		typ := st.Mode & syscall.S_IFMT
		isDir, isReg := typ == syscall.S_IFDIR, typ == syscall.S_IFREG
		if (!last && !isDir) || (last && !isReg && typ != syscall.S_IFLNK) {
			return pathFinding{Inhibit: true, Reason: fmt.Sprintf("Wrong file type found in script path '%s'.", p),
				Detail: fmt.Sprintf("%s is not a %s", prefix, map[bool]string{true: "regular file", false: "directory"}[last])}
		}
		var why string
		writable := (isDir && st.Mode&syscall.S_ISVTX == 0) || isReg
		switch {
		case st.Uid != 0:
			why = fmt.Sprintf("%s is owned by uid %d, not root", prefix, st.Uid)
		case writable && st.Gid != 0 && st.Mode&0o020 != 0:
			why = fmt.Sprintf("%s is writable by group %d", prefix, st.Gid)
		case writable && st.Mode&0o002 != 0:
			why = fmt.Sprintf("%s is writable by everyone", prefix)
		}
		if why != "" {
			suffix := ""
			if enforce {
				suffix = " - disabling"
			}
			return pathFinding{Insecure: true, Inhibit: enforce,
				Reason: fmt.Sprintf("Unsafe permissions found for script '%s'%s.", p, suffix), Detail: why}
		}
	}
	return pathFinding{}
}
