package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/lab"
)

// semInst is a vrrp_instance on the lab's eth1 with body inside.
func semInst(name string, vrid int, body string) string {
	return sprintf("vrrp_instance %s {\n    interface eth1\n    virtual_router_id %d\n    advert_int 1\n%s}\n", name, vrid, body)
}

// masterInst is a lone MASTER instance at priority 100 on eth1 holding
// vip, with extra lines (trackers) before its virtual_ipaddress.
func masterInst(name string, vrid int, vip, extra string) string {
	return semInst(name, vrid, "    state MASTER\n    priority 100\n"+extra+"    virtual_ipaddress {\n        "+vip+"\n    }\n")
}

// trackBlock is an instance's `KIND { ITEM... }` block (track_file,
// track_process, ...).
func trackBlock(kind string, items ...string) string {
	var b strings.Builder
	b.WriteString("    " + kind + " {\n")
	for _, it := range items {
		b.WriteString("        " + it + "\n")
	}
	b.WriteString("    }\n")
	return b.String()
}

const semVIP = "    virtual_ipaddress {\n        192.168.1.50/24\n    }\n"

// semStarted runs proc's daemon for a few seconds and reports whether it
// is still running (it started) or has exited (it refused).
func semStarted(done <-chan struct{}) bool {
	select {
	case <-done:
		return false
	case <-time.After(5 * time.Second):
		return true
	}
}

// TestStartDecisionAgrees runs gokeepalived and keepalived 2.2.7 on the
// same configurations (issue 20 item 1): both start where keepalived
// warns and carries on, both refuse where keepalived refuses.
func TestStartDecisionAgrees(t *testing.T) {
	needKeepalived(t)
	t.Parallel()
	tests := []struct {
		name  string
		conf  string
		start bool
	}{
		{"track_script typo", semInst("VI_1", 51, "    track_script {\n        chk_typo\n    }\n"+semVIP), true},
		{"state SLAVE", semInst("VI_1", 51, "    state SLAVE\n"+semVIP), true},
		{"words after a VIP", semInst("VI_1", 51, "    virtual_ipaddress {\n        192.168.1.50/24 // vip\n        192.168.1.51/24 ; VIP\n    }\n"), true},
		{"sync group with an undefined instance", "vrrp_sync_group G {\n    group {\n        VI_1\n        VI_X\n    }\n}\n" + semInst("VI_1", 51, semVIP), true},
		{"auth_type pass", semInst("VI_1", 51, "    authentication {\n        auth_type pass\n        auth_pass secret\n    }\n"+semVIP), true},
		{"host name unicast_peer", semInst("VI_1", 51, "    unicast_peer {\n        localhost\n    }\n"+semVIP), true},
		{"priority 256", semInst("VI_1", 51, "    priority 256\n"+semVIP), true},
		{"weight -300 and interval 0", "vrrp_script chk {\n    script /bin/true\n    interval 0\n    weight -300\n}\n" +
			semInst("VI_1", 51, "    track_script {\n        chk weight -300\n    }\n"+semVIP), true},
		{"brd +", semInst("VI_1", 51, "    virtual_ipaddress {\n        192.168.1.50/24 brd +\n    }\n"), true},
		{"VRID 256", semInst("VI_1", 256, semVIP), false},
		{"VRRPv3 without VIP", semInst("VI_1", 51, "    version 3\n"), false},
		{"duplicate VRID", semInst("VI_1", 51, semVIP) + semInst("VI_2", 51, "    virtual_ipaddress {\n        192.168.1.51/24\n    }\n"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			l := lab.New(t, lab.Spec{Hosts: lab.Hosts("a", "b")})
			g := newNode(t, l.Host("a"), tt.conf)
			k := newKA(t, l.Host("b"), tt.conf)
			g.start(t)
			k.start(t)
			gs, ks := make(chan bool, 1), make(chan bool, 1)
			go func() { gs <- semStarted(g.proc.Done()) }()
			go func() { ks <- semStarted(k.proc.Done()) }()
			gotG, gotK := <-gs, <-ks
			if gotK != tt.start {
				t.Errorf("keepalived started = %v, want %v (the table is wrong)\n%s", gotK, tt.start, tail(k.log(), 20))
			}
			if gotG != gotK {
				t.Errorf("gokeepalived started = %v, keepalived %v\n%s", gotG, gotK, tail(g.proc.Output(), 20))
			}
			if gotG {
				g.signal(t, 15)
				g.wait(t, 10*time.Second)
			}
			if gotK {
				k.stop(t)
			}
		})
	}
}

// semState is the state of instance VI_1 of d, "none" before it has one.
func semState(t *testing.T, d vrrpDaemon) string {
	t.Helper()
	if st, ok := daemonStates(t, d)["VI_1"]; ok {
		return st
	}
	return "none"
}

var kaStateRe = regexp.MustCompile(`\(([^)]+)\) Entering (\w+) STATE`)

// daemonStates maps each instance of d to its state ("MASTER", "BACKUP",
// ...): from the status API for gokeepalived, from the last "(name)
// Entering ... STATE" line for keepalived (an instance that has logged
// none is missing).
func daemonStates(t *testing.T, d vrrpDaemon) map[string]string {
	t.Helper()
	states := map[string]string{}
	switch d := d.(type) {
	case *gkDaemon:
		for _, in := range d.status(t).Instances {
			states[in.Name] = in.State.String()
		}
	case *kaDaemon:
		for _, m := range kaStateRe.FindAllStringSubmatch(d.proc.Output(), -1) {
			states[m[1]] = m[2]
		}
	}
	return states
}

// TestNoVIPOneMaster: instances without virtual_ipaddress (issue 20 item
// 2, the cloud floating-IP pattern) elect one master, between two
// gokeepalived (no_virtual_ipaddress) and between gokeepalived and
// keepalived 2.2.7 (which has no no_virtual_ipaddress: VRRPv2 without
// VIPs, a warning). Before, adverts with no address were dropped as
// zero_count and both became master.
func TestNoVIPOneMaster(t *testing.T) {
	needRoot(t)
	t.Parallel()
	for _, peer := range []string{"gokeepalived", "keepalived"} {
		t.Run(peer, func(t *testing.T) {
			t.Parallel()
			l := lab.New(t, lab.Spec{Hosts: lab.Hosts("a", "b")})
			body := func(prio int) string {
				s := sprintf("    state BACKUP\n    priority %d\n", prio)
				if peer == "gokeepalived" {
					s += "    no_virtual_ipaddress\n"
				}
				return s
			}
			a := newGK(t, l.Host("a"), semInst("VI_1", 61, body(100)))
			var b vrrpDaemon
			if peer == "gokeepalived" {
				b = newGK(t, l.Host("b"), semInst("VI_1", 61, body(150)))
			} else {
				b = newKA(t, l.Host("b"), semInst("VI_1", 61, body(150)))
			}
			b.start(t)
			a.start(t)
			// b (150) must win; a (gokeepalived, 100) must hear b's
			// address-less adverts to stay BACKUP.
			eventually(t, 15*time.Second, "b MASTER and a BACKUP", func() (bool, string) {
				sa, sb := semState(t, a), semState(t, b)
				return sb == "MASTER" && sa == "BACKUP", "a=" + sa + " b=" + sb
			})
			time.Sleep(4 * time.Second) // more than a Master_Down_Interval
			if sa, sb := semState(t, a), semState(t, b); sb != "MASTER" || sa != "BACKUP" {
				t.Errorf("after settling: a=%s b=%s, want one master (b)", sa, sb)
			}
			for _, d := range []vrrpDaemon{a, b} {
				if errs := d.packetErrors(t); len(errs) > 0 {
					t.Errorf("%s refused adverts: %v", d.kind(), errs)
				}
			}
		})
	}
}

// TestMasterWithoutPriority: `state MASTER` without `priority` is
// priority 255 (issue 20 item 4): keepalived's notify gets
// "INSTANCE VI_1 MASTER 255", and so does ours.
func TestMasterWithoutPriority(t *testing.T) {
	needKeepalived(t)
	t.Parallel()
	l := lab.New(t, lab.Spec{Hosts: lab.Hosts("a", "b")})
	conf := func(vrid int, vip string) string {
		return semInst("VI_1", vrid, "    state MASTER\n    notify @DIR@/notify.sh\n    virtual_ipaddress {\n        "+vip+"\n    }\n")
	}
	g := newNode(t, l.Host("a"), conf(71, "192.168.1.71/24"))
	k := newKA(t, l.Host("b"), conf(72, "192.168.1.72/24"))
	for _, dir := range []string{g.dir, k.dir} {
		script := "#!/bin/sh\necho \"$@\" >> " + filepath.Join(dir, "notify.log") + "\n"
		if err := os.WriteFile(filepath.Join(dir, "notify.sh"), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	g.start(t)
	k.start(t)
	for _, dir := range []string{g.dir, k.dir} {
		log := filepath.Join(dir, "notify.log")
		eventually(t, 10*time.Second, log+" says MASTER", func() (bool, string) {
			b, _ := os.ReadFile(log)
			return strings.Contains(string(b), "MASTER"), string(b)
		})
		b, _ := os.ReadFile(log)
		if !strings.Contains(string(b), "INSTANCE VI_1 MASTER 255") {
			t.Errorf("%s: notify got %q, want INSTANCE VI_1 MASTER 255", log, b)
		}
	}
}
