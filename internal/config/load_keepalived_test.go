//go:build linux

package config

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// kaLineRE finds the line keepalived names in a config message:
// "(file: Line 11) ...".
var kaLineRE = regexp.MustCompile(`Line (\d+)\)`)

// TestKeepalivedAgrees re-runs keepalived's own config test on every
// sample, in a throwaway network namespace holding the interfaces the
// samples name, and checks it still gives what corpus_expect.txt records.
func TestKeepalivedAgrees(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to create a network namespace for keepalived -t")
	}
	ka, err := exec.LookPath("keepalived")
	if err != nil {
		t.Skip("keepalived is not installed")
	}
	dir := samplesDir(t)
	ns := newTestNetns(t, "eth0", "eth1", "eth2", "eth3", "eth0.1")
	for _, r := range readCorpusTable(t) {
		t.Run(r.sample, func(t *testing.T) {
			if r.exit == 6 && !scriptsPresent() {
				t.Skip("killall is not installed")
			}
			var extra []string
			if r.configID != "" {
				extra = []string{"-i", r.configID}
			}
			out, code := keepalivedTest(t, ns, ka, filepath.Join(dir, r.sample), extra...)
			var lines []int
			for _, m := range kaLineRE.FindAllStringSubmatch(string(out), -1) {
				n, _ := strconv.Atoi(m[1])
				lines = append(lines, n)
			}
			type verdict struct {
				Exit  int
				Lines []int
			}
			want := verdict{r.exit, sortedUnion(r.kaLines)}
			got := verdict{code, sortedUnion(lines)}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("keepalived -t (-want +got):\n%s\noutput:\n%s", diff, out)
			}
		})
	}
}

// newTestNetns creates a network namespace with a unique gk-prefixed name
// holding veth interfaces with the given names, and deletes it when the
// test ends.
func newTestNetns(t *testing.T, ifaces ...string) string {
	t.Helper()
	ns := fmt.Sprintf("gk%dcfg", os.Getpid())
	run := func(args ...string) {
		t.Helper()
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			t.Fatalf("ip %v: %v: %s", args, err, out)
		}
	}
	run("netns", "add", ns)
	t.Cleanup(func() { _ = exec.Command("ip", "netns", "del", ns).Run() })
	for i, name := range ifaces {
		run("-n", ns, "link", "add", name, "type", "veth", "peer", "name", fmt.Sprintf("gkp%d", i))
		run("-n", ns, "link", "set", name, "up")
	}
	return ns
}

// keepalivedTest runs keepalived's config test (keepalived -t) on path in
// network namespace ns and returns its output and exit code.
func keepalivedTest(t *testing.T, ns, ka, path string, extra ...string) ([]byte, int) {
	t.Helper()
	args := append([]string{"netns", "exec", ns, ka, "-t", "-l", "-n", "-f", path}, extra...)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "ip", args...).CombinedOutput()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return out, ee.ExitCode()
	} else if err != nil {
		t.Fatalf("keepalived -t: %v", err)
	}
	return out, 0
}
