package archtest

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/gokeepalived/gokeepalived/"

// allowed lists, for each package of the module, the module packages its
// non-test files may import (docs/ARCHITECTURE.md, "What may import what").
// A package missing here gets newPackageRule.
var allowed = map[string][]string{
	"internal/config":            {"internal/cli", "internal/vrrp"},
	"internal/cli":               nil,
	"internal/vrrp":              nil,
	"internal/logging":           nil,
	"internal/runfile":           nil,
	"internal/system":            {"internal/vrrp"},
	"internal/golden":            nil,
	"internal/vectors":           nil,
	"internal/lab":               nil,
	"internal/lab/labreap":       {"internal/lab"},
	"internal/e2e":               nil,
	"internal/archtest":          nil,
	"internal/instance":          {"internal/vrrp"},
	"internal/instance/sim":      {"internal/instance", "internal/vrrp"},
	"internal/system/systemtest": {"internal/system"},
	"internal/track":             {"internal/config", "internal/runfile"},
	"internal/notify":            {"internal/track", "internal/runfile"},
	"internal/control":           {"internal/cli", "internal/runfile"},
	"internal/metrics":           {"internal/control"},
	"internal/plan": {"internal/cli", "internal/config", "internal/instance", "internal/instance/fromconfig",
		"internal/instance/sim", "internal/track", "internal/vrrp"},
	"internal/demo": {"internal/lab"},
	"internal/daemon": {"internal/bgp", "internal/bgp/announcer", "internal/config", "internal/control", "internal/effect", "internal/instance",
		"internal/instance/fromconfig", "internal/logging", "internal/metrics", "internal/notify",
		"internal/notify/policy", "internal/route", "internal/runfile", "internal/system", "internal/track",
		"internal/trackers", "internal/vinst", "internal/vmac", "internal/vrrp", "internal/demux", "internal/reload", "internal/noaccept", "internal/updown",
		"internal/lvs/director", "internal/lvs/half", "internal/realtime", "internal/host", "internal/dynif"},
	"internal/dynif":    {"internal/config", "internal/effect", "internal/instance", "internal/system", "internal/updown", "internal/vinst", "internal/vrrp"},
	"internal/updown":   {"internal/config"},
	"internal/realtime": {"internal/config", "internal/system"},
	"internal/host":     {"internal/noaccept", "internal/system", "internal/track"},
	"internal/noaccept": {"internal/config", "internal/instance", "internal/system", "internal/vinst"},
	"internal/reload":   {"internal/config", "internal/control", "internal/instance", "internal/instance/fromconfig", "internal/system", "internal/vinst"},
	"internal/demux":    {"internal/config", "internal/system", "internal/vinst", "internal/vrrp"},
	"internal/vinst": {"internal/config", "internal/control", "internal/effect", "internal/instance",
		"internal/instance/fromconfig", "internal/route", "internal/system", "internal/vmac", "internal/vrrp"},
	"internal/effect":              {"internal/config", "internal/track"},
	"internal/route":               {"internal/config", "internal/effect", "internal/system"},
	"internal/vmac":                {"internal/config", "internal/system"},
	"internal/trackers":            {"internal/config", "internal/control", "internal/effect", "internal/system", "internal/track"},
	"internal/notify/policy":       {"internal/config", "internal/instance", "internal/notify", "internal/track"},
	"internal/instance/fromconfig": {"internal/config", "internal/instance", "internal/vrrp"},
	"internal/config/configtest":   {"internal/config"},
	"internal/config/difft":        {"internal/lab"},
	"internal/config/difft/cmd":    {"internal/config/difft", "internal/lab"},
	"internal/daemon/daemontest": {"internal/daemon", "internal/noaccept", "internal/system", "internal/system/systemtest",
		"internal/track", "internal/vrrp"},
	"cmd/gokeepalived": {"internal/cli", "internal/config", "internal/control", "internal/daemon", "internal/demo",
		"internal/healthcheck", "internal/healthcheck/probe", "internal/logging", "internal/plan",
		"internal/runfile", "internal/system", "internal/track"},
	"bench/failover":              {"bench/procfs", "internal/lab"},
	"bench/cpuadvert":             {"bench/procfs", "internal/lab"},
	"bench/procfs":                {},
	"internal/healthcheck":        {"internal/config"},
	"internal/healthcheck/probe":  {"internal/healthcheck", "internal/track"},
	"internal/healthcheck/runner": {"internal/healthcheck", "internal/healthcheck/probe"},
	"internal/lvs":                {"internal/config"},
	"internal/lvs/nftplane":       {"internal/config", "internal/lvs"},
	"internal/lvs/ipvsplane":      {"internal/config", "internal/lvs"},
	"internal/lvs/director": {"internal/config", "internal/healthcheck", "internal/healthcheck/probe",
		"internal/healthcheck/runner", "internal/lvs", "internal/lvs/ipvsplane", "internal/lvs/nftplane", "internal/track"},
	"internal/bgp": {"internal/config", "internal/instance"},
	"internal/lvs/half": {"internal/config", "internal/control", "internal/lvs/director", "internal/notify",
		"internal/notify/policy", "internal/track"},
	"internal/bgp/announcer": {"internal/bgp", "internal/config", "internal/control", "internal/effect",
		"internal/system", "internal/track"},
}

// wiringOnly are the packages nothing below the command may import in
// non-test code: the wiring, the test harnesses and the labs.
var wiringOnly = []string{"cmd/gokeepalived", "internal/daemon", "internal/daemon/daemontest",
	"internal/system/systemtest", "internal/golden", "internal/lab", "internal/e2e", "internal/demo"}

// newPackageRule is the rule of a package not in allowed (a package split
// out of the daemon, a new feature): any module package but the wiring.
func newPackageRule(imp string) bool { return !slices.Contains(wiringOnly, imp) }

// osLibraries touch the network or the kernel's tables; only package
// system (and the labs and benchmarks, which build namespaces) may import
// them.
var osLibraries = []string{"github.com/vishvananda/netlink", "github.com/google/nftables",
	"github.com/mdlayher/", "github.com/cloudflare/ipvs", "golang.org/x/net/"}

var osAllowed = []string{"internal/system", "internal/lab", "internal/e2e", "bench/failover",
	// The LVS half's own system edges: the probes talk to real servers,
	// the data planes program the kernel's balancer.
	"internal/healthcheck/probe", "internal/lvs/nftplane", "internal/lvs/ipvsplane"}

// pure packages decide and encode only: no system calls of any kind.
var pure = map[string][]string{
	"internal/vrrp":         {"os", "os/exec", "syscall", "golang.org/x/sys/unix", "net/http"},
	"internal/instance":     {"os", "os/exec", "syscall", "golang.org/x/sys/unix", "net/http", "log/slog"},
	"internal/instance/sim": {"os", "os/exec", "syscall", "golang.org/x/sys/unix", "net/http"},
}

// imports returns each package directory's imports from non-test and from
// test files.
func imports(t *testing.T, root string) (code, tests map[string][]string) {
	t.Helper()
	code, tests = map[string][]string{}, map[string][]string{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); n == "testdata" || (strings.HasPrefix(n, ".") && path != root) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		rel = filepath.ToSlash(rel)
		m := code
		if strings.HasSuffix(path, "_test.go") {
			m = tests
		}
		for _, is := range f.Imports {
			p, _ := strconv.Unquote(is.Path.Value)
			m[rel] = append(m[rel], p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return code, tests
}

func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test")
		}
		dir = parent
	}
}

// TestImportRules checks every package's imports against the rules of
// docs/ARCHITECTURE.md.
func TestImportRules(t *testing.T) {
	code, _ := imports(t, moduleRoot(t))
	if len(code) < 10 {
		t.Fatalf("found only %d packages; is the walk broken?", len(code))
	}
	for _, v := range checkRules(code) {
		t.Error(v)
	}
}

// checkRules returns one message per broken rule.
func checkRules(code map[string][]string) []string {
	var bad []string
	for pkg, imps := range code {
		for _, imp := range imps {
			if mod, ok := strings.CutPrefix(imp, module); ok {
				rule, known := allowed[pkg]
				if (known && !slices.Contains(rule, mod)) || (!known && !newPackageRule(mod)) {
					bad = append(bad, pkg+" imports "+mod+": not allowed by docs/ARCHITECTURE.md")
				}
				continue
			}
			for _, lib := range osLibraries {
				if strings.HasPrefix(imp, lib) && !slices.Contains(osAllowed, pkg) {
					bad = append(bad, pkg+" imports "+imp+": only internal/system may touch the network")
				}
			}
			if slices.Contains(pure[pkg], imp) {
				bad = append(bad, pkg+" imports "+imp+": it is pure code")
			}
		}
	}
	slices.Sort(bad)
	return slices.Compact(bad)
}

// TestImportRulesCatch: the checker reports a daemon import from a
// protocol package, netlink outside system, os/exec in the state machine,
// and a new package importing the daemon; it accepts a new package that
// imports system.
func TestImportRulesCatch(t *testing.T) {
	code := map[string][]string{
		"internal/vrrp":       {module + "internal/daemon"},
		"internal/track":      {"github.com/vishvananda/netlink"},
		"internal/instance":   {"os/exec", module + "internal/config"},
		"internal/newfeature": {module + "internal/daemon", module + "internal/system"},
	}
	got := checkRules(code)
	want := []string{
		"internal/instance imports internal/config: not allowed by docs/ARCHITECTURE.md",
		"internal/instance imports os/exec: it is pure code",
		"internal/newfeature imports internal/daemon: not allowed by docs/ARCHITECTURE.md",
		"internal/track imports github.com/vishvananda/netlink: only internal/system may touch the network",
		"internal/vrrp imports internal/daemon: not allowed by docs/ARCHITECTURE.md",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("violations:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestEveryPackageDocumented: docs/ARCHITECTURE.md names every package of
// the module, so the picture stays complete.
func TestEveryPackageDocumented(t *testing.T) {
	root := moduleRoot(t)
	doc, err := os.ReadFile(filepath.Join(root, "docs", "ARCHITECTURE.md"))
	if err != nil {
		t.Fatal(err)
	}
	code, _ := imports(t, root)
	for pkg := range code {
		if pkg == "." || !strings.Contains(string(doc), pkg) {
			t.Errorf("docs/ARCHITECTURE.md does not mention %s", pkg)
		}
	}
}
