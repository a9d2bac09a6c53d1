package lab

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestLabTag(t *testing.T) {
	for ns, want := range map[string]string{
		"gk1a2b3c4d-a":      "gk1a2b3c4d",
		"gk1a2b3c4d-lan":    "gk1a2b3c4d",
		"gk1a2b3c4d-client": "gk1a2b3c4d",
		"gk1a2b3c4d":        "",
		"gk1a2b3c4-a":       "",
		"gk1a2b3c4x-a":      "",
		"xx1a2b3c4d-a":      "",
		"ns1-a":             "",
	} {
		if got := labTag(ns); got != want {
			t.Errorf("labTag(%q) = %q, want %q", ns, got, want)
		}
	}
}

// A child process builds a lab and is then SIGKILLed: its namespaces and
// owner file are stale, and Reap removes them; a live lab in this process
// is never stale.
func TestReapAfterOwnerKilled(t *testing.T) {
	if os.Getenv("GK_LAB_CHILD") == "1" {
		l, err := Build(context.Background(), Spec{Hosts: Hosts("a", "b")})
		if err != nil {
			fmt.Println("error", err)
			os.Exit(1)
		}
		p, err := l.Host("a").Run(context.Background(), "sleep", "300")
		if err != nil {
			fmt.Println("error", err)
			os.Exit(1)
		}
		// Run returns once the process is started; it joins the namespace
		// a moment later (ip netns exec: setns, then exec). Only a process
		// already in the lab can be the lab's to reap, so wait for the exec.
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
			if comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", p.Pid)); strings.TrimSpace(string(comm)) == "sleep" {
				break
			}
			if time.Now().After(deadline) {
				fmt.Println("error: sleep never started")
				os.Exit(1)
			}
		}
		fmt.Println(l.Tag, p.Pid)
		time.Sleep(5 * time.Minute)
		os.Exit(0)
	}
	if os.Geteuid() != 0 {
		t.Skip("lab: needs root to create network namespaces")
	}
	live := New(t, Spec{Hosts: Hosts("x")})

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestReapAfterOwnerKilled$")
	cmd.Env = append(os.Environ(), "GK_LAB_CHILD=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	var tag string
	var sleepPID int
	fmt.Sscan(line, &tag, &sleepPID)
	if err != nil || labTag(tag+"-a") == "" || sleepPID <= 0 {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("child lab: %q %v", line, err)
	}
	// Clean up whatever happens below.
	t.Cleanup(func() {
		for _, n := range []string{"a", "b", "lan"} {
			deleteNS(tag + "-" + n)
		}
		os.Remove(filepath.Join(OwnerDir, tag))
	})

	stale, err := Stale()
	if err != nil {
		t.Fatal(err)
	}
	for _, ns := range stale {
		if strings.HasPrefix(ns, tag) || strings.HasPrefix(ns, live.Tag) {
			t.Errorf("namespace %s stale while its owner lives", ns)
		}
	}

	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()

	stale, err = Stale()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{tag + "-a", tag + "-b", tag + "-lan"}
	for _, ns := range want {
		if !slices.Contains(stale, ns) {
			t.Errorf("Stale() = %v, want it to list %s", stale, ns)
		}
	}
	reaped, err := Reap()
	if err != nil {
		t.Fatal(err)
	}
	for _, ns := range want {
		if !slices.Contains(reaped, ns) {
			t.Errorf("Reap() = %v, want it to delete %s", reaped, ns)
		}
	}
	if left, _ := Leftovers(tag); len(left) != 0 {
		t.Errorf("after Reap, %v still exist", left)
	}
	// The process the dead owner left running in its lab is gone too.
	deadline := time.Now().Add(3 * time.Second)
	for alive(sleepPID) {
		if time.Now().After(deadline) {
			t.Errorf("pid %d, started in the dead lab, still runs after Reap", sleepPID)
			syscall.Kill(sleepPID, syscall.SIGKILL)
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if _, err := os.Stat(filepath.Join(OwnerDir, tag)); !os.IsNotExist(err) {
		t.Errorf("owner file of the dead lab still there: %v", err)
	}
	if left, _ := Leftovers(live.Tag); len(left) != 2 {
		t.Errorf("the live lab lost namespaces to Reap: %v left", left)
	}
	if _, err := os.Stat(filepath.Join(OwnerDir, live.Tag)); err != nil {
		t.Errorf("the live lab's owner file: %v", err)
	}
}

// alive reports whether pid runs and is not a zombie.
func alive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	_, rest, _ := strings.Cut(string(b), ") ")
	return !strings.HasPrefix(rest, "Z")
}
