package main

import (
	"fmt"
	"os"
	"testing"
)

// TestMain makes sure no test of this package starts the real daemon:
// tests run in the machine's own network namespace, where the daemon must
// never send VRRP or add addresses. Daemon runs are tested from
// internal/e2e, inside lab namespaces only.
func TestMain(m *testing.M) {
	if mode := os.Getenv("GK_FORK_HELPER"); mode != "" {
		forkHelper(mode) // fork_test.go: a stand-in background daemon
	}
	startDaemon = func(o *Options) int {
		fmt.Fprintf(os.Stderr, "test tried to start the daemon (-f %s) outside a lab namespace; refused\n", o.ConfigFile)
		return 99
	}
	os.Exit(m.Run())
}

func TestDaemonGuard(t *testing.T) {
	if got := run([]string{"-n", "-f", "/nonexistent.conf"}, os.Stdout, os.Stderr); got != 99 {
		t.Fatalf("run with daemon flags = %d, want the guard's 99", got)
	}
}
