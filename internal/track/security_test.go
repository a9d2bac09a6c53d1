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
		Reason                                     string // substring of Reason or Detail
	}
	nobody := &Credential{UID: 65534, GID: 65534}
	link := func(t *testing.T, target, name string) string {
		if err := os.Symlink(target, name); err != nil {
			t.Fatal(err)
		}
		return name
	}
	tests := []struct {
		name    string
		setup   func(dir string) string // returns argv0
		cred    *Credential
		enforce bool
		want    res
	}{
		{"root-owned 0755 is fine", func(d string) string { return mk(t, d, "s", 0o755) }, nil, true, res{}},
		{"missing", func(d string) string { return filepath.Join(d, "nope") }, nil, true,
			res{NotFound: true, Reason: "cannot be accessed - no such file"}},
		{"not executable", func(d string) string { return mk(t, d, "s", 0o644) }, nil, true,
			res{NotExecutable: true, Reason: "is not executable for uid:gid 0:0 - disabling."}},
		{"world-writable file inhibited", func(d string) string { return mk(t, d, "s", 0o757) }, nil, true,
			res{Insecure: true, Inhibit: true, Reason: "writable by everyone"}},
		{"keepalived's wording when inhibited", func(d string) string { return mk(t, d, "s", 0o757) }, nil, true,
			res{Insecure: true, Inhibit: true, Reason: "Unsafe permissions found for script '"}},
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
			return link(t, mk(t, sub, "s", 0o755), filepath.Join(d, "link"))
		}, nil, true, res{Insecure: true, Inhibit: true, Reason: "sub is writable by everyone"}},
		{"symlink to a world-writable file", func(d string) string {
			return link(t, mk(t, d, "s", 0o777), filepath.Join(d, "link"))
		}, nil, true, res{Insecure: true, Inhibit: true, Reason: "s is writable by everyone"}},
		{"symlinked directory to a safe one is judged by its target", func(d string) string {
			real := filepath.Join(d, "real")
			mkdir(t, real, 0o755)
			mk(t, real, "s", 0o755)
			return filepath.Join(link(t, real, filepath.Join(d, "alias")), "s")
		}, nil, true, res{}},
		{"symlinked directory owned by root whose target is world-writable", func(d string) string {
			real := filepath.Join(d, "real")
			mkdir(t, real, 0o777)
			mk(t, real, "s", 0o755)
			return filepath.Join(link(t, real, filepath.Join(d, "alias")), "s")
		}, nil, true, res{Insecure: true, Inhibit: true, Reason: "real is writable by everyone"}},
		{"dangling symlink", func(d string) string { return link(t, filepath.Join(d, "gone"), filepath.Join(d, "link")) }, nil, true,
			res{NotFound: true, Reason: "cannot be accessed"}},
		{"insecure path is fine for an unprivileged user", func(d string) string {
			sub := filepath.Join(d, "sub")
			mkdir(t, sub, 0o777)
			return mk(t, sub, "s", 0o755)
		}, nobody, true, res{}},
		{"set-uid root is judged although it runs as nobody", func(d string) string {
			sub := filepath.Join(d, "sub")
			mkdir(t, sub, 0o777)
			return mk(t, sub, "s", os.ModeSetuid|0o755)
		}, nobody, true, res{Insecure: true, Inhibit: true, Reason: "sub is writable by everyone"}},
		{"not executable for that user", func(d string) string { return mk(t, d, "s", 0o744) }, nobody, true,
			res{NotExecutable: true, Reason: "uid:gid 65534:65534"}},
		{"in a directory that user cannot search", func(d string) string {
			sub := filepath.Join(d, "sub")
			mkdir(t, sub, 0o700)
			return mk(t, sub, "s", 0o755)
		}, nobody, true, res{NotFound: true, Reason: "cannot search " + "/"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, p := range []string{dir, filepath.Dir(dir)} { // so nobody can reach it
				if err := os.Chmod(p, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			c := CheckScript(tt.setup(dir), tt.cred, tt.enforce)
			got := res{c.NotFound, c.NotExecutable, c.Insecure, c.Inhibit, ""}
			if strings.Contains(c.Reason+" "+c.Detail, tt.want.Reason) {
				got.Reason = tt.want.Reason
			} else {
				got.Reason = c.Reason + " " + c.Detail
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

// TestCheckScriptResolvesLinks: the path run and judged is the resolved
// one: /bin/true on a merged-/usr system (/bin -> usr/bin) is
// /usr/bin/true and passes, and a link that renames a file keeps the name
// written when that name reaches the same file in the resolved directory.
func TestCheckScriptResolvesLinks(t *testing.T) {
	if fi, err := os.Lstat("/bin"); err == nil && fi.Mode()&os.ModeSymlink != 0 {
		c := CheckScript("/bin/true", nil, true)
		want, _ := filepath.EvalSymlinks("/bin/true")
		if !c.Runnable() || c.Path != want {
			t.Errorf("/bin/true on merged /usr: %+v, want runnable as %s", c, want)
		}
	}
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	real := filepath.Join(dir, "real")
	mkdir(t, real, 0o755)
	target := mk(t, real, "busybox", 0o755)
	if err := os.Symlink("busybox", filepath.Join(real, "applet")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(real, filepath.Join(dir, "alias")); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ argv0, want string }{
		{filepath.Join(dir, "alias", "busybox"), target},
		{filepath.Join(dir, "alias", "applet"), filepath.Join(real, "applet")},
	}
	for _, tt := range tests {
		if c := CheckScript(tt.argv0, nil, true); !c.Runnable() || c.Path != tt.want {
			t.Errorf("%s: %+v, want runnable as %s", tt.argv0, c, tt.want)
		}
	}
	// A relative path is resolved against the working directory.
	t.Chdir(dir)
	if c := CheckScript("real/busybox", nil, true); !c.Runnable() || c.Path != target {
		t.Errorf("relative real/busybox: %+v, want runnable as %s", c, target)
	}
}

func TestCheckScriptPathSearch(t *testing.T) {
	c := CheckScript("sh", nil, false)
	if !c.Searched || !filepath.IsAbs(c.Path) || c.NotFound {
		t.Errorf("bare name: %+v, want a PATH search result", c)
	}
	if c := CheckScript("gk-surely-not-in-path", nil, false); !c.NotFound || c.Reason != "Cannot find script gk-surely-not-in-path in path - disabling" {
		t.Errorf("missing bare name: %+v, want NotFound", c)
	}
	dir := t.TempDir()
	mk(t, dir, "gk-noexec", 0o644)
	t.Setenv("PATH", dir)
	if c := CheckScript("gk-noexec", nil, false); !c.NotFound || !strings.HasPrefix(c.Reason, "Permissions failure for script gk-noexec") {
		t.Errorf("non-executable bare name: %+v, want a permissions failure", c)
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
