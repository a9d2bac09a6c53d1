package e2e

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/control"
	"github.com/gokeepalived/gokeepalived/internal/lab"
)

// addVeth adds interface name to n's host, up, as one end of a veth pair
// whose other end (name+"p") is up too (the kernel may lack the dummy
// driver; a veth is up and running only while both ends are up).
func addVeth(t *testing.T, n *node, name string) {
	t.Helper()
	hostExec(t, n, "ip", "link", "add", name, "type", "veth", "peer", "name", name+"p")
	hostExec(t, n, "ip", "link", "set", name+"p", "up")
	hostExec(t, n, "ip", "link", "set", name, "up")
}

// TestTrackInterface: track_interface with a weight moves the priority,
// with weight 0 (and a missing interface) it means FAULT; extra
// interfaces in the host are taken down and up.
func TestTrackInterface(t *testing.T) {
	needRoot(t)
	t.Parallel()
	l := lab.New(t, lab.Spec{Hosts: lab.Hosts("a")})
	a := l.Host("a")
	n := newNode(t, a, masterInst("VI_1", 51, "192.168.1.50", trackBlock("track_interface", "dum0 weight -30", "dum1"))+
		masterInst("VI_2", 52, "192.168.1.51", trackBlock("track_interface", "nosuch0")))
	for _, d := range []string{"dum0", "dum1"} {
		addVeth(t, n, d)
	}
	n.start(t)
	vip := netip.MustParseAddr("192.168.1.50")
	waitInstance(t, n, "VI_1", control.StateMaster, 100, 10*time.Second)
	waitInstance(t, n, "VI_2", control.StateFault, -1, 5*time.Second)

	steps := []struct {
		cmd   []string
		state control.State
		prio  int
		vip   bool
	}{
		{[]string{"ip", "link", "set", "dum0", "down"}, control.StateMaster, 70, true},
		{[]string{"ip", "link", "set", "dum0", "up"}, control.StateMaster, 100, true},
		{[]string{"ip", "link", "set", "dum1", "down"}, control.StateFault, 100, false},
		{[]string{"ip", "link", "set", "dum1", "up"}, control.StateMaster, 100, true},
	}
	for _, s := range steps {
		hostExec(t, n, s.cmd[0], s.cmd[1:]...)
		waitInstance(t, n, "VI_1", s.state, s.prio, 8*time.Second)
		if got := hasAddr(t, a, vip); got != s.vip {
			t.Errorf("after %v: VIP present = %v, want %v", s.cmd, got, s.vip)
		}
	}

	// The missing interface was reported once; creating it lifts the FAULT.
	if c := logCount(n, "tracked interface does not exist"); c != 1 {
		t.Errorf("missing interface reported %d times, want 1", c)
	}
	addVeth(t, n, "nosuch0")
	waitInstance(t, n, "VI_2", control.StateMaster, 100, 10*time.Second)

	s := nodeStatus(t, n)
	got := map[string]string{}
	for _, tr := range s.Trackers {
		if tr.Kind == "interface" {
			got[tr.Name] = tr.Status
		}
	}
	want := map[string]string{"dum0": "GOOD", "dum1": "GOOD", "nosuch0": "GOOD"}
	if diff := cmpDiff(want, got); diff != "" {
		t.Errorf("interface trackers (-want +got):\n%s", diff)
	}
}

// TestTrackFile: a track_file's value × weight moves the priority, a
// weight-0 file with a non-zero value means FAULT, init_file creates the
// file, and a file in a missing directory is reported once and reads 0.
func TestTrackFile(t *testing.T) {
	needRoot(t)
	t.Parallel()
	l := lab.New(t, lab.Spec{Hosts: lab.Hosts("a")})
	a := l.Host("a")
	n := newNode(t, a, `
track_file prio {
    file "@DIR@/prio"
    weight -10
    init_file 0
}
track_file maint {
    file "@DIR@/maint"
    weight 0
}
track_file lost {
    file "@DIR@/nodir/lost"
    weight 5
}
`+masterInst("VI_1", 53, "192.168.1.52", trackBlock("track_file", "prio", "maint", "lost"))+`
`)
	n.start(t)
	waitInstance(t, n, "VI_1", control.StateMaster, 100, 10*time.Second)
	if got := readLines(t, filepath.Join(n.dir, "prio")); len(got) != 1 || got[0] != "0" {
		t.Errorf("init_file wrote %q, want [0]", got)
	}
	prio, maint := filepath.Join(n.dir, "prio"), filepath.Join(n.dir, "maint")
	steps := []struct {
		file, value string // value "" removes the file
		state       control.State
		prio        int
	}{
		{prio, "3", control.StateMaster, 70},
		{prio, "0x2", control.StateMaster, 80},
		{prio, "-1", control.StateMaster, 110},
		{prio, "0", control.StateMaster, 100},
		{maint, "1", control.StateFault, 100},
		{maint, "0", control.StateMaster, 100},
		{maint, "7", control.StateFault, 100},
		{maint, "", control.StateMaster, 100},
	}
	for _, s := range steps {
		if s.value == "" {
			os.Remove(s.file)
		} else {
			writeValue(t, s.file, s.value)
		}
		waitInstance(t, n, "VI_1", s.state, s.prio, 8*time.Second)
	}
	if c := logCount(n, "track_file cannot be watched"); c != 1 {
		t.Errorf("unwatchable file reported %d times, want 1", c)
	}
	var files []string
	for _, tr := range nodeStatus(t, n).Trackers {
		if tr.Kind == "file" {
			files = append(files, tr.Name+" "+tr.Status)
		}
	}
	if diff := cmpDiff([]string{"prio GOOD", "maint GOOD", "lost GOOD"}, files); diff != "" {
		t.Errorf("file trackers (-want +got):\n%s", diff)
	}
}

// TestTrackProcess: vrrp_track_process counts processes with a distinctive
// command line in the host; reaching the quorum adds the weight, a
// weight-0 process that is not running means FAULT.
func TestTrackProcess(t *testing.T) {
	needRoot(t)
	t.Parallel()
	l := lab.New(t, lab.Spec{Hosts: lab.Hosts("a")})
	a := l.Host("a")
	// Lab hosts share the PID namespace: a unique argument keeps other
	// tests' processes out of the count.
	arg := fmt.Sprintf("%d.%d", 20000+rand.IntN(10000), rand.IntN(1000000))
	n := newNode(t, a, sprintf(`
vrrp_track_process svc {
    process sleep %s
    quorum 2
    weight 20
}
vrrp_track_process must {
    process sleep %s9
    weight 0
}
`+masterInst("VI_1", 54, "192.168.1.53", trackBlock("track_process", "svc"))+`
`+masterInst("VI_2", 55, "192.168.1.54", trackBlock("track_process", "must"))+`
`, arg, arg))
	n.start(t)
	waitInstance(t, n, "VI_1", control.StateMaster, 100, 10*time.Second)
	waitInstance(t, n, "VI_2", control.StateFault, -1, 5*time.Second)

	start := func(a string) *lab.Proc {
		p, err := n.host.Start(n.host.Command(context.Background(), "sleep", a))
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	p1 := start(arg)
	time.Sleep(1500 * time.Millisecond) // one poll with a single process
	waitInstance(t, n, "VI_1", control.StateMaster, 100, time.Second)
	p2 := start(arg)
	waitInstance(t, n, "VI_1", control.StateMaster, 120, 8*time.Second)
	p1.Signal(9)
	waitInstance(t, n, "VI_1", control.StateMaster, 100, 8*time.Second)
	p2.Signal(9)

	start(arg + "9")
	waitInstance(t, n, "VI_2", control.StateMaster, 100, 10*time.Second)
	if c := logCount(n, "tracked process is not running"); c != 2 {
		t.Errorf("processes absent at start reported %d times, want 2 (svc and must, once each)", c)
	}
}
