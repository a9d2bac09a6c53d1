package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestConfigTestScripts: -t judges scripts as keepalived 2.2.7's does
// (its output and exit codes were taken from `keepalived -t` on the same
// configurations): a refused vrrp_script is reported in keepalived's words
// and the test exits 5.
func TestConfigTestScripts(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("script_user root and root-owned scripts need root")
	}
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	ok := filepath.Join(dir, "ok.sh")
	if err := os.WriteFile(ok, []byte("#!/bin/sh\nexit 0\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	conf := func(global, script, user string) string {
		return writeConf(t, "global_defs {\n"+global+"\n}\nvrrp_script chk {\n    script \""+script+"\"\n"+user+"\n}\n"+
			strings.Replace(goodConf, "virtual_ipaddress", "track_script {\n        chk\n    }\n    virtual_ipaddress", 1))
	}
	tests := []struct {
		name      string
		file      string
		wantCode  int
		wantLines []string
	}{
		{"runnable", conf("enable_script_security\nscript_user root", ok, ""), 0, nil},
		{"missing script", conf("enable_script_security\nscript_user root", filepath.Join(dir, "nope.sh"), ""), 5,
			[]string{"Disabling track script chk since not found/accessible"}},
		{"script_user that does not exist", conf("enable_script_security\nscript_user gk-node", ok, ""), 5,
			[]string{"Error setting global script uid/gid: Script user 'gk-node' does not exist",
				"Unable to set default user for vrrp script chk - removing"}},
		{"vrrp_script user that does not exist", conf("enable_script_security\nscript_user root", "killall -0 haproxy", "    user gk-deploy"), 5,
			[]string{"Unable to set uid/gid for script 'killall' '-0' 'haproxy'"}},
		{"bare name found by PATH search", conf("enable_script_security\nscript_user root", "true", ""), 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run([]string{"-t", "-f", tt.file}, &stdout, &stderr)
			if code != tt.wantCode {
				t.Errorf("exit code = %d, want %d\nstderr:\n%s", code, tt.wantCode, stderr.String())
			}
			var got []string
			for _, l := range strings.Split(stderr.String(), "\n") {
				if l != "" && !strings.Contains(l, ": warning: ") && !strings.HasPrefix(l, "\t") {
					got = append(got, l)
				}
			}
			if diff := cmp.Diff(tt.wantLines, got); diff != "" {
				t.Errorf("script lines (-want +got):\n%s\nstderr:\n%s", diff, stderr.String())
			}
		})
	}
}
