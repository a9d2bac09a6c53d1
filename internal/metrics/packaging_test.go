package metrics

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The recording rules and the Grafana dashboard shipped in packaging/.
var (
	rulesFile     = filepath.Join("..", "..", "packaging", "prometheus", "gokeepalived.rules.yml")
	rulesTestFile = filepath.Join("..", "..", "packaging", "prometheus", "gokeepalived.rules.test.yml")
	dashboardFile = filepath.Join("..", "..", "packaging", "grafana", "gokeepalived.json")
)

// dashboard is the part of a Grafana dashboard the tests read.
type dashboard struct {
	Templating struct {
		List []struct {
			Name       string `json:"name"`
			Type       string `json:"type"`
			Definition string `json:"definition"`
		} `json:"list"`
	} `json:"templating"`
	Panels []struct {
		Title   string `json:"title"`
		Targets []struct {
			RefID  string `json:"refId"`
			Expr   string `json:"expr"`
			Legend string `json:"legendFormat"`
		} `json:"targets"`
	} `json:"panels"`
}

// readDashboard parses the shipped dashboard.
func readDashboard(t *testing.T) dashboard {
	t.Helper()
	b, err := os.ReadFile(dashboardFile)
	if err != nil {
		t.Fatal(err)
	}
	var d dashboard
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("%s: %v", dashboardFile, err)
	}
	return d
}

// TestPromtoolRules runs promtool's checker and the rules' unit test.
func TestPromtoolRules(t *testing.T) {
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		t.Skip("promtool not installed (Debian package prometheus; scripts/test.sh installs it)")
	}
	for _, args := range [][]string{{"check", "rules", rulesFile}, {"test", "rules", rulesTestFile}} {
		out, err := exec.Command(promtool, args...).CombinedOutput()
		if err != nil {
			t.Errorf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}

// TestPackagingNamesExist: every gokeepalived_* name the rules and the
// dashboard query is one the daemon exports, so a rename cannot leave
// them querying nothing.
func TestPackagingNamesExist(t *testing.T) {
	fams, err := fullRegistry(t).Gather()
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, f := range fams {
		have[f.GetName()] = true
		for _, s := range []string{"_bucket", "_sum", "_count"} {
			have[f.GetName()+s] = true
		}
	}
	name := regexp.MustCompile(`\bgokeepalived_[a-z_]+`)
	for _, file := range []string{rulesFile, dashboardFile} {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, m := range name.FindAllString(string(b), -1) {
			n++
			if !have[m] {
				t.Errorf("%s queries %s, which gokeepalived does not export", filepath.Base(file), m)
			}
		}
		if n == 0 {
			t.Errorf("%s names no gokeepalived metric", file)
		}
	}
}

// TestDashboardShape: every panel has queries, refIds are unique within a
// panel, and the variables the queries use are defined.
func TestDashboardShape(t *testing.T) {
	d := readDashboard(t)
	vars := map[string]bool{"__rate_interval": true}
	for _, v := range d.Templating.List {
		vars[v.Name] = true
	}
	used := regexp.MustCompile(`\$(\w+)`)
	if len(d.Panels) < 10 {
		t.Errorf("%d panels", len(d.Panels))
	}
	for _, p := range d.Panels {
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		refs := map[string]bool{}
		for _, tg := range p.Targets {
			if tg.Expr == "" || refs[tg.RefID] {
				t.Errorf("panel %q: empty query or repeated refId %q", p.Title, tg.RefID)
			}
			refs[tg.RefID] = true
			for _, m := range used.FindAllStringSubmatch(tg.Expr, -1) {
				if !vars[m[1]] {
					t.Errorf("panel %q uses undefined variable $%s", p.Title, m[1])
				}
			}
		}
	}
}
