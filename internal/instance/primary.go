package instance

import "net/netip"

// SetPrimaryAddr changes the instance's own address (the advert source,
// compared with a peer's on equal priority) while it runs, as when the
// interface's primary address changes. State, timers and priority are not
// touched; a master reports the new address as the master's.
func (m *Machine) SetPrimaryAddr(a netip.Addr) {
	if m.state == Master && m.masterAddr == m.cfg.PrimaryAddr {
		m.masterAddr = a
	}
	m.cfg.PrimaryAddr = a
}
