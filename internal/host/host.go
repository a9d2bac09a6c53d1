package host

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"slices"
	"syscall"

	"github.com/gokeepalived/gokeepalived/internal/noaccept"
	"github.com/gokeepalived/gokeepalived/internal/system"
	"github.com/gokeepalived/gokeepalived/internal/track"
)

// System is everything the daemon's loop does to and learns from the
// machine, behind small interfaces (as wireguard-go's NewDevice takes its
// tun and bind): OpenSystem builds the Linux ones, tests pass fakes from
// package system/systemtest and the in-process harness
// (daemon/daemontest). Every field is required but OpenFirewall.
//
// Features the configuration may not use (routes and rules, use_vmac,
// track_process, SMTP) still open their Linux
// handles on first use; see docs/ARCHITECTURE.md.
type System struct {
	// Links looks interfaces up, picks advert sources and reports link
	// changes.
	Links Links
	// Addrs adds, removes and lists addresses.
	Addrs Addresses
	// Announce sends gratuitous ARPs and unsolicited NAs.
	Announce Announcer
	// OpenConn opens one interface's VRRP socket.
	OpenConn func(system.ConnConfig) (system.Conn, error)
	// NewTimer returns the loop's timer.
	NewTimer func() (system.LoopTimer, error)
	// WatchAddrs reports address changes until ctx ends.
	WatchAddrs func(ctx context.Context, log *slog.Logger) (<-chan system.AddrEvent, error)
	// Signals relays the signals the daemon handles to c until stop is
	// called.
	Signals func(c chan<- os.Signal) (stop func())
	// Exec runs vrrp_scripts, notify scripts and the start and stop
	// scripts (each already passed by the script gate).
	Exec track.Execer
	// OpenFirewall opens no_accept's drop set on first use (optional:
	// nil means nftables, noaccept.OpenSystem).
	OpenFirewall noaccept.Opener
}

// Links is what the daemon asks of the interfaces.
type Links interface {
	system.LinkWatcher
	system.LinkResolver
	Close() error
}

// Addresses is what the daemon does to addresses.
type Addresses interface {
	system.Addresser
	system.AddrLister
	Close() error
}

// Announcer sends the daemon's gratuitous ARPs and NAs.
type Announcer interface {
	system.Announcer
	Close() error
}

// Open opens the Linux System in the calling thread's network
// namespace. daemon.New takes it over.
func Open(log *slog.Logger) (System, error) {
	links, err := system.NewLinks(log)
	if err != nil {
		return System{}, fmt.Errorf("open netlink: %w", err)
	}
	addrs, err := system.NewAddresses(log)
	if err != nil {
		links.Close()
		return System{}, fmt.Errorf("open netlink: %w", err)
	}
	return System{
		Links:    links,
		Addrs:    addrs,
		Announce: system.NewAnnouncements(links, log),
		OpenConn: func(c system.ConnConfig) (system.Conn, error) {
			return system.OpenConn(c)
		},
		NewTimer:     loopTimer(log),
		WatchAddrs:   system.WatchAddrs,
		Signals:      osSignals,
		Exec:         track.OSExec,
		OpenFirewall: noaccept.OpenSystem,
	}, nil
}

// loopTimer returns a timerfd (microsecond wake-ups) when the kernel has
// one, else the runtime's timer (millisecond).
func loopTimer(log *slog.Logger) func() (system.LoopTimer, error) {
	return func() (system.LoopTimer, error) {
		pt, err := system.NewTimer()
		if err != nil {
			log.Warn("no timerfd; advert timing falls back to the runtime's millisecond timers", "err", err)
			return system.NewRuntimeTimer(), nil
		}
		return pt, nil
	}
}

// osSignals relays the process's signals the daemon acts on.
func osSignals(c chan<- os.Signal) (stop func()) {
	signal.Notify(c, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP,
		syscall.SIGUSR1, syscall.SIGUSR2, SigJSON, SigStatsClear)
	return func() { signal.Stop(c) }
}

// Check reports a missing part of s.
func (s System) Check() error {
	var missing []string
	for name, ok := range map[string]bool{
		"Links": s.Links != nil, "Addrs": s.Addrs != nil, "Announce": s.Announce != nil,
		"OpenConn": s.OpenConn != nil, "NewTimer": s.NewTimer != nil, "WatchAddrs": s.WatchAddrs != nil,
		"Signals": s.Signals != nil, "Exec": s.Exec != nil,
	} {
		if !ok {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		return fmt.Errorf("daemon: System lacks %v", missing)
	}
	return nil
}

// Close releases the handles s holds.
func (s System) Close() {
	for _, c := range []interface{ Close() error }{s.Announce, s.Addrs, s.Links} {
		if c != nil {
			c.Close()
		}
	}
}

// keepalived's extra signals (lib/signals.h with glibc: SIGRTMIN is 34).
const (
	// SigJSON writes /tmp/keepalived.json (SIGRTMIN+2).
	SigJSON = syscall.Signal(34 + 2)
	// SigStatsClear writes the stats and then zeroes them (SIGRTMAX-1).
	SigStatsClear = syscall.Signal(64 - 1)
)
