package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/control"
	"github.com/gokeepalived/gokeepalived/internal/lab"
)

// scriptForm is one way keepalived's man page, its samples and common
// tutorials write a check script.
type scriptForm struct {
	name   string
	script string // the text inside script "..."; @DIR@ is the node's folder
	rootOK bool   // only meaningful when run as root (kill -0 on root's processes)
}

var scriptForms = []scriptForm{
	{"bare", "true", false},
	{"bare_args", "test -d /", false},
	{"killall", "killall -0 gokeepalived", true},
	{"pgrep", "pgrep -x gokeepalived", false},
	{"full_path", "/usr/bin/true", false},
	{"merged_usr", "/bin/true", false},
	{"sh_c_quoted", "/bin/sh -c 'test -d / && exit 0'", false},
	{"shebang", "@DIR@/ok.sh", false},
	{"no_shebang", "@DIR@/plain.sh", false},
	{"args_with_spaces", "@DIR@/args.sh 'a b' c", false},
	{"relative", "@REL@/ok.sh", false},
	{"redirection", "</dev/null", false},
}

// TestScriptForms runs the real daemon in a namespace over every script
// form, with and without enable_script_security and script_user, and reads
// each check's state from the status API: every form keepalived runs must
// run (GOOD), and the scripts keepalived refuses (missing, a user that does
// not exist, insecure under script security) are DISABLED and leave the
// priority alone. Before the script gate, bare names failed to start
// ("killall": exec.Cmd used argv[0] as the path), /bin/true was refused on
// merged /usr, and the refused scripts counted as failing.
func TestScriptForms(t *testing.T) {
	needRoot(t)
	tests := []struct {
		name     string
		global   string
		asRoot   bool
		disabled map[string]bool
	}{
		{"no script security", "", true,
			map[string]bool{"missing": true, "nouser": true}},
		{"script security, script_user root", "enable_script_security\n    script_user root", true,
			map[string]bool{"missing": true, "nouser": true, "insecure": true}},
		{"script security, script_user nobody", "enable_script_security\n    script_user nobody", false,
			map[string]bool{"missing": true, "nouser": true}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			l := lab.New(t, lab.Spec{Hosts: lab.Hosts("a")})
			var b strings.Builder
			var names []string
			add := func(name, script, extra string, weight int) {
				names = append(names, name)
				fmt.Fprintf(&b, "vrrp_script %s {\n    script \"%s\"\n    interval 1\n    weight %d\n%s}\n", name, script, weight, extra)
			}
			for _, f := range scriptForms {
				if f.rootOK && !tt.asRoot {
					continue
				}
				add(f.name, f.script, "", 0) // weight 0: a failing check means FAULT
			}
			add("missing", "@DIR@/nosuch.sh", "", -50)
			add("nouser", "@DIR@/ok.sh", "    user gk-no-such-user\n", -50)
			add("insecure", "@DIR@/ww/ok.sh", "", -40) // runs when allowed: it exits 0, so no weight applies
			fmt.Fprintf(&b, `global_defs {
    %s
}
vrrp_instance VI_1 {
    state MASTER
    interface eth1
    virtual_router_id %d
    priority 100
    advert_int 1
    track_script {
        %s
    }
    virtual_ipaddress {
        192.168.1.%d
    }
}
`, tt.global, 80+i, strings.Join(names, "\n        "), 80+i)
			n := newNode(t, l.Host("a"), b.String())
			prepareScriptDir(t, n)
			n.start(t)
			waitInstance(t, n, "VI_1", control.StateMaster, 100, 15*time.Second)
			eventually(t, 10*time.Second, "every check has a result", func() (bool, string) {
				got := trackerStates(nodeStatus(t, n))
				var bad []string
				for _, name := range names {
					want := "GOOD"
					if tt.disabled[name] {
						want = "DISABLED"
					}
					if got[name] != want {
						bad = append(bad, fmt.Sprintf("%s=%s (want %s)", name, got[name], want))
					}
				}
				return len(bad) == 0, strings.Join(bad, ", ")
			})
			waitInstance(t, n, "VI_1", control.StateMaster, 100, time.Second)
		})
	}
}

// prepareScriptDir writes the scripts the forms use into n.dir, reachable
// by nobody, with ww/ a world-writable folder, and rewrites @REL@ in the
// configuration to n.dir relative to the daemon's working directory.
func prepareScriptDir(t *testing.T, n *node) {
	t.Helper()
	for _, p := range []string{n.dir, filepath.Dir(n.dir)} {
		if err := os.Chmod(p, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	writeScript(t, n.dir, "ok.sh", "exit 0")
	writeScript(t, n.dir, "args.sh", `[ "$1" = "a b" ] && [ "$2" = c ]`)
	if err := os.WriteFile(filepath.Join(n.dir, "plain.sh"), []byte("exit 0\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	ww := filepath.Join(n.dir, "ww")
	if err := os.Mkdir(ww, 0o755); err != nil {
		t.Fatal(err)
	}
	writeScript(t, ww, "ok.sh", "exit 0")
	if err := os.Chmod(ww, 0o777); err != nil {
		t.Fatal(err)
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	rel, err := filepath.Rel(wd, n.dir)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(n.conf)
	if err != nil {
		t.Fatal(err)
	}
	n.writeConf(t, strings.ReplaceAll(string(b), "@REL@", rel))
}

func trackerStates(s control.Snapshot) map[string]string {
	out := map[string]string{}
	for _, tr := range s.Trackers {
		if tr.Kind == "script" {
			out[tr.Name] = tr.Status
		}
	}
	return out
}
