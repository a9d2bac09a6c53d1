package e2e

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/control"
	"github.com/gokeepalived/gokeepalived/internal/lab"
)

// TestAdvertsKeepGoingWhileScriptsHang: a check script that never ends
// (killed at its timeout, every run) and notify scripts that hang must not
// delay the adverts. Adverts are captured on the bridge, outside the
// daemon's host; no gap may exceed 1.5 advert intervals. Not parallel, so
// other lab tests do not load the machine while it measures.
func TestAdvertsKeepGoingWhileScriptsHang(t *testing.T) {
	needRoot(t)
	l := lab.New(t, lab.Spec{Hosts: lab.Hosts("a")})
	n := newNode(t, l.Host("a"), `
vrrp_script hang {
    script "@DIR@/hang.sh"
    interval 1
    timeout 2
    weight -10
}
vrrp_instance VI_1 {
    state MASTER
    interface eth1
    virtual_router_id 71
    priority 100
    advert_int 1
    track_script {
        hang
    }
    notify_master "@DIR@/hang.sh"
    notify "@DIR@/hang.sh"
    virtual_ipaddress {
        192.168.1.70
    }
}
`)
	writeScript(t, n.dir, "hang.sh", "exec sleep 3600")
	capt := startCapture(t, l)
	n.start(t)
	waitInstance(t, n, "VI_1", control.StateMaster, -1, 10*time.Second)
	from := time.Now()
	time.Sleep(10 * time.Second)
	to := time.Now()

	var times []time.Time
	for _, a := range capt.adverts() {
		if a.VRID() == 71 && a.Priority() > 0 && !a.At.Before(from) && !a.At.After(to) {
			times = append(times, a.At)
		}
	}
	if len(times) < 8 {
		t.Fatalf("only %d adverts in 10 s", len(times))
	}
	var maxGap time.Duration
	for i := 1; i < len(times); i++ {
		maxGap = max(maxGap, times[i].Sub(times[i-1]))
	}
	t.Logf("%d adverts in %s while the check and notify scripts hang; largest gap %s", len(times), to.Sub(from).Round(time.Millisecond), maxGap.Round(time.Millisecond))
	if maxGap > 1500*time.Millisecond {
		t.Errorf("largest advert gap %s > 1.5 s", maxGap)
	}
	if c := logCount(n, "VRRP_Script(hang) timed_out"); c == 0 {
		t.Error("the hanging check script never counted as failing")
	}
	in, _ := nodeStatus(t, n).Instance("VI_1")
	if in.EffectivePriority != 90 {
		t.Errorf("effective priority %d, want 90 (the timed-out check fails)", in.EffectivePriority)
	}
}

// TestScriptSecurity: with enable_script_security (scripts run as root) a
// check script in a world-writable directory, and a missing one, are
// disabled at start in keepalived's words and taken out of tracking, as
// keepalived does: their weights never apply.
func TestScriptSecurity(t *testing.T) {
	needRoot(t)
	t.Parallel()
	l := lab.New(t, lab.Spec{Hosts: lab.Hosts("a")})
	n := newNode(t, l.Host("a"), `
global_defs {
    enable_script_security
    script_user root
}
vrrp_script insecure {
    script "@DIR@/ww/ok.sh"
    interval 1
    weight -20
}
vrrp_script missing {
    script "@DIR@/nosuch.sh"
    interval 1
    weight -30
}
vrrp_script good {
    script "@DIR@/ok.sh"
    interval 1
    weight 5
}
vrrp_instance VI_1 {
    state MASTER
    interface eth1
    virtual_router_id 72
    priority 100
    advert_int 1
    track_script {
        insecure
        missing
        good
    }
    virtual_ipaddress {
        192.168.1.71
    }
}
`)
	ww := filepath.Join(n.dir, "ww")
	if err := os.Mkdir(ww, 0o755); err != nil {
		t.Fatal(err)
	}
	writeScript(t, ww, "ok.sh", "exit 0")
	writeScript(t, n.dir, "ok.sh", "exit 0")
	if err := os.Chmod(ww, 0o777); err != nil {
		t.Fatal(err)
	}
	n.start(t)
	// 100 + 5 (good); the insecure and the missing one are not tracked.
	waitInstance(t, n, "VI_1", control.StateMaster, 105, 10*time.Second)
	time.Sleep(3 * time.Second) // several more runs of the good one
	waitInstance(t, n, "VI_1", control.StateMaster, 105, time.Second)

	tests := []struct {
		what string
		want int
	}{
		{"Disabling track script insecure due to insecure", 1},
		{"Unsafe permissions found for script '" + filepath.Join(ww, "ok.sh") + "' - disabling.", 1},
		{ww + " is writable by everyone", 1},
		{"Disabling track script missing since not found/accessible", 1},
		{"Disabling track script good", 0},
	}
	for _, tt := range tests {
		if got := logCount(n, tt.what); got != tt.want {
			t.Errorf("log has %q %d times, want %d", tt.what, got, tt.want)
		}
	}
}
