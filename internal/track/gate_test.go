package track

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gokeepalived/gokeepalived/internal/config"
)

// TestGateRefusals: every way keepalived refuses a script, in its words;
// a user that does not exist never falls back to root.
func TestGateRefusals(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("the insecure cases need root-owned files")
	}
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	ok := mk(t, dir, "ok.sh", 0o755)
	ww := filepath.Join(dir, "ww")
	mkdir(t, ww, 0o777)
	unsafe := mk(t, ww, "n.sh", 0o755)
	missing := filepath.Join(dir, "missing.sh")
	type want struct {
		Msg         string // "" means runnable
		ConfigError bool
	}
	secure := SecurityConfig{Enabled: true, User: "root"}
	tests := []struct {
		name string
		sec  SecurityConfig
		spec Spec
		want want
	}{
		{"runnable", secure, Spec{Kind: KindTrack, Name: "chk", Argv: []string{ok}}, want{}},
		{"track script missing", secure, Spec{Kind: KindTrack, Name: "chk", Argv: []string{missing}},
			want{"Disabling track script chk since not found/accessible", true}},
		{"track script insecure", secure, Spec{Kind: KindTrack, Name: "chk", Argv: []string{unsafe}},
			want{"Disabling track script chk due to insecure", true}},
		{"track script insecure without script security runs", SecurityConfig{User: "root"},
			Spec{Kind: KindTrack, Name: "chk", Argv: []string{unsafe}}, want{}},
		{"notify script insecure", secure, Spec{Kind: KindNotify, Name: "VI_1 notify_master", Argv: []string{unsafe}},
			want{"Unsafe permissions found for script '" + unsafe + "' - disabling.", false}},
		{"notify script missing", secure, Spec{Kind: KindNotify, Name: "VI_1 notify_master", Argv: []string{missing}},
			want{"Script " + missing + " cannot be accessed - no such file or directory", false}},
		{"fifo script insecure", secure, Spec{Kind: KindFIFO, Name: "notify_fifo_script", Argv: []string{unsafe}},
			want{"Unsafe permissions found for script '" + unsafe + "' - disabling.", false}},
		{"vrrp_script user that does not exist", secure, Spec{Kind: KindTrack, Name: "chk", Argv: []string{"killall", "-0", "haproxy"}, User: "gk-deploy"},
			want{"Unable to set uid/gid for script 'killall' '-0' 'haproxy'", true}},
		{"notify argument read as a user", secure, Spec{Kind: KindNotify, Name: "VI_1 notify_master", Argv: []string{ok}, User: "MASTER"},
			want{"Invalid user/group for notify script " + ok + " - ignoring", false}},
		{"group that does not exist", secure, Spec{Kind: KindNotify, Name: "VI_1 notify", Argv: []string{ok}, User: "root", Group: "gk-nogroup"},
			want{"Invalid user/group for notify script " + ok + " - ignoring", false}},
		{"script_user that does not exist refuses track scripts", SecurityConfig{Enabled: true, User: "gk-node"},
			Spec{Kind: KindTrack, Name: "chk", Argv: []string{ok}}, want{"Unable to set default user for vrrp script chk - removing", true}},
		{"script_user that does not exist refuses notify scripts", SecurityConfig{User: "gk-node"},
			Spec{Kind: KindNotify, Name: "VI_1 notify", Argv: []string{ok}}, want{"Failed to set default user for notify script " + ok + " - ignoring", false}},
		{"script_user that does not exist refuses startup_script", SecurityConfig{User: "gk-node"},
			Spec{Kind: KindStartup, Name: "startup_script", Argv: []string{ok}}, want{"Invalid startup script", true}},
		{"a script naming an existing user still runs", SecurityConfig{User: "gk-node"},
			Spec{Kind: KindNotify, Name: "VI_1 notify", Argv: []string{ok}, User: "root"}, want{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := NewGate(tt.sec).Check(tt.spec)
			var got want
			var r *Refusal
			if errors.As(err, &r) {
				got = want{r.Msg, r.ConfigError}
			} else if err != nil {
				t.Fatalf("error %v is not a *Refusal", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if c.Valid() == (err != nil) {
				t.Errorf("Valid() = %v with error %v", c.Valid(), err)
			}
		})
	}
}

// TestGateDefaultUserWithSecurity: with enable_script_security and neither
// script_user nor keepalived_script, keepalived refuses every script that
// names no user rather than running it as root.
func TestGateDefaultUserWithSecurity(t *testing.T) {
	if _, err := LookupUser(DefaultScriptUser, ""); err == nil {
		t.Skip("keepalived_script exists here")
	}
	g := NewGate(SecurityConfig{Enabled: true})
	_, err := g.Check(Spec{Kind: KindTrack, Name: "chk", Argv: []string{"/bin/true"}})
	if err == nil || !strings.Contains(err.Error(), "Unable to set default user for vrrp script chk - removing") {
		t.Errorf("track script: %v, want it removed", err)
	}
	if _, err := g.Check(Spec{Kind: KindTrack, Name: "chk", Argv: []string{"/bin/true"}, User: "nobody"}); err != nil {
		t.Errorf("a script with its own user: %v", err)
	}
	// Without script security it runs as the daemon's user, with a warning.
	g = NewGate(SecurityConfig{})
	if c, err := g.Check(Spec{Kind: KindTrack, Name: "chk", Argv: []string{"/bin/true"}}); err != nil || c.Cred() != nil {
		t.Errorf("without script security: %+v %v, want runnable as ourselves", c, err)
	}
	if !strings.Contains(g.Warning(), "useradd") {
		t.Errorf("warning %q does not say how to create the user", g.Warning())
	}
}

// TestGateForms: the command forms keepalived's documentation and common
// tutorials use resolve to something Exec can start.
func TestGateForms(t *testing.T) {
	real, err := filepath.EvalSymlinks("/bin/sh")
	if err != nil {
		t.Skip(err)
	}
	// sh may be a link to dash: the name written is kept, in the resolved
	// directory, as keepalived does.
	sh := filepath.Join(filepath.Dir(real), "sh")
	g := NewGate(SecurityConfig{})
	tests := []struct {
		argv     []string
		wantArgv []string
	}{
		{[]string{"sh", "-c", "exit 0"}, []string{sh, "-c", "exit 0"}},
		{[]string{"/bin/sh", "-c", "test -d /"}, []string{sh, "-c", "test -d /"}},
		{[]string{"</dev/tcp/127.0.0.1/80"}, []string{"/bin/sh", "-c", "</dev/tcp/127.0.0.1/80"}},
		{[]string{"< /etc/hostname", "x y"}, []string{"/bin/sh", "-c", "< /etc/hostname 'x y'"}},
	}
	for _, tt := range tests {
		c, err := g.Check(Spec{Kind: KindTrack, Name: "chk", Argv: tt.argv})
		if err != nil {
			t.Errorf("%q: %v", tt.argv, err)
			continue
		}
		if diff := cmp.Diff(tt.wantArgv, c.Argv()); diff != "" {
			t.Errorf("%q argv (-want +got):\n%s", tt.argv, diff)
		}
		if c.Path() != c.Argv()[0] {
			t.Errorf("%q: runs %s with argv[0] %s", tt.argv, c.Path(), c.Argv()[0])
		}
	}
}

// TestConfigScriptsCoversTheModel walks the config model and puts a
// distinct command into every field that holds one (a *config.Script, and
// a vrrp_script's Cmd); ConfigScripts must return each of them, so a new
// script keyword cannot slip past the Gate.
func TestConfigScriptsCoversTheModel(t *testing.T) {
	cfg := &config.Config{}
	var fields []string
	fill(reflect.ValueOf(cfg).Elem(), "Config", &fields)
	if len(fields) < 15 {
		t.Fatalf("found only %d script fields: %v", len(fields), fields)
	}
	seen := map[string]bool{}
	for _, s := range ConfigScripts(cfg) {
		seen[strings.Join(s.Argv, " ")] = true
	}
	for _, f := range fields {
		if !seen["/gate/"+f] {
			t.Errorf("%s holds a command that ConfigScripts does not list (so the Gate never sees it)", f)
		}
	}
}

var (
	scriptType   = reflect.TypeFor[config.Script]()
	vrrpScriptTy = reflect.TypeFor[config.VRRPScript]()
)

// fill allocates every struct pointer and one element of every slice
// reachable from v, and sets each command to "/gate/<field path>".
func fill(v reflect.Value, path string, fields *[]string) {
	switch v.Kind() {
	case reflect.Pointer:
		if v.Type().Elem().Kind() != reflect.Struct {
			return
		}
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), path, fields)
	case reflect.Slice:
		if k := v.Type().Elem().Kind(); k != reflect.Pointer && k != reflect.Struct {
			return
		}
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		fill(v.Index(0), path+"[0]", fields)
	case reflect.Struct:
		switch v.Type() {
		case scriptType, vrrpScriptTy:
			v.FieldByName("Cmd").Set(reflect.ValueOf([]string{"/gate/" + path}))
			*fields = append(*fields, path)
			if v.Type() == scriptType {
				return
			}
		}
		for i := range v.NumField() {
			f := v.Type().Field(i)
			if f.IsExported() && v.Field(i).CanSet() && f.Name != "Cmd" {
				fill(v.Field(i), fmt.Sprintf("%s.%s", path, f.Name), fields)
			}
		}
	}
}

// TestConfigTestUnusableScriptUser checks that when script_user names no
// user, the scripts that would run as it are removed, as keepalived does,
// so the config test fails with 5 rather than for script security (6).
func TestConfigTestUnusableScriptUser(t *testing.T) {
	src := "global_defs {\n script_user gk_no_such_user_zz\n}\nvrrp_script s {\n script \"/bin/sh -c true\"\n}\n" +
		"vrrp_instance A {\n interface eth0\n virtual_router_id 1\n virtual_ipaddress {\n  10.0.0.1\n }\n track_script {\n  s\n }\n}\n"
	cfg, _ := config.LoadBytes("k.conf", []byte(src), config.Options{ConfigID: "x"})
	code, lines := ConfigTest(cfg)
	if code != 5 || len(lines) == 0 {
		t.Errorf("ConfigTest = %d, %q; want 5 with the script user's error", code, lines)
	}
}
