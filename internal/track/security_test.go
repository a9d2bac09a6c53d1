package track

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCheckScript(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("the ownership cases need root to chown files")
	}
	type res struct {
		NotFound, NotExecutable, Insecure, Inhibit bool
		Reason                                     string // substring
	}
	nobody := &Credential{UID: 65534, GID: 65534}
	tests := []struct {
		name    string
		setup   func(dir string) string // returns argv0
		cred    *Credential
		enforce bool
		want    res
	}{
		{"root-owned 0755 is fine", func(d string) string { return mk(t, d, "s", 0o755) }, nil, true, res{}},
		{"missing", func(d string) string { return filepath.Join(d, "nope") }, nil, true, res{NotFound: true, Reason: "no such file"}},
		{"not executable", func(d string) string { return mk(t, d, "s", 0o644) }, nil, true, res{NotExecutable: true, Reason: "not an executable"}},
		{"world-writable file inhibited", func(d string) string { return mk(t, d, "s", 0o757) }, nil, true,
			res{Insecure: true, Inhibit: true, Reason: "writable by everyone"}},
		{"world-writable file only warned without enforce", func(d string) string { return mk(t, d, "s", 0o757) }, nil, false,
			res{Insecure: true, Reason: "writable by everyone"}},
		{"file owned by non-root", func(d string) string {
			p := mk(t, d, "s", 0o755)
			chown(t, p, 65534, 0)
			return p
		}, nil, true, res{Insecure: true, Inhibit: true, Reason: "owned by uid 65534"}},
		{"group-writable with non-root group", func(d string) string {
			p := mk(t, d, "s", 0o775)
			chown(t, p, 0, 100)
			return p
		}, nil, true, res{Insecure: true, Inhibit: true, Reason: "writable by group 100"}},
		{"group-writable with root group is fine", func(d string) string { return mk(t, d, "s", 0o775) }, nil, true, res{}},
		{"world-writable directory without sticky bit", func(d string) string {
			sub := filepath.Join(d, "sub")
			mkdir(t, sub, 0o777)
			return mk(t, sub, "s", 0o755)
		}, nil, true, res{Insecure: true, Inhibit: true, Reason: "sub is writable by everyone"}},
		{"sticky world-writable directory is fine", func(d string) string {
			sub := filepath.Join(d, "sub")
			mkdir(t, sub, os.ModeSticky|0o777)
			return mk(t, sub, "s", 0o755)
		}, nil, true, res{}},
		{"symlink to an insecure target", func(d string) string {
			sub := filepath.Join(d, "sub")
			mkdir(t, sub, 0o777)
			target := mk(t, sub, "s", 0o755)
			link := filepath.Join(d, "link")
			if err := os.Symlink(target, link); err != nil {
				t.Fatal(err)
			}
			return link
		}, nil, true, res{Insecure: true, Inhibit: true, Reason: "sub is writable by everyone"}},
		{"insecure path is fine for an unprivileged user", func(d string) string {
			sub := filepath.Join(d, "sub")
			mkdir(t, sub, 0o777)
			return mk(t, sub, "s", 0o755)
		}, nobody, true, res{}},
		{"not executable for that user", func(d string) string { return mk(t, d, "s", 0o744) }, nobody, true,
			res{NotExecutable: true, Reason: "uid:gid 65534:65534"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.Chmod(dir, 0o755); err != nil { // so nobody can reach it
				t.Fatal(err)
			}
			c := CheckScript(tt.setup(dir), tt.cred, tt.enforce)
			got := res{c.NotFound, c.NotExecutable, c.Insecure, c.Inhibit, ""}
			if strings.Contains(c.Reason, tt.want.Reason) {
				got.Reason = tt.want.Reason
			} else {
				got.Reason = c.Reason
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if c.Runnable() == (tt.want.NotFound || tt.want.NotExecutable || tt.want.Inhibit) {
				t.Errorf("Runnable() = %v for %+v", c.Runnable(), c)
			}
		})
	}
}

func TestCheckScriptPathSearch(t *testing.T) {
	c := CheckScript("sh", nil, false)
	if !c.Searched || !filepath.IsAbs(c.Path) || c.NotFound {
		t.Errorf("bare name: %+v, want a PATH search result", c)
	}
	if c := CheckScript("gk-surely-not-in-path", nil, false); !c.NotFound {
		t.Errorf("missing bare name: %+v, want NotFound", c)
	}
}

func TestSecurityMessage(t *testing.T) {
	checks := []NamedCheck{
		{"vrrp_script chk", ScriptCheck{Path: "/opt/chk", Insecure: true, Reason: "/opt is writable by everyone"}},
		{"VI_1 notify_master", ScriptCheck{Path: "/x", NotFound: true, Reason: "/x: no such file or directory"}},
	}
	tests := []struct {
		name    string
		enabled bool
		want    string
	}{
		{"not enabled", false, "SECURITY VIOLATION - scripts are being executed but script_security not enabled; 1 script(s) run as root from paths a non-root user can change: vrrp_script chk (/opt/chk: /opt is writable by everyone); fix: make every directory on the path and the script owned by root and not writable by group or others (chown root:root FILE; chmod go-w FILE DIR), or run the script as an unprivileged user (`user NAME` in vrrp_script, a user after a notify script, or `script_user NAME` in global_defs), then add `enable_script_security` to global_defs. VI_1 notify_master cannot run and counts as failing: /x: no such file or directory. no user."},
		{"enabled", true, "script security: 1 script(s) disabled because a non-root user could change what runs as root: vrrp_script chk (/opt/chk: /opt is writable by everyone); fix: make every directory on the path and the script owned by root and not writable by group or others (chown root:root FILE; chmod go-w FILE DIR), or run the script as an unprivileged user (`user NAME` in vrrp_script, a user after a notify script, or `script_user NAME` in global_defs). VI_1 notify_master cannot run and counts as failing: /x: no such file or directory. no user."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, insecure := SecurityMessage(SecurityConfig{Enabled: tt.enabled}, checks, "no user")
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if !insecure {
				t.Error("insecure = false")
			}
		})
	}
	if got, insecure := SecurityMessage(SecurityConfig{}, nil, ""); got != "" || insecure {
		t.Errorf("nothing to say: got %q, %v", got, insecure)
	}
}

func TestDefaultCredential(t *testing.T) {
	cred, warn, err := DefaultCredential(SecurityConfig{User: "nobody"})
	if err != nil || warn != "" || cred == nil || cred.UID != 65534 {
		t.Errorf("script_user nobody: %+v %q %v", cred, warn, err)
	}
	if _, _, err := DefaultCredential(SecurityConfig{User: "gk-no-such-user"}); err == nil {
		t.Error("missing script_user: no error")
	}
	cred, warn, err = DefaultCredential(SecurityConfig{})
	if _, lerr := LookupUser(DefaultScriptUser, ""); lerr != nil {
		if cred != nil || err != nil || !strings.Contains(warn, "useradd") {
			t.Errorf("no keepalived_script: %+v %q %v; want nil cred and a warning", cred, warn, err)
		}
	}
}

func mk(t *testing.T, dir, name string, mode os.FileMode) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
	return p
}

func mkdir(t *testing.T, p string, mode os.FileMode) {
	t.Helper()
	if err := os.Mkdir(p, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
}

func chown(t *testing.T, p string, uid, gid int) {
	t.Helper()
	if err := os.Chown(p, uid, gid); err != nil {
		t.Fatal(err)
	}
}
