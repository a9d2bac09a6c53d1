package e2e

import (
	"math"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	dto "github.com/prometheus/client_model/go"

	"github.com/gokeepalived/gokeepalived/internal/control"
	"github.com/gokeepalived/gokeepalived/internal/lab"
)

const opsMetricsAddr = "127.0.0.1:9650"

// TestOpsStatusAndMetricsAcrossFailover runs two daemons, reads `status`
// (table and --json) and the Prometheus metrics before, during and after
// a failover (the master's link goes down, then up again).
func TestOpsStatusAndMetricsAcrossFailover(t *testing.T) {
	needRoot(t)
	l := lab.New(t, lab.Spec{Hosts: lab.Hosts("a", "b")})
	a, b := l.Host("a"), l.Host("b")
	na := newNode(t, a, opsText("a", "MASTER", 100, []string{"192.168.1.6"}, ""))
	nb := newNode(t, b, opsText("b", "BACKUP", 90, []string{"192.168.1.6"}, ""))
	na.extras = []string{"--metrics", opsMetricsAddr}
	nb.extras = []string{"--metrics", opsMetricsAddr}
	na.start(t)
	nb.start(t)
	waitPlacement(t, 10*time.Second, map[netip.Addr]string{vip6: "a"}, a, b)
	waitStates(t, 5*time.Second, "VI_1", map[string]control.State{"a": control.StateMaster, "b": control.StateBackup}, na, nb)

	// The table names the instance and its state; --json has the details.
	table, code := cli(t, "status", "--socket", na.sock)
	if code != 0 || !strings.Contains(table, "VI_1") || !strings.Contains(table, "MASTER") {
		t.Errorf("status table of a (exit %d) lacks VI_1 MASTER:\n%s", code, table)
	}
	ia := instanceOf(t, statusJSON(t, na), "VI_1")
	got := struct {
		Base, Effective int
		VIPPresent      bool
		Interface       string
	}{ia.BasePriority, ia.EffectivePriority, len(ia.VIPs) == 1 && ia.VIPs[0].Present, ia.Interface}
	want := got
	want.Base, want.Effective, want.VIPPresent, want.Interface = 100, 100, true, "eth1"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("status of a (-want +got):\n%s", diff)
	}
	ib := instanceOf(t, statusJSON(t, nb), "VI_1")
	if ib.MasterAddr != a.Addr(false) {
		t.Errorf("b reports master %s, want a (%s)", ib.MasterAddr, a.Addr(false))
	}

	// Adverts: the counter grows by about one per advert_int, and the
	// backup counts as many received.
	m1a, m1b, t1 := scrape(t, a, opsMetricsAddr), scrape(t, b, opsMetricsAddr), time.Now()
	time.Sleep(4 * time.Second)
	m2a, m2b, t2 := scrape(t, a, opsMetricsAddr), scrape(t, b, opsMetricsAddr), time.Now()
	inst := map[string]string{"vrrp_instance": "VI_1"}
	sent := mustMetric(t, m2a, "gokeepalived_vrrp_adverts_sent_total", inst) - mustMetric(t, m1a, "gokeepalived_vrrp_adverts_sent_total", inst)
	rcvd := mustMetric(t, m2b, "gokeepalived_vrrp_adverts_received_total", inst) - mustMetric(t, m1b, "gokeepalived_vrrp_adverts_received_total", inst)
	expect := t2.Sub(t1).Seconds() / 1.0
	if math.Abs(sent-expect) > 1.5 {
		t.Errorf("a sent %v adverts in %.1fs, want about %.1f (one per advert_int)", sent, expect, expect)
	}
	if math.Abs(rcvd-sent) > 2 {
		t.Errorf("b received %v adverts while a sent %v", rcvd, sent)
	}
	wantStateMetric(t, "a", m2a, control.StateMaster)
	wantStateMetric(t, "b", m2b, control.StateBackup)
	if v := mustMetric(t, m2a, "gokeepalived_vrrp_vip_present", map[string]string{"vrrp_instance": "VI_1"}); v != 1 {
		t.Errorf("a: gokeepalived_vrrp_vip_present = %v, want 1", v)
	}

	// Failover: a's link goes down, b takes over.
	if err := a.SetLink(t.Context(), false); err != nil {
		t.Fatal(err)
	}
	waitStates(t, 10*time.Second, "VI_1", map[string]control.State{"a": control.StateFault, "b": control.StateMaster}, na, nb)
	mb := scrape(t, b, opsMetricsAddr)
	wantStateMetric(t, "b", mb, control.StateMaster)
	// b may already have been master for a moment at start-up (both
	// daemons start together), so count the transitions of the failover.
	toMaster := map[string]string{"vrrp_instance": "VI_1", "from": "BACKUP", "to": "MASTER"}
	before, _ := metricValue(m2b, "gokeepalived_vrrp_transitions_total", toMaster)
	if v := mustMetric(t, mb, "gokeepalived_vrrp_transitions_total", toMaster); v-before != 1 {
		t.Errorf("b: BACKUP->MASTER transitions during the failover = %v, want 1", v-before)
	}
	ib = instanceOf(t, statusJSON(t, nb), "VI_1")
	if ib.LastTransition.To != control.StateMaster || ib.LastTransition.From != control.StateBackup {
		t.Errorf("b last transition %+v, want BACKUP->MASTER", ib.LastTransition)
	}
	table, _ = cli(t, "status", "--socket", nb.sock)
	if !strings.Contains(table, "MASTER") {
		t.Errorf("status table of b lacks MASTER after failover:\n%s", table)
	}

	// And back: a preempts when its link returns.
	if err := a.SetLink(t.Context(), true); err != nil {
		t.Fatal(err)
	}
	waitStates(t, 10*time.Second, "VI_1", map[string]control.State{"a": control.StateMaster, "b": control.StateBackup}, na, nb)
	waitPlacement(t, 5*time.Second, map[netip.Addr]string{vip6: "a"}, a, b)
	wantStateMetric(t, "a", scrape(t, a, opsMetricsAddr), control.StateMaster)
}

// wantStateMetric checks gokeepalived_vrrp_state: 1 for want, 0 for every
// other state of VI_1.
func wantStateMetric(t *testing.T, host string, fams map[string]*dto.MetricFamily, want control.State) {
	t.Helper()
	for _, st := range []control.State{control.StateBackup, control.StateMaster, control.StateFault} {
		v := mustMetric(t, fams, "gokeepalived_vrrp_state", map[string]string{"vrrp_instance": "VI_1", "state": string(st)})
		if w := map[bool]float64{true: 1, false: 0}[st == want]; v != w {
			t.Errorf("%s: gokeepalived_vrrp_state{state=%q} = %v, want %v", host, st, v, w)
		}
	}
}
