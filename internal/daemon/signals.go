package daemon

import (
	"syscall"
)

// keepalived's extra signals (lib/signals.h with glibc: SIGRTMIN is 34).
const (
	// sigJSON writes /tmp/keepalived.json (SIGRTMIN+2).
	sigJSON = syscall.Signal(34 + 2)
	// sigStatsClear writes the stats and then zeroes them (SIGRTMAX-1).
	sigStatsClear = syscall.Signal(64 - 1)
)
