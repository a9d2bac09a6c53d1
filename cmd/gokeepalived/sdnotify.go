package main

import (
	"net"
	"os"
)

// sdNotifyReady tells systemd (Type=notify) that the daemon is ready, when
// NOTIFY_SOCKET is set.
func sdNotifyReady() { sdNotify("READY=1") }

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
