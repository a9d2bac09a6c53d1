package main

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"time"

	"golang.org/x/sys/unix"
)

// sdNotifyReady tells systemd (Type=notify) that the daemon is ready, when
// NOTIFY_SOCKET is set. It is also sent when a reload ends.
func sdNotifyReady() { sdNotify("READY=1") }

// sdNotifyReloading tells systemd a reload started (Type=notify-reload
// wants MONOTONIC_USEC with it); READY=1 follows when it ends.
func sdNotifyReloading() {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts); err != nil {
		sdNotify("RELOADING=1")
		return
	}
	sdNotify(fmt.Sprintf("RELOADING=1\nMONOTONIC_USEC=%d", ts.Nano()/1000))
}

// sdNotifyStopping tells systemd the daemon is stopping.
func sdNotifyStopping() { sdNotify("STOPPING=1") }

// sdNotifyWatchdog is one watchdog keep-alive.
func sdNotifyWatchdog() { sdNotify("WATCHDOG=1") }

// sdWatchdogInterval returns how often to ping the watchdog: half of
// WATCHDOG_USEC, as sd_watchdog_enabled(3) advises, or 0 when systemd asks
// for no watchdog (or asks another process, by WATCHDOG_PID).
func sdWatchdogInterval() time.Duration {
	if p := os.Getenv("WATCHDOG_PID"); p != "" && p != strconv.Itoa(os.Getpid()) {
		return 0
	}
	us, err := strconv.ParseInt(os.Getenv("WATCHDOG_USEC"), 10, 64)
	if err != nil || us <= 0 {
		return 0
	}
	return time.Duration(us) * time.Microsecond / 2
}

func sdNotify(state string) {
	path := os.Getenv("NOTIFY_SOCKET")
	if path == "" {
		return
	}
	if path[0] == '@' {
		path = "\x00" + path[1:]
	}
	c, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		return
	}
	defer c.Close()
	c.Write([]byte(state))
}
