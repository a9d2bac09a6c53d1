package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// envNamespace records that the process already runs in the network
// namespace -s/--namespace named.
const envNamespace = "GOKEEPALIVED_NETNS"

// enterNamespace makes the daemon run in the network namespace name, as
// keepalived's -s does: it creates the namespace when it does not exist
// and executes this program again inside it (`ip netns exec`), before
// anything touches the network. It returns only on error; it does nothing
// when name is empty or the process is already inside.
func enterNamespace(name string) error {
	if name == "" || os.Getenv(envNamespace) == name {
		return nil
	}
	if filepath.Base(name) != name || name == "." || name == ".." {
		return fmt.Errorf("namespace %q: not a plain name", name)
	}
	if err := needSysAdmin(); err != nil {
		return fmt.Errorf("namespace %s: %w", name, err)
	}
	ip, err := exec.LookPath("ip")
	if err != nil {
		return fmt.Errorf("namespace %s: need iproute2's ip: %w", name, err)
	}
	if _, err := os.Stat(filepath.Join("/run/netns", name)); os.IsNotExist(err) {
		if out, err := exec.Command(ip, "netns", "add", name).CombinedOutput(); err != nil {
			return fmt.Errorf("create namespace %s: %v: %s", name, err, out)
		}
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	args := append([]string{ip, "netns", "exec", name, exe}, os.Args[1:]...)
	env := append(os.Environ(), envNamespace+"="+name)
	return syscall.Exec(ip, args, env)
}

// capSysAdmin is CAP_SYS_ADMIN's bit in the capability sets.
const capSysAdmin = 21

// netnsDropIn is where the package ships the unit drop-in that grants
// CAP_SYS_ADMIN back.
const netnsDropIn = "/usr/share/doc/gokeepalived/examples/netns.conf"

// needSysAdmin fails, saying how to fix it, when this process may not
// enter or create a network namespace: `ip netns` needs CAP_SYS_ADMIN,
// which the packaged unit drops.
func needSysAdmin() error {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return nil // let ip say what is wrong
	}
	eff, err := capEffective(status)
	if err != nil || eff&(1<<capSysAdmin) != 0 {
		return nil
	}
	return fmt.Errorf("entering a network namespace needs CAP_SYS_ADMIN, which this process lacks "+
		"(the systemd unit drops it: install %s as a drop-in, see docs/operations.md)", netnsDropIn)
}

// capEffective reads the CapEff line of a /proc/PID/status text.
func capEffective(status []byte) (uint64, error) {
	sc := bufio.NewScanner(bytes.NewReader(status))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "CapEff:"); ok {
			return strconv.ParseUint(strings.TrimSpace(v), 16, 64)
		}
	}
	return 0, errors.New("no CapEff line")
}
