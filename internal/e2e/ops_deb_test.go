package e2e

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/lab"
	"github.com/google/go-cmp/cmp"
)

// buildDeb builds the .deb, version 1.2.3, with scripts/build-deb.sh.
func buildDeb(t *testing.T) string {
	t.Helper()
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
	return debs[0]
}

// mustRun runs a command on this machine and returns its output; it fails
// the test if the command fails.
func mustRun(t *testing.T, name string, args ...string) string {
	t.Helper()
	b, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, b)
	}
	return string(b)
}

// TestOpsDebianPackage builds the .deb with scripts/build-deb.sh, lists
// and extracts it with dpkg-deb into a throw-away directory (never
// installing it on this machine), checks the control fields, the
// contents, the man page and the default configuration, and runs
// systemd-analyze verify on the packaged unit when systemd-analyze exists.
func TestOpsDebianPackage(t *testing.T) {
	needRoot(t)
	deb := buildDeb(t)
	run := func(name string, args ...string) string { t.Helper(); return mustRun(t, name, args...) }

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
		"./usr/share/doc/gokeepalived/copyright", "./usr/share/doc/gokeepalived/changelog.gz",
		"./usr/share/lintian/overrides/gokeepalived", "./usr/share/doc/gokeepalived/examples/netns.conf",
		"./usr/share/man/man8/gokeepalived.8.gz", "./etc/gokeepalived/keepalived.conf", "./etc/default/gokeepalived",
		"./usr/share/gokeepalived/prometheus/gokeepalived.rules.yml", "./usr/share/gokeepalived/grafana/gokeepalived.json"} {
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
	// version -o json names the commit built and the build date.
	var vi struct {
		Version   string `json:"version"`
		Commit    string `json:"commit"`
		BuildDate string `json:"build_date"`
		GoVersion string `json:"go_version"`
	}
	vj := run(bin, "version", "-o", "json")
	if err := json.Unmarshal([]byte(vj), &vi); err != nil {
		t.Fatalf("version -o json: %v\n%s", err, vj)
	}
	if head, err := exec.Command("git", "-C", "../..", "rev-parse", "HEAD").Output(); err == nil && vi.Commit != strings.TrimSpace(string(head)) {
		t.Errorf("version -o json commit %q, want the commit built, %s", vi.Commit, head)
	}
	if vi.Version != "1.2.3" || vi.BuildDate == "" || vi.GoVersion == "" {
		t.Errorf("version -o json = %+v, want version 1.2.3, a build date and the Go version", vi)
	}
	// The copyright file names every Go module linked into the binary.
	cright, err := os.ReadFile(filepath.Join(x, "usr/share/doc/gokeepalived/copyright"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(run("go", "version", "-m", bin), "\n") {
		if f := strings.Fields(line); len(f) >= 3 && f[0] == "dep" {
			if !bytes.Contains(cright, []byte("Go module "+f[1]+" "+f[2]+",")) {
				t.Errorf("copyright file lacks the linked module %s %s", f[1], f[2])
			}
		}
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

// TestOpsDebianLintian runs lintian, Debian's package checker, on the
// built .deb: no error and no warning may be reported (the overrides the
// package ships say why each remaining tag is expected).
func TestOpsDebianLintian(t *testing.T) {
	lintian, err := exec.LookPath("lintian")
	if err != nil {
		t.Skip("lintian is not installed (scripts/test.sh installs it)")
	}
	deb := buildDeb(t)
	out, _ := exec.Command(lintian, deb).CombinedOutput() // its exit code counts info tags too
	var bad []string
	for _, line := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(line, "E: ") || strings.HasPrefix(line, "W: ") {
			bad = append(bad, line)
		}
	}
	if len(bad) > 0 {
		t.Errorf("lintian %s:\n%s", filepath.Base(deb), strings.Join(bad, "\n"))
	}
}

// TestOpsDebianInstall installs the .deb with dpkg -i into a throw-away
// root (its own dpkg database and log, maintainer scripts chrooted into it
// with a copy of /bin/sh: this machine's packages are never touched), then
// starts the installed binary the way the installed unit says — its
// ExecStartPre config test, then ExecStart with NOTIFY_SOCKET, in a lab
// namespace as systemd is not running here — and waits for READY=1, for
// the default configuration and for one whose config test warns (the
// daemon runs it, so the gate must pass it); the gate must fail where the
// daemon refuses to start. Then
// dpkg -r keeps the conffiles and dpkg --purge removes everything.
func TestOpsDebianInstall(t *testing.T) {
	needRoot(t)
	if _, err := exec.LookPath("dpkg"); err != nil {
		t.Skip("dpkg is not installed")
	}
	deb := buildDeb(t)
	root := t.TempDir()
	for _, d := range []string{"var/lib/dpkg/info", "var/lib/dpkg/updates", "var/log", "tmp"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{"var/lib/dpkg/status", "var/lib/dpkg/available"} {
		if err := os.WriteFile(filepath.Join(root, f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	copyShell(t, root)
	dpkg := func(args ...string) string {
		t.Helper()
		return mustRun(t, "dpkg", append([]string{"--root=" + root, "--log=" + filepath.Join(root, "var/log/dpkg.log")}, args...)...)
	}
	dpkg("-i", deb)
	if st := dpkg("-s", "gokeepalived"); !strings.Contains(st, "Status: install ok installed") {
		t.Fatalf("after dpkg -i:\n%s", st)
	}

	// The unit as installed, with its paths moved into the root.
	unit, err := os.ReadFile(filepath.Join(root, "usr/lib/systemd/system/gokeepalived.service"))
	if err != nil {
		t.Fatal(err)
	}
	run := t.TempDir() // RuntimeDirectory
	conf := filepath.Join(root, "etc/gokeepalived/keepalived.conf")
	unitLines := map[string]string{}
	for _, line := range strings.Split(string(unit), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok && (k == "ExecStartPre" || k == "ExecStart") {
			unitLines[k] = v
		}
	}
	if len(unitLines) != 2 {
		t.Fatalf("unit lacks ExecStartPre or ExecStart:\n%s", unit)
	}
	// command is the unit's ExecStartPre or ExecStart for configuration
	// file c, with its paths moved into the root.
	command := func(k, c string) []string {
		expand := strings.NewReplacer("${GOKEEPALIVED_CONFIG}", c, "/usr/sbin/", filepath.Join(root, "usr/sbin")+"/",
			"/run/gokeepalived/", run+"/", "$DAEMON_ARGS", "")
		return strings.Fields(expand.Replace(unitLines[k]))
	}
	l := lab.New(t, lab.Spec{Hosts: lab.Hosts("a")})
	h := l.Host("a")
	// Configurations that keepalived and gokeepalived both run, though
	// their config test reports them (exit 5: an unknown keyword; exit 6:
	// scripts without enable_script_security): the unit must start them.
	inst := "vrrp_instance VI_1 {\n    interface " + h.Ifname + "\n    virtual_router_id 51\n" +
		"    track_script {\n        chk\n    }\n    virtual_ipaddress {\n        192.0.2.200/32\n    }\n}\n"
	script := "vrrp_script chk {\n    script \"/bin/true\"\n}\n"
	dir := t.TempDir()
	warned := filepath.Join(dir, "warned.conf")
	refused := filepath.Join(dir, "refused.conf")
	for f, text := range map[string]string{
		warned:  "global_defs {\n    router_id lab\n    frobnicate 1\n}\n" + script + inst,
		refused: strings.Replace(inst, "    virtual_router_id 51\n", "", 1),
	} {
		if err := os.WriteFile(f, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []string{conf, warned} {
		pre := command("ExecStartPre", c)
		if out, err := h.Exec(context.Background(), pre[0], pre[1:]...); err != nil {
			t.Fatalf("ExecStartPre %v: %v\n%s", pre, err, out)
		}
		start := command("ExecStart", c)
		sink := startNotifySink(t)
		p, err := h.Run(context.Background(), start[0], start[1:]...)
		if err != nil {
			t.Fatal(err)
		}
		eventually(t, 10*time.Second, "READY=1 from the installed unit's ExecStart", func() (bool, string) {
			return sink.count("READY=1") == 1, strings.Join(sink.all(), "|") + "\n" + tail(p.Output(), 10)
		})
		if err := p.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		if err := p.Wait(); err != nil {
			t.Errorf("installed daemon's exit: %v\n%s", err, tail(p.Output(), 10))
		}
	}
	// Where the daemon refuses to start, the gate refuses too, and says why.
	pre := command("ExecStartPre", refused)
	if out, err := h.Exec(context.Background(), pre[0], pre[1:]...); err == nil || !strings.Contains(out, "virtual router id must be set") {
		t.Errorf("ExecStartPre on a configuration the daemon refuses: %v, want a failure naming it\n%s", err, out)
	}

	dpkg("-r", "gokeepalived")
	if _, err := os.Stat(filepath.Join(root, "usr/sbin/gokeepalived")); !os.IsNotExist(err) {
		t.Errorf("binary after dpkg -r: %v, want it gone", err)
	}
	if _, err := os.Stat(conf); err != nil {
		t.Errorf("configuration after dpkg -r (a conffile, kept): %v", err)
	}
	dpkg("--purge", "gokeepalived")
	if _, err := os.Stat(conf); !os.IsNotExist(err) {
		t.Errorf("configuration after dpkg --purge: %v, want it gone", err)
	}
}

// copyShell puts /bin/sh and the libraries ldd lists for it into root, so
// that maintainer scripts can run chrooted there.
func copyShell(t *testing.T, root string) {
	t.Helper()
	files := []string{"/bin/sh"}
	for _, f := range strings.Fields(mustRun(t, "ldd", "/bin/sh")) {
		if strings.HasPrefix(f, "/") {
			files = append(files, f)
		}
	}
	for _, f := range files {
		b, err := os.ReadFile(f) // follows links
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(root, f)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, b, 0o755); err != nil {
			t.Fatal(err)
		}
	}
}
