package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/lab"
)

// The daemon's default metrics address (an address without a port gets
// 19650) and the Prometheus server beside it, both in the lab host.
const (
	promTarget = "127.0.0.1:19650"
	promAddr   = "127.0.0.1:9090"
)

// promSample is one series of an instant query's answer.
type promSample struct {
	Labels map[string]string
	Value  float64
}

func (s promSample) String() string { return fmt.Sprintf("%v=%g", s.Labels, s.Value) }

// promAPI queries a Prometheus server running inside a lab host.
type promAPI struct {
	t      *testing.T
	client *http.Client
}

// get fetches path (with query) and decodes the "data" of the answer.
func (p promAPI) get(path string, q url.Values, data any) error {
	resp, err := p.client.Get("http://" + promAddr + path + "?" + q.Encode())
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var body struct {
		Status string          `json:"status"`
		Error  string          `json:"error"`
		Data   json.RawMessage `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return fmt.Errorf("%s: %s: %w", path, resp.Status, err)
	}
	if body.Status != "success" {
		return fmt.Errorf("%s %v: %s", path, q, body.Error)
	}
	return json.Unmarshal(body.Data, data)
}

// query evaluates expr now; an error fails the test.
func (p promAPI) query(expr string) []promSample {
	p.t.Helper()
	var data struct {
		Result []struct {
			Metric map[string]string `json:"metric"`
			Value  [2]any            `json:"value"`
		} `json:"result"`
	}
	if err := p.get("/api/v1/query", url.Values{"query": {expr}}, &data); err != nil {
		p.t.Fatalf("query %s: %v", expr, err)
	}
	var out []promSample
	for _, r := range data.Result {
		s, _ := r.Value[1].(string)
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			p.t.Fatalf("query %s: value %v", expr, r.Value)
		}
		out = append(out, promSample{r.Metric, v})
	}
	return out
}

// one waits until expr returns exactly one series and cond holds for its
// value, and returns it.
func (p promAPI) one(limit time.Duration, expr string, cond func(float64) bool) promSample {
	p.t.Helper()
	var got []promSample
	eventually(p.t, limit, expr, func() (bool, string) {
		got = p.query(expr)
		return len(got) == 1 && cond(got[0].Value), fmt.Sprint(got)
	})
	return got[0]
}

// startPrometheus runs the Debian prometheus in h, scraping the daemon's
// default metrics address every second and loading the shipped recording
// rules, with its storage in a temporary folder.
func startPrometheus(t *testing.T, h *lab.Host) promAPI {
	t.Helper()
	bin, err := exec.LookPath("prometheus")
	if err != nil {
		t.Skip("prometheus not installed (Debian package prometheus; scripts/test.sh installs it)")
	}
	rules, err := filepath.Abs(filepath.Join("..", "..", "packaging", "prometheus", "gokeepalived.rules.yml"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	conf := fmt.Sprintf(`global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files: [%q]
scrape_configs:
  - job_name: gokeepalived
    static_configs:
      - targets: [%q]
`, rules, promTarget)
	if err := os.WriteFile(filepath.Join(dir, "prometheus.yml"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := h.Run(t.Context(), bin, "--config.file="+filepath.Join(dir, "prometheus.yml"),
		"--storage.tsdb.path="+filepath.Join(dir, "data"), "--web.listen-address="+promAddr, "--log.level=warn")
	if err != nil {
		t.Fatalf("start prometheus: %v", err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("prometheus log:\n%s", tail(p.Output(), 30))
		}
	})
	api := promAPI{t: t, client: h.HTTPClient(5 * time.Second)}
	eventually(t, 30*time.Second, "prometheus ready", func() (bool, string) {
		resp, err := api.client.Get("http://" + promAddr + "/-/ready")
		if err != nil {
			return false, err.Error()
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK, resp.Status
	})
	return api
}

// TestMetricsPrometheusScrape scrapes a daemon with a real Prometheus in
// the lab (issue 19 items 3 and 6): the documented queries by
// vrrp_instance find their series and nothing is renamed
// exported_instance; the shipped recording rules load and give the
// keepalived exporter's series; every query of the shipped Grafana
// dashboard returns the expected series; and the counters do not reset
// when a reload restarts the instance or SIGRTMAX-1 clears the stats.
func TestMetricsPrometheusScrape(t *testing.T) {
	needRoot(t)
	t.Setenv("GOKEEPALIVED_DUMP_DIR", t.TempDir())
	l := lab.New(t, lab.Spec{Hosts: lab.Hosts("a")})
	a := l.Host("a")
	group := "vrrp_sync_group G1 {\n    group {\n        VI_1\n    }\n    sync_group_tracking_weight\n}\n"
	conf := opsText("a", "MASTER", 100, []string{"192.168.1.6/24"}, group)
	n := newNode(t, a, conf)
	n.extras = []string{"--metrics", "127.0.0.1"} // the default port
	n.start(t)
	prom := startPrometheus(t, a)

	// The query docs/metrics.md documents, by vrrp_instance; the target keeps
	// its own instance label.
	s := prom.one(30*time.Second, `gokeepalived_vrrp_state{vrrp_instance="VI_1",state="MASTER"}`, func(v float64) bool { return v == 1 })
	if s.Labels["instance"] != promTarget || s.Labels["job"] != "gokeepalived" {
		t.Errorf("target labels %v, want instance=%s job=gokeepalived", s.Labels, promTarget)
	}
	if got := prom.query(`{exported_instance=~".+"}`); len(got) > 0 {
		t.Errorf("%d series carry exported_instance, e.g. %v", len(got), got[0])
	}
	bi := prom.one(5*time.Second, `gokeepalived_build_info`, func(v float64) bool { return v == 1 })
	if bi.Labels["version"] == "" || bi.Labels["revision"] == "" || !strings.HasPrefix(bi.Labels["goversion"], "go") {
		t.Errorf("gokeepalived_build_info labels %v", bi.Labels)
	}

	checkRules(t, prom)
	checkDashboard(t, prom)
	checkCountersMonotonic(t, prom, n, conf)
}

// checkRules: every shipped rule is loaded and evaluates without error, and
// the keepalived exporter's series are there with its labels and values.
func checkRules(t *testing.T, prom promAPI) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "packaging", "prometheus", "gokeepalived.rules.yml"))
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Count(string(b), "- record:")
	var health []string
	eventually(t, 20*time.Second, "all rules evaluated", func() (bool, string) {
		var data struct {
			Groups []struct {
				Rules []struct {
					Name, Health, LastError string
				} `json:"rules"`
			} `json:"groups"`
		}
		if err := prom.get("/api/v1/rules", nil, &data); err != nil {
			return false, err.Error()
		}
		health = nil
		for _, g := range data.Groups {
			for _, r := range g.Rules {
				health = append(health, r.Name+":"+r.Health+r.LastError)
			}
		}
		ok := len(health) == want
		for _, h := range health {
			ok = ok && strings.HasSuffix(h, ":ok")
		}
		return ok, fmt.Sprint(health)
	})
	ka := `iname="VI_1",intf="eth1",vrid="51"`
	prom.one(10*time.Second, `keepalived_up`, func(v float64) bool { return v == 1 })
	prom.one(10*time.Second, `keepalived_vrrp_state{`+ka+`,ip_address="192.168.1.6"}`, func(v float64) bool { return v == 2 })
	prom.one(10*time.Second, `keepalived_advertisements_sent_total{`+ka+`}`, func(v float64) bool { return v > 0 })
	prom.one(10*time.Second, `keepalived_become_master_total{`+ka+`}`, func(v float64) bool { return v == 1 })
	prom.one(10*time.Second, `keepalived_script_status{name="ok"}`, func(v float64) bool { return v == 1 })
}

// checkDashboard resolves the dashboard's variables the way Grafana does
// (label values of their queries) and evaluates every panel query with
// them: each returns series, those of VRRP instances are VI_1's.
func checkDashboard(t *testing.T, prom promAPI) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "packaging", "grafana", "gokeepalived.json"))
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Templating struct {
			List []struct{ Name, Type, Definition string } `json:"list"`
		} `json:"templating"`
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	labelValues := regexp.MustCompile(`^label_values\((.*), *(\w+)\)$`)
	vars := map[string]string{"$__rate_interval": "1m"}
	wantVars := map[string]string{"instance": promTarget, "vrrp_instance": "VI_1"}
	for _, v := range d.Templating.List {
		if v.Type != "query" {
			continue
		}
		m := labelValues.FindStringSubmatch(v.Definition)
		if m == nil {
			t.Fatalf("variable %s: %q is not label_values(QUERY, LABEL)", v.Name, v.Definition)
		}
		match := m[1]
		for k, val := range vars {
			match = strings.ReplaceAll(match, k, val)
		}
		var values []string
		if err := prom.get("/api/v1/label/"+m[2]+"/values", url.Values{"match[]": {match}}, &values); err != nil {
			t.Fatalf("variable %s: %v", v.Name, err)
		}
		if !slices.Equal(values, []string{wantVars[v.Name]}) {
			t.Errorf("variable %s = %v, want [%s]", v.Name, values, wantVars[v.Name])
		}
		vars["$"+v.Name] = wantVars[v.Name]
	}
	for _, p := range d.Panels {
		for _, tg := range p.Targets {
			expr := tg.Expr
			for k, val := range vars {
				expr = strings.ReplaceAll(expr, k, val)
			}
			if strings.Contains(expr, "$") {
				t.Errorf("panel %q: unresolved variable in %s", p.Title, expr)
				continue
			}
			var got []promSample
			eventually(t, 15*time.Second, fmt.Sprintf("panel %q: %s", p.Title, expr), func() (bool, string) {
				got = prom.query(expr)
				return len(got) > 0, "no series"
			})
			for _, s := range got {
				if in, ok := s.Labels["vrrp_instance"]; ok && in != "VI_1" {
					t.Errorf("panel %q: series of %q", p.Title, in)
				}
				if p.Title == "VRRP state" && s.Labels["state"] != "MASTER" {
					t.Errorf("panel %q shows %v, want MASTER", p.Title, s)
				}
			}
		}
	}
}

// checkCountersMonotonic restarts VI_1 by a reload (new VRID), then clears
// the stats with SIGRTMAX-1, and checks no gokeepalived counter went down
// in Prometheus's eyes.
func checkCountersMonotonic(t *testing.T, prom promAPI, n *node, conf string) {
	t.Helper()
	const sent = `gokeepalived_vrrp_adverts_sent_total{vrrp_instance="VI_1"}`
	before := prom.one(5*time.Second, sent, func(float64) bool { return true }).Value

	n.writeConf(t, strings.Replace(conf, "virtual_router_id 51", "virtual_router_id 52", 1))
	n.signal(t, syscall.SIGHUP)
	prom.one(20*time.Second, `gokeepalived_vrrp_info{vrrp_instance="VI_1",vrid="52"}`, func(float64) bool { return true })
	// Restarted, it is master again: a second became_master, on top of
	// the first one it kept.
	prom.one(20*time.Second, `gokeepalived_vrrp_became_master_total{vrrp_instance="VI_1"}`, func(v float64) bool { return v == 2 })

	atClear := instanceOf(t, statusJSON(t, n), "VI_1").Stats.AdvertSent
	n.signal(t, syscall.Signal(63)) // SIGRTMAX-1: write keepalived.stats and clear
	eventually(t, 5*time.Second, "stats cleared", func() (bool, string) {
		got := instanceOf(t, statusJSON(t, n), "VI_1").Stats.AdvertSent
		return got < atClear, fmt.Sprintf("adverts sent %d, %d before the clear", got, atClear)
	})
	time.Sleep(3 * time.Second) // a few scrapes after the clear

	after := prom.one(5*time.Second, sent, func(float64) bool { return true }).Value
	if after <= before {
		t.Errorf("adverts sent %v after the restart and the clear, %v before", after, before)
	}
	var counters []string
	if err := prom.get("/api/v1/label/__name__/values", url.Values{"match[]": {`{__name__=~"gokeepalived_.*_total"}`}}, &counters); err != nil {
		t.Fatal(err)
	}
	if len(counters) < 10 {
		t.Errorf("only %d gokeepalived counters in Prometheus: %v", len(counters), counters)
	}
	for _, c := range counters {
		if r := prom.query(`resets(` + c + `[10m]) > 0`); len(r) > 0 {
			t.Errorf("%s reset: %v", c, r)
		}
	}
}
