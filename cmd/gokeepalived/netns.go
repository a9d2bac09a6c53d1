package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
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
