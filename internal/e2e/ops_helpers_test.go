package e2e

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/gokeepalived/gokeepalived/internal/control"
	"github.com/gokeepalived/gokeepalived/internal/lab"
)

// opsConf is one instance (and a vrrp_script that always succeeds, so that
// reloads can show the runner keeps its state). %s are the state, %d the
// priority, the last %s extra instance lines.
const opsConf = `
global_defs {
    router_id @ROUTER@
}
vrrp_script ok {
    script "/bin/true"
    interval 1
    weight -20
}
vrrp_instance VI_1 {
    state %s
    interface eth1
    virtual_router_id 51
    priority %d
    advert_int 1
    garp_master_delay 1
    track_script {
        ok
    }
    virtual_ipaddress {
%s    }
}
%s`

// opsText renders opsConf for host name.
func opsText(name, state string, prio int, vips []string, extra string) string {
	var b strings.Builder
	for _, v := range vips {
		fmt.Fprintf(&b, "        %s\n", v)
	}
	return strings.ReplaceAll(fmt.Sprintf(opsConf, state, prio, b.String(), extra), "@ROUTER@", name)
}

// cli runs `gokeepalived args...` (a client subcommand, from the root
// namespace: the unix socket is a file) and returns stdout and the exit
// code.
func cli(t *testing.T, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(binary(t), args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run gokeepalived %v: %v", args, err)
	}
	if code != 0 {
		t.Logf("gokeepalived %v: exit %d: %s", args, code, stderr.String())
	}
	return string(out), code
}

// statusJSON reads `gokeepalived status --json` from n, retrying while
// the socket comes up.
func statusJSON(t *testing.T, n *node) control.Snapshot {
	t.Helper()
	var s control.Snapshot
	var last string
	for range 60 {
		out, code := cli(t, "status", "--socket", n.sock, "--json")
		if code == 0 {
			if err := json.Unmarshal([]byte(out), &s); err != nil {
				t.Fatalf("status --json of %s: %v\n%s", n.host.Name, err, out)
			}
			return s
		}
		last = out
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("status --json of %s never answered: %s", n.host.Name, last)
	return s
}

// instanceOf returns the named instance of s.
func instanceOf(t *testing.T, s control.Snapshot, name string) control.Instance {
	t.Helper()
	for _, in := range s.Instances {
		if in.Name == name {
			return in
		}
	}
	t.Fatalf("no instance %s in status (%d instances)", name, len(s.Instances))
	return control.Instance{}
}

// states returns each node's state of instance name, by host name.
func states(t *testing.T, name string, nodes ...*node) map[string]control.State {
	t.Helper()
	out := map[string]control.State{}
	for _, n := range nodes {
		out[n.host.Name] = instanceOf(t, statusJSON(t, n), name).State
	}
	return out
}

// waitStates waits until every node reports the wanted state of name.
func waitStates(t *testing.T, limit time.Duration, name string, want map[string]control.State, nodes ...*node) {
	t.Helper()
	eventually(t, limit, fmt.Sprintf("states %v", want), func() (bool, string) {
		got := states(t, name, nodes...)
		return fmt.Sprint(got) == fmt.Sprint(want), fmt.Sprint(got)
	})
}

// scrape fetches http://addr/metrics from inside h's namespace and parses
// it with the Prometheus text parser.
func scrape(t *testing.T, h *lab.Host, addr string) map[string]*dto.MetricFamily {
	t.Helper()
	var fams map[string]*dto.MetricFamily
	var last error
	for range 50 {
		last = h.Do(func() error {
			// Dial here, on the namespaced thread: http.Transport would
			// dial from another goroutine, outside the namespace.
			conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
			if err != nil {
				return err
			}
			defer conn.Close()
			conn.SetDeadline(time.Now().Add(5 * time.Second))
			req, err := http.NewRequest(http.MethodGet, "http://"+addr+"/metrics", nil)
			if err != nil {
				return err
			}
			req.Close = true
			if err := req.Write(conn); err != nil {
				return err
			}
			resp, err := http.ReadResponse(bufio.NewReader(conn), req)
			if err != nil {
				return err
			}
			defer resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b, _ := io.ReadAll(resp.Body)
				return fmt.Errorf("status %s: %s", resp.Status, b)
			}
			p := expfmt.NewTextParser(model.UTF8Validation)
			fams, err = p.TextToMetricFamilies(resp.Body)
			return err
		})
		if last == nil {
			return fams
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("scrape %s in %s: %v", addr, h.Name, last)
	return nil
}

// metricValue returns the value of the sample of family name whose labels
// include every pair in labels, and whether there is one.
func metricValue(fams map[string]*dto.MetricFamily, name string, labels map[string]string) (float64, bool) {
	f := fams[name]
	if f == nil {
		return 0, false
	}
next:
	for _, m := range f.GetMetric() {
		have := map[string]string{}
		for _, lp := range m.GetLabel() {
			have[lp.GetName()] = lp.GetValue()
		}
		for k, v := range labels {
			if have[k] != v {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.GetCounter().GetValue(), true
		case m.Gauge != nil:
			return m.GetGauge().GetValue(), true
		case m.Untyped != nil:
			return m.GetUntyped().GetValue(), true
		}
	}
	return 0, false
}

// mustMetric is metricValue that fails the test when the sample is missing.
func mustMetric(t *testing.T, fams map[string]*dto.MetricFamily, name string, labels map[string]string) float64 {
	t.Helper()
	v, ok := metricValue(fams, name, labels)
	if !ok {
		t.Fatalf("metric %s%v not found", name, labels)
	}
	return v
}
