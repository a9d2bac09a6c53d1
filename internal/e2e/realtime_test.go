package e2e

import (
	"context"
	"fmt"
	"net/netip"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gokeepalived/gokeepalived/internal/lab"
)

// procField returns field name of a /proc file of the daemon.
func procField(t *testing.T, path, name string) string {
	t.Helper()
	v, err := lab.ProcField(path, name)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestRealtimeKeywords runs a master with vrrp_rt_priority, vrrp_no_swap,
// vrrp_cpu_affinity and the default vrrp_rlimit_rttime and reads what the
// kernel says of its threads: exactly one SCHED_RR thread at the priority
// (the loop), memory locked (VmLck), every thread on CPU 0, and
// RLIMIT_RTTIME at keepalived's default of 10 ms (SIGXCPU at 5 ms).
func TestRealtimeKeywords(t *testing.T) {
	t.Parallel() // its own lab; overlaps with the other labs
	needRoot(t)
	l := lab.New(t, lab.Spec{Hosts: lab.Hosts("a")})
	a := l.Host("a")
	conf := strings.Replace(opsText("a", "MASTER", 100, []string{"192.168.1.6"}, ""), "global_defs {\n",
		"global_defs {\n    vrrp_rt_priority 20\n    vrrp_no_swap\n    vrrp_cpu_affinity 0\n", 1)
	na := newNode(t, a, conf)
	na.start(t)
	waitPlacement(t, 10*time.Second, map[netip.Addr]string{vip6: "a"}, a)
	pid := na.proc.Pid
	dir := "/proc/" + strconv.Itoa(pid)

	tasks, err := filepath.Glob(dir + "/task/*")
	if err != nil || len(tasks) < 2 {
		t.Fatalf("threads of %d: %v %v", pid, tasks, err)
	}
	var rr []string
	for _, task := range tasks {
		tid, _ := strconv.Atoi(filepath.Base(task))
		attr, err := unix.SchedGetAttr(tid, 0)
		if err != nil {
			continue // the thread ended
		}
		if attr.Policy == unix.SCHED_RR {
			rr = append(rr, filepath.Base(task))
			if attr.Priority != 20 {
				t.Errorf("thread %d: SCHED_RR priority %d, want 20", tid, attr.Priority)
			}
		} else if attr.Policy != 0 { // not SCHED_OTHER
			t.Errorf("thread %d: policy %d, want SCHED_OTHER", tid, attr.Policy)
		}
		if got := procField(t, task+"/status", "Cpus_allowed_list"); got != "0" {
			t.Errorf("thread %d: Cpus_allowed_list %q, want 0", tid, got)
		}
	}
	if len(rr) != 1 {
		t.Errorf("SCHED_RR threads %v, want exactly one (the loop)", rr)
	}
	if v := procField(t, dir+"/status", "VmLck"); v == "0 kB" {
		t.Errorf("VmLck %q with vrrp_no_swap, want > 0", v)
	}
	if f := strings.Fields(procField(t, dir+"/limits", "Max realtime timeout")); len(f) < 2 || f[0] != "5000" || f[1] != "10000" {
		t.Errorf("Max realtime timeout %v, want 5000 10000 us", f)
	}
	// The loop still runs: the master keeps advertising (it holds the VIP
	// and answers status).
	if got := instanceOf(t, statusJSON(t, na), "VI_1").State; got != "MASTER" {
		t.Errorf("VI_1 is %v, want MASTER", got)
	}
}

// TestRealtimeMassTakeover: with vrrp_rt_priority and keepalived's default
// vrrp_rlimit_rttime (10 ms without sleeping, then SIGKILL), 255
// instances becoming master in one pass — each adding its address and
// sending GARPs on the loop's SCHED_RR thread — must not run the thread
// into the limit: the loop sleeps a microsecond now and then
// (realtime.Budget). Before it, the kernel killed the daemon in the burst
// (keepalived's VRRP child dies the same way and its parent respawns it).
func TestRealtimeMassTakeover(t *testing.T) {
	t.Parallel() // its own lab
	needRoot(t)
	l := lab.New(t, lab.Spec{Hosts: lab.Hosts("a")})
	a := l.Host("a")
	const n = 255
	var b strings.Builder
	b.WriteString("global_defs {\n    router_id a\n    vrrp_rt_priority 20\n}\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "vrrp_instance VI_%d {\n    state MASTER\n    interface eth1\n    virtual_router_id %d\n"+
			"    priority 100\n    advert_int 1\n    virtual_ipaddress {\n        10.9.%d.%d/32\n    }\n}\n", i, i, i/250, i%250+1)
	}
	na := newNode(t, a, b.String())
	na.start(t)
	deadline := time.Now().Add(20 * time.Second)
	masters := 0
	for time.Now().Before(deadline) {
		select {
		case <-na.proc.Done():
			t.Fatalf("the daemon exited during the takeover of %d instances (%v): %s", n, na.proc.Wait(), tail(na.proc.Output(), 5))
		default:
		}
		masters = 0
		for _, in := range statusJSON(t, na).Instances {
			if in.State == "MASTER" {
				masters++
			}
		}
		if masters == n {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if masters != n {
		t.Fatalf("%d of %d instances MASTER after 20 s", masters, n)
	}
	select {
	case <-na.proc.Done():
		t.Fatalf("the daemon exited after the takeover (%v): %s", na.proc.Wait(), tail(na.proc.Output(), 5))
	case <-time.After(3 * time.Second):
	}
	// The graceful stop is the same burst the other way (255 priority-0
	// adverts and address removals): it must end by itself, not be killed.
	na.signal(t, syscall.SIGTERM)
	na.wait(t, 20*time.Second)
	if err := na.proc.Wait(); err != nil {
		t.Fatalf("the graceful stop of %d instances ended with %v: %s", n, err, tail(na.proc.Output(), 5))
	}
	if out, _ := a.Exec(context.Background(), "ip", "-o", "addr", "show", "dev", "eth1", "to", "10.9.0.0/16"); strings.TrimSpace(out) != "" {
		t.Errorf("VIPs left after the stop:\n%s", tail(out, 5))
	}
}
