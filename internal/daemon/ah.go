package daemon

import (
	"fmt"
	"net"

	"github.com/gokeepalived/gokeepalived/internal/vinst"
	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

// connsFor returns the socket table of AH sockets (ah) or VRRP ones: an
// interface can have both, as keepalived's socket pool can.
func (d *Daemon) connsFor(ah bool) map[vinst.ConnKey]*vinst.Socket {
	if !ah {
		return d.conns
	}
	if d.ahConns == nil {
		d.ahConns = map[vinst.ConnKey]*vinst.Socket{}
	}
	return d.ahConns
}

// splitAH turns a packet read from an AH socket (the whole IPv4 packet)
// into its VRRP message in p.data and returns the packet for the AH
// checks. A packet too short for its headers is dropped before any
// instance is looked up (as keepalived does) and counted as unknown.
func (d *Daemon) splitAH(p *rxPacket) ([]byte, bool) {
	var h vrrp.AH
	_, msg, err := vrrp.ParseAHPacket(p.data, &h)
	if err != nil {
		d.unknownRx++
		return nil, false
	}
	pkt := p.data
	p.data = msg
	return pkt, true
}

// ifName names interface index for a log line, as keepalived does.
func (d *Daemon) ifName(index int) string {
	if ifi, err := net.InterfaceByIndex(index); err == nil {
		return ifi.Name
	}
	return fmt.Sprintf("if%d", index)
}
