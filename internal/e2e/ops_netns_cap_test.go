package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gokeepalived/gokeepalived/internal/lab"
)

// TestNamespaceWithoutSysAdmin starts the daemon with -s the way the
// packaged unit would, without CAP_SYS_ADMIN in its bounding set (setpriv
// drops it as the unit's CapabilityBoundingSet does): it must refuse at
// once and name the drop-in that grants the capability, instead of failing
// inside `ip netns`.
func TestNamespaceWithoutSysAdmin(t *testing.T) {
	needRoot(t)
	setpriv, err := exec.LookPath("setpriv")
	if err != nil {
		t.Skip("setpriv (util-linux) is not installed")
	}
	l := lab.New(t, lab.Spec{Hosts: lab.Hosts("a")})
	h := l.Host("a")
	conf := filepath.Join(t.TempDir(), "keepalived.conf")
	if err := os.WriteFile(conf, []byte("global_defs {\n    router_id a\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := h.Exec(context.Background(), setpriv, "--bounding-set=-sys_admin", "--",
		binary(t), "-n", "-l", "-G", "-f", conf, "-s", h.NS, "--socket", "none", "-p", filepath.Join(t.TempDir(), "pid"))
	if err == nil || !strings.Contains(out, "needs CAP_SYS_ADMIN") || !strings.Contains(out, "netns.conf") {
		t.Errorf("daemon -s without CAP_SYS_ADMIN: %v, want a refusal naming the drop-in\n%s", err, out)
	}
}
