package e2e

import (
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/control"
	"github.com/gokeepalived/gokeepalived/internal/lab"
)

// notifyConf: one instance in a sync group, with notify scripts on both,
// the vrrp notify FIFO, priority-change notifications and two track files
// that drive it through MASTER, a priority change, FAULT and back.
const notifyConf = `
global_defs {
    vrrp_notify_fifo @DIR@/fifo
    vrrp_notify_priority_changes
}
track_file pf {
    file "@DIR@/pf"
    weight -10
}
track_file maint {
    file "@DIR@/maint"
    weight 0
}
vrrp_sync_group G1 {
    group {
        VI_1
    }
    sync_group_tracking_weight
    notify "@DIR@/gnotify.sh"
    notify_master "@DIR@/gmaster.sh"
}
vrrp_instance VI_1 {
    state MASTER
    interface eth1
    virtual_router_id 61
    priority 100
    advert_int 1
    track_file {
        pf
        maint
    }
    notify_master "@DIR@/master.sh first 'two words'"
    notify_backup "@DIR@/backup.sh"
    notify_fault "@DIR@/fault.sh"
    notify_stop "@DIR@/stop.sh"
    notify "@DIR@/notify.sh"
    virtual_ipaddress {
        192.168.1.60
    }
}
`

// TestNotifyScriptsAndFIFO checks the FIFO line by line and the notify
// scripts' arguments against keepalived's formats, in transition order.
func TestNotifyScriptsAndFIFO(t *testing.T) {
	needRoot(t)
	t.Parallel()
	l := lab.New(t, lab.Spec{Hosts: lab.Hosts("a")})
	n := newNode(t, l.Host("a"), notifyConf)
	ilog, glog := filepath.Join(n.dir, "instance.log"), filepath.Join(n.dir, "group.log")
	// Each script appends its name and arguments, one line per run.
	for _, s := range []string{"master", "backup", "fault", "stop", "notify"} {
		writeScript(t, n.dir, s+".sh", `printf '%s' "`+s+`" >> `+ilog+`; for a in "$@"; do printf ' [%s]' "$a" >> `+ilog+`; done; echo >> `+ilog)
	}
	for _, s := range []string{"gnotify", "gmaster"} {
		writeScript(t, n.dir, s+".sh", `echo "`+s+`${*:+ $*}" >> `+glog)
	}
	writeValue(t, filepath.Join(n.dir, "pf"), "0")
	n.start(t)
	fifo := readFIFO(t, filepath.Join(n.dir, "fifo"))
	waitInstance(t, n, "VI_1", control.StateMaster, 100, 10*time.Second)

	writeValue(t, filepath.Join(n.dir, "pf"), "2")
	waitInstance(t, n, "VI_1", control.StateMaster, 80, 5*time.Second)
	writeValue(t, filepath.Join(n.dir, "maint"), "1")
	waitInstance(t, n, "VI_1", control.StateFault, 80, 5*time.Second)
	writeValue(t, filepath.Join(n.dir, "maint"), "0")
	waitInstance(t, n, "VI_1", control.StateMaster, 80, 10*time.Second)
	n.signal(t, syscall.SIGTERM)
	n.wait(t, 10*time.Second)

	wantFIFO := []string{
		`INSTANCE "VI_1" BACKUP 100`,
		`GROUP "G1" BACKUP 0`,
		`INSTANCE "VI_1" MASTER 100`,
		`GROUP "G1" MASTER 0`,
		`INSTANCE "VI_1" MASTER_PRIORITY 80`,
		`INSTANCE "VI_1" FAULT 80`,
		`GROUP "G1" FAULT 0`,
		`INSTANCE "VI_1" BACKUP 80`,
		`GROUP "G1" BACKUP 0`,
		`INSTANCE "VI_1" MASTER 80`,
		`GROUP "G1" MASTER 0`,
		`INSTANCE "VI_1" STOP 80`,
		`GROUP "G1" STOP 0`,
	}
	if diff := cmpDiff(wantFIFO, fifo.wait(t, len(wantFIFO), 5*time.Second)); diff != "" {
		t.Errorf("FIFO lines (-want +got):\n%s", diff)
	}
	wantInst := []string{
		"backup", "notify [INSTANCE] [VI_1] [BACKUP] [100]",
		"master [first] [two words]", "notify [INSTANCE] [VI_1] [MASTER] [100]",
		"fault", "notify [INSTANCE] [VI_1] [FAULT] [80]",
		"backup", "notify [INSTANCE] [VI_1] [BACKUP] [80]",
		"master [first] [two words]", "notify [INSTANCE] [VI_1] [MASTER] [80]",
		"stop", "notify [INSTANCE] [VI_1] [STOP] [80]",
	}
	if diff := cmpDiff(wantInst, waitLines(t, ilog, len(wantInst), 5*time.Second)); diff != "" {
		t.Errorf("instance scripts (-want +got):\n%s", diff)
	}
	wantGroup := []string{
		"gnotify GROUP G1 BACKUP 0",
		"gmaster", "gnotify GROUP G1 MASTER 0",
		"gnotify GROUP G1 FAULT 0",
		"gnotify GROUP G1 BACKUP 0",
		"gmaster", "gnotify GROUP G1 MASTER 0",
		"gnotify GROUP G1 STOP 0",
	}
	if diff := cmpDiff(wantGroup, waitLines(t, glog, len(wantGroup), 5*time.Second)); diff != "" {
		t.Errorf("group scripts (-want +got):\n%s", diff)
	}
}

// TestReloadFIFOStatesAndTrackers: with fifo_write_vrrp_states_on_reload a
// SIGHUP writes every current state to the FIFO again, and the track_file
// watcher keeps working across the reload.
func TestReloadFIFOStatesAndTrackers(t *testing.T) {
	needRoot(t)
	t.Parallel()
	l := lab.New(t, lab.Spec{Hosts: lab.Hosts("a")})
	n := newNode(t, l.Host("a"), `
global_defs {
    vrrp_notify_fifo @DIR@/fifo
    fifo_write_vrrp_states_on_reload
}
track_file pf {
    file "@DIR@/pf"
    weight -10
    init_file 0
}
vrrp_instance VI_1 {
    state MASTER
    interface eth1
    virtual_router_id 62
    priority 100
    advert_int 1
    track_file {
        pf
    }
    notify_priority_changes
    virtual_ipaddress {
        192.168.1.61
    }
}
`)
	n.start(t)
	fifo := readFIFO(t, filepath.Join(n.dir, "fifo"))
	waitInstance(t, n, "VI_1", control.StateMaster, 100, 10*time.Second)
	fifo.wait(t, 2, 5*time.Second)
	n.signal(t, syscall.SIGHUP)
	fifo.wait(t, 3, 5*time.Second)
	writeValue(t, filepath.Join(n.dir, "pf"), "1")
	waitInstance(t, n, "VI_1", control.StateMaster, 90, 5*time.Second)
	want := []string{
		`INSTANCE "VI_1" BACKUP 100`,
		`INSTANCE "VI_1" MASTER 100`,
		`INSTANCE "VI_1" MASTER 100`, // written again by the reload
		`INSTANCE "VI_1" MASTER_PRIORITY 90`,
	}
	if diff := cmpDiff(want, fifo.wait(t, len(want), 5*time.Second)); diff != "" {
		t.Errorf("FIFO lines (-want +got):\n%s", diff)
	}
}
