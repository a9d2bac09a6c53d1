package metrics

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os/exec"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/gokeepalived/gokeepalived/internal/control"
)

func snapshot() control.Snapshot {
	return control.Snapshot{
		Daemon: control.Daemon{RxKernelDrops: 17},
		Config: control.ConfigStatus{
			File:            "/etc/keepalived/keepalived.conf",
			LoadedAt:        time.Unix(1700000000, 500000000),
			LastReloadError: "line 3: unknown block",
		},
		Instances: []control.Instance{{
			Name: "VI_1", Interface: "eth1", VRID: 51, Version: 2, Family: "inet",
			State: control.StateMaster, BasePriority: 150, EffectivePriority: 130,
			LastTransition: control.Transition{At: time.Unix(1700000100, 0), From: control.StateBackup, To: control.StateMaster},
			VIPs: []control.VIP{
				{Addr: netip.MustParsePrefix("192.168.1.6/24"), Interface: "eth1", Present: true},
				{Addr: netip.MustParsePrefix("192.168.1.7/32"), Interface: "eth1"},
			},
			Stats: control.Stats{
				AdvertSent: 120, AdvertRcvd: 3, BecomeMaster: 2, ReleaseMaster: 1, PriZeroSent: 1,
				IPTTLErr: 4, AuthFailure: 1, GratuitousARPSent: 10, UnsolicitedNASent: 0,
				Drops: map[string]uint64{"checksum": 7},
			},
		}},
		SyncGroups: []control.SyncGroup{{Name: "G1", State: control.StateBackup, Members: []string{"VI_1"}}},
		Trackers: []control.Tracker{
			{Name: "chk_nginx", Kind: "script", Status: "BAD", LastRun: time.Unix(1700000200, 0), LastExitCode: 3},
			{Name: "eth1", Kind: "interface", Status: "GOOD"},
		},
	}
}

// scrape serves reg's metrics through Handler, parses them with the
// Prometheus text parser and flattens them to "name{k="v",...}" -> value
// (histograms as _count and _sum).
func scrape(t *testing.T, reg *prometheus.Registry) map[string]float64 {
	t.Helper()
	rec := httptest.NewRecorder()
	Handler(reg, slog.New(slog.DiscardHandler)).ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != 200 {
		t.Fatalf("scrape: %d %s", rec.Code, rec.Body)
	}
	return parse(t, rec.Body)
}

func parse(t *testing.T, r io.Reader) map[string]float64 {
	t.Helper()
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(r)
	if err != nil {
		t.Fatalf("parse exposition: %v", err)
	}
	out := map[string]float64{}
	for name, f := range fams {
		for _, m := range f.GetMetric() {
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, fmt.Sprintf("%s=%q", l.GetName(), l.GetValue()))
			}
			sort.Strings(labels)
			key := name + "{" + strings.Join(labels, ",") + "}"
			switch f.GetType() {
			case dto.MetricType_COUNTER:
				out[key] = m.GetCounter().GetValue()
			case dto.MetricType_GAUGE:
				out[key] = m.GetGauge().GetValue()
			case dto.MetricType_HISTOGRAM:
				out[strings.Replace(key, "{", "_count{", 1)] = float64(m.GetHistogram().GetSampleCount())
				out[strings.Replace(key, "{", "_sum{", 1)] = m.GetHistogram().GetSampleSum()
			}
		}
	}
	return out
}

func TestScrape(t *testing.T) {
	reg := prometheus.NewRegistry()
	var scrapes atomic.Int32
	m, err := New(reg, control.SourceFunc(func() control.Snapshot { scrapes.Add(1); return snapshot() }))
	if err != nil {
		t.Fatal(err)
	}
	m.Transition("VI_1", control.StateBackup, control.StateMaster)
	m.Transition("VI_1", control.StateBackup, control.StateMaster)
	m.Transition("VI_1", control.StateMaster, control.StateFault)
	m.ScriptRun("chk_nginx", ScriptSuccess, 20*time.Millisecond)
	m.ScriptRun("chk_nginx", ScriptTimeout, 2*time.Second)

	got := scrape(t, reg)
	if n := scrapes.Load(); n != 1 {
		t.Errorf("one scrape took %d snapshots, want 1", n)
	}
	want := map[string]float64{
		`gokeepalived_vrrp_state{state="MASTER",vrrp_instance="VI_1"}`:                                      1,
		`gokeepalived_vrrp_state{state="BACKUP",vrrp_instance="VI_1"}`:                                      0,
		`gokeepalived_vrrp_state{state="FAULT",vrrp_instance="VI_1"}`:                                       0,
		`gokeepalived_vrrp_info{family="inet",interface="eth1",version="2",vrid="51",vrrp_instance="VI_1"}`: 1,
		`gokeepalived_vrrp_base_priority{vrrp_instance="VI_1"}`:                                             150,
		`gokeepalived_vrrp_effective_priority{vrrp_instance="VI_1"}`:                                        130,
		`gokeepalived_vrrp_last_transition_timestamp_seconds{vrrp_instance="VI_1"}`:                         1700000100,
		`gokeepalived_vrrp_adverts_sent_total{vrrp_instance="VI_1"}`:                                        120,
		`gokeepalived_vrrp_adverts_received_total{vrrp_instance="VI_1"}`:                                    3,
		`gokeepalived_vrrp_became_master_total{vrrp_instance="VI_1"}`:                                       2,
		`gokeepalived_vrrp_released_master_total{vrrp_instance="VI_1"}`:                                     1,
		`gokeepalived_vrrp_priority_zero_sent_total{vrrp_instance="VI_1"}`:                                  1,
		`gokeepalived_vrrp_priority_zero_received_total{vrrp_instance="VI_1"}`:                              0,
		`gokeepalived_vrrp_drops_total{reason="ip_ttl",vrrp_instance="VI_1"}`:                               4,
		`gokeepalived_vrrp_drops_total{reason="auth_failure",vrrp_instance="VI_1"}`:                         1,
		`gokeepalived_vrrp_drops_total{reason="checksum",vrrp_instance="VI_1"}`:                             7,
		`gokeepalived_vrrp_drops_total{reason="packet_length",vrrp_instance="VI_1"}`:                        0,
		`gokeepalived_vrrp_gratuitous_arp_sent_total{vrrp_instance="VI_1"}`:                                 10,
		`gokeepalived_vrrp_unsolicited_na_sent_total{vrrp_instance="VI_1"}`:                                 0,
		`gokeepalived_vrrp_vip_present{vip="192.168.1.6/24",vrrp_instance="VI_1"}`:                          1,
		`gokeepalived_vrrp_vip_present{vip="192.168.1.7/32",vrrp_instance="VI_1"}`:                          0,
		`gokeepalived_sync_group_state{group="G1",state="BACKUP"}`:                                          1,
		`gokeepalived_sync_group_state{group="G1",state="MASTER"}`:                                          0,
		`gokeepalived_tracker_healthy{kind="script",tracker="chk_nginx"}`:                                   0,
		`gokeepalived_tracker_healthy{kind="interface",tracker="eth1"}`:                                     1,
		`gokeepalived_tracker_last_exit_code{tracker="chk_nginx"}`:                                          3,
		`gokeepalived_config_last_reload_successful{}`:                                                      0,
		`gokeepalived_vrrp_rx_kernel_drops_total{}`:                                                         17,
		`gokeepalived_config_loaded_timestamp_seconds{}`:                                                    1700000000.5,
		`gokeepalived_vrrp_transitions_total{from="BACKUP",to="MASTER",vrrp_instance="VI_1"}`:               2,
		`gokeepalived_vrrp_transitions_total{from="MASTER",to="FAULT",vrrp_instance="VI_1"}`:                1,
		`gokeepalived_script_runs_total{result="success",script="chk_nginx"}`:                               1,
		`gokeepalived_script_runs_total{result="timeout",script="chk_nginx"}`:                               1,
		`gokeepalived_script_duration_seconds_count{script="chk_nginx"}`:                                    2,
		`gokeepalived_script_duration_seconds_sum{script="chk_nginx"}`:                                      2.02,
	}
	sub := map[string]float64{}
	for k := range want {
		if v, ok := got[k]; ok {
			sub[k] = v
		}
	}
	if diff := cmp.Diff(want, sub); diff != "" {
		t.Errorf("scraped samples (-want +got):\n%s", diff)
	}
	// Exactly one state is 1 per instance, over every known state.
	n := 0
	for k, v := range got {
		if strings.HasPrefix(k, "gokeepalived_vrrp_state{") {
			n++
			if v == 1 && !strings.Contains(k, `"MASTER"`) {
				t.Errorf("%s = 1", k)
			}
		}
	}
	if n != len(control.States) {
		t.Errorf("%d vrrp_state series, want %d", n, len(control.States))
	}
}

func TestNilMetricsAndDoubleRegistration(t *testing.T) {
	var m *Metrics
	m.Transition("VI_1", control.StateBackup, control.StateMaster)
	m.ScriptRun("x", ScriptFailure, time.Second)

	reg := prometheus.NewRegistry()
	src := control.SourceFunc(snapshot)
	if _, err := New(reg, src); err != nil {
		t.Fatal(err)
	}
	if _, err := New(reg, src); err == nil {
		t.Error("second New on the same registry: no error")
	}
}

func TestScriptResultString(t *testing.T) {
	got := []string{}
	for _, r := range []ScriptResult{0, ScriptSuccess, ScriptFailure, ScriptTimeout, ScriptError} {
		got = append(got, r.String())
	}
	if diff := cmp.Diff([]string{"unknown", "success", "failure", "timeout", "error"}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestServe scrapes a real listener on loopback, and checks other paths
// are 404 and that Serve returns when its context ends.
func TestServe(t *testing.T) {
	reg := NewRegistry(BuildInfo{Version: "1.2.3", Revision: "abc", GoVersion: "go1.26"})
	if _, err := New(reg, control.SourceFunc(snapshot)); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- Serve(ctx, ln, Handler(reg, slog.New(slog.DiscardHandler)), slog.New(slog.DiscardHandler))
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	base := "http://" + ln.Addr().String()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	got := parse(t, resp.Body)
	resp.Body.Close()
	for _, k := range []string{`gokeepalived_vrrp_adverts_sent_total{vrrp_instance="VI_1"}`, `go_goroutines{}`} {
		if _, ok := got[k]; !ok {
			t.Errorf("scrape lacks %s", k)
		}
	}
	resp, err = http.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Errorf("GET /: %d, want 404", resp.StatusCode)
	}
}

// BenchmarkScrape measures one scrape of a daemon with 100 instances.
func BenchmarkScrape(b *testing.B) {
	s := snapshot()
	base := s.Instances[0]
	s.Instances = nil
	for i := range 100 {
		in := base
		in.Name = fmt.Sprintf("VI_%d", i)
		s.Instances = append(s.Instances, in)
	}
	reg := prometheus.NewRegistry()
	if _, err := New(reg, control.SourceFunc(func() control.Snapshot { return s })); err != nil {
		b.Fatal(err)
	}
	h := Handler(reg, slog.New(slog.DiscardHandler))
	req := httptest.NewRequest("GET", "/metrics", nil)
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
	}
}

// fullRegistry is the daemon's registry over snapshot(), with one
// transition and one script run recorded, so every family has a sample.
func fullRegistry(t *testing.T) *prometheus.Registry {
	t.Helper()
	reg := NewRegistry(BuildInfo{Version: "1.2.3", Revision: "abc", GoVersion: "go1.26.0"})
	m, err := New(reg, control.SourceFunc(snapshot))
	if err != nil {
		t.Fatal(err)
	}
	m.Transition("VI_1", control.StateBackup, control.StateMaster)
	m.ScriptRun("chk_nginx", ScriptSuccess, time.Millisecond)
	return reg
}

// TestNoTargetLabelClash: no series carries a label Prometheus sets on
// every target ("instance", "job"); a scraped one would be renamed
// exported_instance and queries by it would find nothing.
func TestNoTargetLabelClash(t *testing.T) {
	reg := fullRegistry(t)
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	named := 0
	for _, f := range fams {
		for _, s := range f.GetMetric() {
			for _, l := range s.GetLabel() {
				switch l.GetName() {
				case "instance", "job":
					t.Errorf("%s has a %q label (%s)", f.GetName(), l.GetName(), l.GetValue())
				case InstanceLabel:
					named++
				}
			}
		}
	}
	if named == 0 {
		t.Errorf("no series has a %s label", InstanceLabel)
	}
}

// TestCountersIncludeCleared: the exported counters are Stats plus what
// SIGRTMAX-1 cleared, so they do not go down when keepalived.stats is
// cleared.
func TestCountersIncludeCleared(t *testing.T) {
	before := snapshot()
	after := snapshot()
	in := &after.Instances[0]
	in.StatsCleared = in.Stats
	in.Stats = control.Stats{AdvertSent: 5, Drops: map[string]uint64{"checksum": 1}}
	cur := before
	reg := prometheus.NewRegistry()
	if _, err := New(reg, control.SourceFunc(func() control.Snapshot { return cur })); err != nil {
		t.Fatal(err)
	}
	keys := []string{
		`gokeepalived_vrrp_adverts_sent_total{vrrp_instance="VI_1"}`,
		`gokeepalived_vrrp_drops_total{reason="checksum",vrrp_instance="VI_1"}`,
		`gokeepalived_vrrp_drops_total{reason="ip_ttl",vrrp_instance="VI_1"}`,
	}
	pick := func(m map[string]float64) []float64 {
		var out []float64
		for _, k := range keys {
			out = append(out, m[k])
		}
		return out
	}
	got := [][]float64{pick(scrape(t, reg))}
	cur = after
	got = append(got, pick(scrape(t, reg)))
	want := [][]float64{{120, 7, 4}, {125, 8, 4}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("counters before and after a clear (-want +got):\n%s", diff)
	}
}

func TestBuildInfo(t *testing.T) {
	reg := NewRegistry(BuildInfo{Version: "1.2.3", Revision: "abc", GoVersion: "go1.26.0"})
	got := scrape(t, reg)
	if v, ok := got[`gokeepalived_build_info{goversion="go1.26.0",revision="abc",version="1.2.3"}`]; !ok || v != 1 {
		t.Errorf("gokeepalived_build_info = %v (present %v), want 1", v, ok)
	}
	bi := ReadBuildInfo("9.9")
	if bi.Version != "9.9" || bi.GoVersion != runtime.Version() || bi.Revision == "" {
		t.Errorf("ReadBuildInfo(9.9) = %+v", bi)
	}
}

func TestRevision(t *testing.T) {
	tests := []struct {
		name     string
		settings []debug.BuildSetting
		want     string
	}{
		{"none", nil, "unknown"},
		{"clean", []debug.BuildSetting{{Key: "vcs.revision", Value: "abc"}, {Key: "vcs.modified", Value: "false"}}, "abc"},
		{"modified", []debug.BuildSetting{{Key: "vcs.modified", Value: "true"}, {Key: "vcs.revision", Value: "abc"}}, "abc-modified"},
		{"modified without revision", []debug.BuildSetting{{Key: "vcs.modified", Value: "true"}}, "unknown"},
	}
	for _, tt := range tests {
		if got := revision(tt.settings); got != tt.want {
			t.Errorf("%s: revision = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestListenAddr(t *testing.T) {
	for in, want := range map[string]string{
		"":               "",
		"127.0.0.1":      "127.0.0.1:19650",
		"0.0.0.0":        "0.0.0.0:19650",
		"::1":            "[::1]:19650",
		"[::1]":          "[::1]:19650",
		"localhost":      "localhost:19650",
		"127.0.0.1:9000": "127.0.0.1:9000",
		"[::1]:9000":     "[::1]:9000",
		":9000":          ":9000",
	} {
		if got := ListenAddr(in); got != want {
			t.Errorf("ListenAddr(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestPromtoolCheckMetrics lints a full exposition with promtool (the
// Prometheus project's own linter) when it is installed.
func TestPromtoolCheckMetrics(t *testing.T) {
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		t.Skip("promtool not installed (Debian package prometheus; scripts/test.sh installs it)")
	}
	reg := fullRegistry(t)
	rec := httptest.NewRecorder()
	Handler(reg, slog.New(slog.DiscardHandler)).ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = rec.Body
	out, err := cmd.CombinedOutput()
	if err != nil || len(strings.TrimSpace(string(out))) > 0 {
		t.Errorf("promtool check metrics: %v\n%s", err, out)
	}
}
