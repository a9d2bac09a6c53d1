package daemon

import (
	"log/slog"

	"github.com/gokeepalived/gokeepalived/internal/host"
)

// System is everything the loop does to and learns from the machine
// (package host): host.Open's Linux one in production, fakes in tests.
type System = host.System

// OpenSystem opens the Linux System (host.Open). New takes it over.
func OpenSystem(log *slog.Logger) (System, error) { return host.Open(log) }

// sysDeps is System as the daemon's files use it: the three handles
// under the short names the older files know.
type sysDeps struct {
	System
	links host.Links
	addrs host.Addresses
	ann   host.Announcer
}

func depsOf(s System) sysDeps {
	return sysDeps{System: s, links: s.Links, addrs: s.Addrs, ann: s.Announce}
}

// close releases the handles s holds.
func (s sysDeps) close() { s.System.Close() }
