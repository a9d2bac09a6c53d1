package main

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/gokeepalived/gokeepalived/internal/control"
)

// The systemd unit and the command line agree on the pid file and the
// control socket, so a daemon started by hand finds the service's (and
// refuses to start beside it), and the unit stops keepalived.service
// when it starts.
func TestUnitMatchesDefaults(t *testing.T) {
	b, err := os.ReadFile("../../packaging/gokeepalived.service")
	if err != nil {
		t.Fatal(err)
	}
	unit := string(b)
	exec := regexp.MustCompile(`(?m)^ExecStart=(.*)$`).FindStringSubmatch(unit)
	if exec == nil {
		t.Fatal("no ExecStart= in the unit")
	}
	args := strings.Fields(exec[1])
	flag := func(name, def string) string {
		for i, a := range args {
			if a == name && i+1 < len(args) {
				return args[i+1]
			}
		}
		return def
	}
	if got := flag("--pid", defaultPIDFile); got != defaultPIDFile {
		t.Errorf("unit's pid file %s, the command line's default %s", got, defaultPIDFile)
	}
	if got := flag("--socket", control.DefaultSocketPath); got != control.DefaultSocketPath {
		t.Errorf("unit's socket %s, the command line's default %s", got, control.DefaultSocketPath)
	}
	if !regexp.MustCompile(`(?m)^Conflicts=.*\bkeepalived\.service\b`).MatchString(unit) {
		t.Error("the unit does not conflict with keepalived.service")
	}
}
