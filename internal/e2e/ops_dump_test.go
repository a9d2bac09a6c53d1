package e2e

import (
	"encoding/json"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gokeepalived/gokeepalived/internal/lab"
)

// readDump sends sig to n and waits for file in dir to be (re)written.
func readDump(t *testing.T, n *node, sig syscall.Signal, path string) []byte {
	t.Helper()
	os.Remove(path)
	n.signal(t, sig)
	var b []byte
	eventually(t, 5*time.Second, "dump "+filepath.Base(path), func() (bool, string) {
		var err error
		b, err = os.ReadFile(path)
		return err == nil && len(b) > 0, ""
	})
	return b
}

// TestOpsDumps sends keepalived's dump signals to a master and reads the
// files from the directory GOKEEPALIVED_DUMP_DIR names: the JSON dump in
// json_version 1 (an array) and, after a reload, 2 (an object with
// "vrrp"), then the data (USR1) and stats (USR2) dumps.
func TestOpsDumps(t *testing.T) {
	needRoot(t)
	l := lab.New(t, lab.Spec{Hosts: lab.Hosts("a")})
	a := l.Host("a")
	conf := opsText("a", "MASTER", 100, []string{"192.168.1.6"}, "")
	na := newNode(t, a, conf)
	dumps := t.TempDir()
	t.Setenv("GOKEEPALIVED_DUMP_DIR", dumps)
	na.start(t)
	waitPlacement(t, 10*time.Second, map[netip.Addr]string{vip6: "a"}, a)
	ca := dialNode(t, na)
	time.Sleep(1500 * time.Millisecond)

	type entry struct {
		Data struct {
			Iname             string `json:"iname"`
			State             int    `json:"state"`
			Vrid              int    `json:"vrid"`
			EffectivePriority int    `json:"effective_priority"`
		} `json:"data"`
		Stats struct {
			AdvertSent uint64 `json:"advert_sent"`
		} `json:"stats"`
	}
	check := func(version string, es []entry) {
		t.Helper()
		if len(es) != 1 {
			t.Fatalf("json_version %s: %d instances, want 1", version, len(es))
		}
		got := es[0].Data
		want := got
		want.Iname, want.State, want.Vrid, want.EffectivePriority = "VI_1", 2, 51, 100
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("json_version %s data (-want +got):\n%s", version, diff)
		}
		if es[0].Stats.AdvertSent == 0 {
			t.Errorf("json_version %s: advert_sent 0 from a master", version)
		}
	}
	jsonPath := filepath.Join(dumps, "keepalived.json")
	sigJSON := syscall.Signal(34 + 2)
	var v1 []entry
	if err := json.Unmarshal(readDump(t, na, sigJSON, jsonPath), &v1); err != nil {
		t.Fatalf("json_version 1 dump: %v", err)
	}
	check("1", v1)

	na.writeConf(t, strings.Replace(conf, "router_id a", "router_id a\n    json_version 2", 1))
	if s := sighupReload(t, na, ca); s.Config.LastReloadError != "" {
		t.Fatalf("reload: %s", s.Config.LastReloadError)
	}
	var v2 struct {
		VRRP []entry `json:"vrrp"`
	}
	if err := json.Unmarshal(readDump(t, na, sigJSON, jsonPath), &v2); err != nil {
		t.Fatalf("json_version 2 dump: %v", err)
	}
	check("2", v2.VRRP)

	data := string(readDump(t, na, syscall.SIGUSR1, filepath.Join(dumps, "keepalived.data")))
	for _, w := range []string{"VRRP Topology", "VI_1", "State = MASTER"} {
		if !strings.Contains(data, w) {
			t.Errorf("keepalived.data lacks %q:\n%s", w, data)
		}
	}
	stats := string(readDump(t, na, syscall.SIGUSR2, filepath.Join(dumps, "keepalived.stats")))
	if !strings.Contains(stats, "VRRP Instance: VI_1") {
		t.Errorf("keepalived.stats lacks the instance:\n%s", stats)
	}
	// SIGRTMAX-1 writes the stats, then zeroes them: the next USR2 dump
	// counts from there.
	statsPath := filepath.Join(dumps, "keepalived.stats")
	time.Sleep(2 * time.Second) // a few adverts since the reload
	before := advertsSent(t, string(readDump(t, na, syscall.Signal(64-1), statsPath)))
	after := advertsSent(t, string(readDump(t, na, syscall.SIGUSR2, statsPath)))
	if before < 2 || after >= before {
		t.Errorf("adverts sent: %d in the clearing dump, %d just after; want at least 2, then fewer", before, after)
	}
	if _, err := os.Stat(filepath.Join(dumps, "keepalived.json")); err != nil {
		t.Errorf("dump dir: %v", err)
	}
}

// advertsSent reads the first instance's "Advertisements: ... Sent: N"
// from a keepalived.stats dump.
func advertsSent(t *testing.T, stats string) int {
	t.Helper()
	m := regexp.MustCompile(`Advertisements:\n\s+Received: \d+\n\s+Sent: (\d+)`).FindStringSubmatch(stats)
	if m == nil {
		t.Fatalf("no advert counts in keepalived.stats:\n%s", stats)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}
