package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/lab"
)

// logPeer is one daemon of the log-lines scenario, gokeepalived or
// keepalived, seen through its console log.
type logPeer struct {
	name  string
	dir   string
	start func(t *testing.T)
	stop  func(t *testing.T)
	hup   func(t *testing.T)
	log   func() string
}

// logLinesConf is the scenario's configuration: a (priority 100) tracks
// a script that succeeds while @DIR@/ok exists; b (90) tracks nothing.
func logLinesConf(prio int, script bool) string {
	s := `
global_defs {
    enable_script_security
    script_user root
}
vrrp_script chk {
    script "/usr/bin/test -e @DIR@/ok"
    interval 1
    fall 1
    rise 1
    weight -20
}
vrrp_instance VI_1 {
    state BACKUP
    interface eth1
    virtual_router_id 51
    priority ` + sprint(prio) + `
    advert_int 1
`
	if script {
		s += "    track_script {\n        chk\n    }\n"
	}
	return s + `    virtual_ipaddress {
        192.168.1.100/24
    }
}
`
}

func gkLogPeer(t *testing.T, h *lab.Host, conf string) *logPeer {
	g := newGK(t, h, conf)
	return &logPeer{name: "gokeepalived " + h.Name, dir: g.n.dir, start: g.start, stop: g.stop,
		hup: func(t *testing.T) { g.n.signal(t, syscall.SIGHUP) }, log: func() string {
			if g.n.proc == nil {
				return ""
			}
			return g.n.proc.Output()
		}}
}

func kaLogPeer(t *testing.T, h *lab.Host, conf string) *logPeer {
	k := newKA(t, h, conf)
	return &logPeer{name: "keepalived " + h.Name, dir: k.dir, start: k.start, stop: k.stop,
		hup: func(t *testing.T) {
			if err := k.proc.Signal(syscall.SIGHUP); err != nil {
				t.Fatal(err)
			}
		}, log: k.log}
}

// TestLogLinesMatchKeepalived drives elections, a failover by a tracked
// script going down and up, a VIP removed from outside, a link down and
// up, a reload and a stop, and checks that each step writes keepalived's
// own line text. The same scenario runs against keepalived 2.2.7 when it is
// installed, which proves every expected line is keepalived's wording.
func TestLogLinesMatchKeepalived(t *testing.T) {
	needRoot(t)
	kinds := []struct {
		name string
		peer func(*testing.T, *lab.Host, string) *logPeer
	}{{"gokeepalived", gkLogPeer}, {"keepalived", kaLogPeer}}
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			if k.name == "keepalived" {
				if _, err := exec.LookPath("keepalived"); err != nil {
					t.Skip("keepalived is not installed: only our side is checked")
				}
			}
			l := lab.New(t, lab.Spec{Hosts: lab.Hosts("a", "b")})
			a := k.peer(t, l.Host("a"), logLinesConf(100, true))
			b := k.peer(t, l.Host("b"), logLinesConf(90, false))
			runLogScenario(t, l, a, b)
		})
	}
}

// logStep is one action and the lines it must add to each daemon's log.
type logStep struct {
	what   string
	do     func(t *testing.T)
	a, b   []string
	settle time.Duration // extra wait after the lines, before the next step
}

func runLogScenario(t *testing.T, l *lab.Lab, a, b *logPeer) {
	ok := filepath.Join(a.dir, "ok")
	touch := func(t *testing.T) {
		if err := os.WriteFile(ok, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	link := func(up bool) func(t *testing.T) {
		return func(t *testing.T) {
			if err := l.Host("b").SetLink(context.Background(), up); err != nil {
				t.Fatal(err)
			}
		}
	}
	steps := []logStep{
		{what: "b starts alone", do: b.start, b: []string{
			"Starting Keepalived", "(VI_1) Entering BACKUP STATE (init)", "Startup complete",
			"(VI_1) Receive advertisement timeout", "(VI_1) Entering MASTER STATE", "(VI_1) setting VIPs.",
			"(VI_1) Sending/queueing gratuitous ARPs on eth1 for 192.168.1.100",
		}},
		{what: "a starts and preempts", do: func(t *testing.T) { touch(t); a.start(t) }, a: []string{
			"VRRP_Script(chk) succeeded", "(VI_1) Entering BACKUP STATE (init)",
			"(VI_1) received lower priority (90) advert from 192.168.1.3 - discarding",
			"(VI_1) Entering MASTER STATE",
		}, b: []string{
			"(VI_1) Master received advert from 192.168.1.2 with higher priority 100, ours 90",
			"(VI_1) Entering BACKUP STATE", "(VI_1) removing VIPs.",
		}},
		{what: "a's script fails", do: func(t *testing.T) { os.Remove(ok) }, a: []string{
			"VRRP_Script(chk) failed (exited with status 1)",
			"(VI_1) Changing effective priority from 100 to 80",
			"(VI_1) Master received advert from 192.168.1.3 with higher priority 90, ours 80",
			"(VI_1) Entering BACKUP STATE",
		}, b: []string{
			"(VI_1) received lower priority (80) advert from 192.168.1.2 - discarding",
			"(VI_1) Entering MASTER STATE",
		}},
		{what: "a's script succeeds again", do: touch, a: []string{
			"VRRP_Script(chk) succeeded", "(VI_1) Changing effective priority from 80 to 100",
			"(VI_1) Entering MASTER STATE",
		}, b: []string{"(VI_1) Entering BACKUP STATE"}, settle: time.Second},
		{what: "a's VIP removed from outside", do: func(t *testing.T) {
			if _, err := l.Host("a").Exec(context.Background(), "ip", "addr", "del", "192.168.1.100/24", "dev", "eth1"); err != nil {
				t.Fatal(err)
			}
		}, a: []string{"Netlink reflector reports IP 192.168.1.100 removed from eth1"}, settle: 2 * time.Second},
		{what: "b's link down", do: link(false), b: []string{"Netlink reports eth1 down", "(VI_1) Entering FAULT STATE"}},
		{what: "b's link up", do: link(true), b: []string{"Netlink reports eth1 up", "(VI_1) Entering BACKUP STATE"}},
		{what: "a reloads", do: a.hup, a: []string{"Reloading", "Reload complete"}, settle: time.Second},
		{what: "a stops", do: a.stop, a: []string{"Stopping", "(VI_1) sent 0 priority", "Stopped Keepalived"},
			b: []string{"(VI_1) Backup received priority 0 advertisement", "(VI_1) Entering MASTER STATE"}},
	}
	for _, s := range steps {
		beforeA, beforeB := lineCounts(a.log(), s.a), lineCounts(b.log(), s.b)
		s.do(t)
		waitNewLines(t, s.what, a, s.a, beforeA)
		waitNewLines(t, s.what, b, s.b, beforeB)
		time.Sleep(s.settle)
	}
}

// lineCounts counts each of lines in log.
func lineCounts(log string, lines []string) []int {
	n := make([]int, len(lines))
	for i, l := range lines {
		n[i] = strings.Count(log, l)
	}
	return n
}

// waitNewLines waits until each of lines occurs in p's log more often
// than before, and fails naming the ones that never did.
func waitNewLines(t *testing.T, step string, p *logPeer, lines []string, before []int) {
	t.Helper()
	eventually(t, 15*time.Second, step+": "+p.name+" logs keepalived's lines", func() (bool, string) {
		var missing []string
		for i, n := range lineCounts(p.log(), lines) {
			if n <= before[i] {
				missing = append(missing, lines[i])
			}
		}
		return len(missing) == 0, "missing:\n  " + strings.Join(missing, "\n  ") + "\nlog:\n" + tail(p.log(), 40)
	})
}
