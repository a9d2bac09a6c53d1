package e2e

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestOpsDebianPackage builds the .deb with scripts/build-deb.sh, lists
// and extracts it with dpkg-deb into a throw-away directory (never
// installing it on this machine), checks the control fields, the
// contents, the man page and the default configuration, and runs
// systemd-analyze verify on the packaged unit when systemd-analyze exists.
func TestOpsDebianPackage(t *testing.T) {
	needRoot(t)
	if _, err := exec.LookPath("dpkg-deb"); err != nil {
		t.Skip("dpkg-deb is not installed")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	build := exec.Command("sh", filepath.Join(root, "scripts", "build-deb.sh"), out)
	build.Env = append(os.Environ(), "VERSION=1.2.3")
	if b, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build-deb.sh: %v\n%s", err, b)
	}
	debs, _ := filepath.Glob(filepath.Join(out, "gokeepalived_1.2.3_*.deb"))
	if len(debs) != 1 {
		t.Fatalf("want one .deb in %s, got %v", out, debs)
	}
	deb := debs[0]
	run := func(name string, args ...string) string {
		t.Helper()
		b, err := exec.Command(name, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("%s %v: %v\n%s", name, args, err, b)
		}
		return string(b)
	}

	fields := map[string]string{}
	for _, f := range []string{"Package", "Version", "Section"} {
		fields[f] = strings.TrimSpace(run("dpkg-deb", "-f", deb, f))
	}
	if diff := cmp.Diff(map[string]string{"Package": "gokeepalived", "Version": "1.2.3", "Section": "net"}, fields); diff != "" {
		t.Errorf("control fields (-want +got):\n%s", diff)
	}
	conffiles := run("dpkg-deb", "-I", deb, "conffiles")
	for _, c := range []string{"/etc/gokeepalived/keepalived.conf", "/etc/default/gokeepalived"} {
		if !strings.Contains(conffiles, c) {
			t.Errorf("conffiles lacks %s:\n%s", c, conffiles)
		}
	}
	list := run("dpkg-deb", "-c", deb)
	for _, p := range []string{"./usr/sbin/gokeepalived", "./usr/lib/systemd/system/gokeepalived.service",
		"./usr/share/man/man8/gokeepalived.8.gz", "./etc/gokeepalived/keepalived.conf", "./etc/default/gokeepalived"} {
		if !strings.Contains(list, p+"\n") {
			t.Errorf("package lacks %s:\n%s", p, list)
		}
	}

	x := t.TempDir()
	run("dpkg-deb", "-x", deb, x)
	bin := filepath.Join(x, "usr/sbin/gokeepalived")
	if v := run(bin, "version"); !strings.Contains(v, "1.2.3") {
		t.Errorf("packaged binary reports %q, want version 1.2.3", v)
	}
	// The unit's ExecStartPre: the default configuration must pass.
	run(bin, "--config-test", "--use-file", filepath.Join(x, "etc/gokeepalived/keepalived.conf"))

	man, err := os.ReadFile(filepath.Join(x, "usr/share/man/man8/gokeepalived.8.gz"))
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(man))
	if err != nil {
		t.Fatalf("man page: %v", err)
	}
	page, _ := io.ReadAll(zr)
	if !bytes.HasPrefix(page, []byte(".TH GOKEEPALIVED 8")) || !bytes.Contains(page, []byte(`\-\-use\-file`)) {
		t.Errorf("man page is not gokeepalived(8) with the flags:\n%.300s", page)
	}

	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Log("systemd-analyze is not installed: unit not verified")
		return
	}
	// Verify a copy whose binary path points into the extracted tree
	// (the package is not installed on this machine).
	unit, err := os.ReadFile(filepath.Join(x, "usr/lib/systemd/system/gokeepalived.service"))
	if err != nil {
		t.Fatal(err)
	}
	ud := t.TempDir()
	up := filepath.Join(ud, "gokeepalived.service")
	if err := os.WriteFile(up, bytes.ReplaceAll(unit, []byte("/usr/sbin/gokeepalived"), []byte(bin)), 0o644); err != nil {
		t.Fatal(err)
	}
	if b, err := exec.Command(analyze, "verify", "--man=no", up).CombinedOutput(); err != nil || len(bytes.TrimSpace(b)) > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, b)
	}
}
