package lab

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// OwnerDir holds one lock file per live lab. The process that built a lab
// holds an flock on its file for as long as the lab exists, so a lab whose
// owner was killed (SIGKILL, a test binary's timeout, a stopped CI job) can
// be told apart from a lab a parallel run is still using: its lock is free.
var OwnerDir = "/run/gokeepalived-labs"

// staleUnowned is how old a namespace with our prefix and no owner file
// must be before Reap treats it as abandoned (labs made before owner files
// existed, or by a run killed between creating the namespace and the file).
// It is longer than any test run's timeout.
const staleUnowned = 30 * time.Minute

// takeOwnership creates and locks the lab's owner file. The descriptor is
// close-on-exec, so processes started in the lab do not keep the lock.
func (l *Lab) takeOwnership() error {
	if err := os.MkdirAll(OwnerDir, 0o755); err != nil {
		return fmt.Errorf("lab owner dir: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(OwnerDir, l.Tag), os.O_CREATE|os.O_RDWR|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("lab owner file: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return fmt.Errorf("lab owner lock %s: %w", f.Name(), err)
	}
	fmt.Fprintf(f, "%d\n", os.Getpid())
	l.owner = f
	return nil
}

// releaseOwnership removes and unlocks the owner file once the lab's
// namespaces are gone.
// When keep is set (a namespace could not be deleted) the file stays, with
// its lock free, for Reap to find.
func (l *Lab) releaseOwnership(keep bool) {
	if l.owner == nil {
		return
	}
	if !keep {
		os.Remove(l.owner.Name())
	}
	l.owner.Close()
	l.owner = nil
}

// ownerAlive reports whether the lab tagged tag has a live owner, and
// whether it has an owner file at all.
func ownerAlive(tag string) (alive, known bool) {
	f, err := os.OpenFile(filepath.Join(OwnerDir, tag), os.O_RDWR, 0)
	if err != nil {
		return false, false
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		return errors.Is(err, syscall.EWOULDBLOCK), true
	}
	syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	return false, true
}

// labTag returns the lab tag of a namespace name ("gk1a2b3c4d-a" gives
// "gk1a2b3c4d"), or "" when the name is not one of ours.
func labTag(ns string) string {
	tag, _, ok := strings.Cut(ns, "-")
	if !ok || len(tag) != len(Prefix)+8 || !strings.HasPrefix(tag, Prefix) {
		return ""
	}
	if strings.Trim(tag[len(Prefix):], "0123456789abcdef") != "" {
		return ""
	}
	return tag
}

// Stale lists the namespaces of labs nobody owns any more: their owner's
// lock is free, or they have no owner file and are older than
// staleUnowned.
func Stale() ([]string, error) {
	ents, err := os.ReadDir("/run/netns")
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list namespaces: %w", err)
	}
	var stale []string
	for _, e := range ents {
		tag := labTag(e.Name())
		if tag == "" {
			continue
		}
		alive, known := ownerAlive(tag)
		if alive {
			continue
		}
		if !known {
			fi, err := e.Info()
			if err != nil || time.Since(fi.ModTime()) < staleUnowned {
				continue
			}
		}
		stale = append(stale, e.Name())
	}
	return stale, nil
}

// Reap deletes the namespaces Stale lists and the owner files of labs
// that are gone, and returns what it deleted.
func Reap() ([]string, error) {
	stale, err := Stale()
	if err != nil {
		return nil, err
	}
	var errs []error
	tags := map[string]bool{}
	for _, ns := range stale {
		tags[labTag(ns)] = true
		killAll(ns)
		if err := deleteNS(ns); err != nil {
			errs = append(errs, err)
		}
	}
	// Owner files of gone labs, including ones whose namespaces were
	// deleted but whose owner died before removing the file.
	files, _ := os.ReadDir(OwnerDir)
	for _, f := range files {
		tags[f.Name()] = true
	}
	for tag := range tags {
		if alive, known := ownerAlive(tag); known && !alive && !hasNamespaces(tag) {
			os.Remove(filepath.Join(OwnerDir, tag))
		}
	}
	return stale, errors.Join(errs...)
}

func hasNamespaces(tag string) bool {
	left, err := Leftovers(tag + "-")
	return err != nil || len(left) > 0
}

// killAll SIGKILLs the processes still running in a stale lab's namespace:
// daemons and servers a killed test had started there (each in its own
// process group, so they outlive it). They are ours by construction: only
// a lab puts processes in its namespaces.
func killAll(ns string) {
	out, err := exec.Command("ip", "netns", "pids", ns).Output()
	if err != nil {
		return
	}
	for _, f := range strings.Fields(string(out)) {
		if pid, err := strconv.Atoi(f); err == nil && pid > 1 && pid != os.Getpid() {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}
