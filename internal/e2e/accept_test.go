package e2e

import (
	"fmt"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/lab"
	"github.com/google/go-cmp/cmp"
	"github.com/google/nftables"
	"github.com/mdlayher/arp"
)

// acceptConf is one master-to-be with the VIP 192.168.1.6, global_defs
// GLOBAL and instance lines EXTRA.
const acceptConf = `
global_defs {
%s
}
vrrp_instance D {
    state BACKUP
    interface eth1
    virtual_router_id 91
    priority 150
    advert_int 1
%s
    virtual_ipaddress {
        192.168.1.6/24
    }
}
`

// nftTables lists the nftables tables in h as "family name".
func nftTables(t *testing.T, h *lab.Host) []string {
	t.Helper()
	var out []string
	err := h.Do(func() error {
		c, err := nftables.New()
		if err != nil {
			return err
		}
		ts, err := c.ListTables()
		for _, tb := range ts {
			fam := "ip"
			if tb.Family == nftables.TableFamilyIPv6 {
				fam = "ip6"
			}
			out = append(out, fam+" "+tb.Name)
		}
		return err
	})
	if err != nil {
		t.Fatalf("list nftables tables in %s: %v", h.Name, err)
	}
	return out
}

// arpResolve asks, from h, who has addr, and returns the MAC that answered.
func arpResolve(t *testing.T, h *lab.Host, addr netip.Addr) string {
	t.Helper()
	var mac net.HardwareAddr
	err := h.Do(func() error {
		ifi, err := net.InterfaceByName(h.Ifname)
		if err != nil {
			return err
		}
		c, err := arp.Dial(ifi)
		if err != nil {
			return err
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(3 * time.Second))
		mac, err = c.Resolve(addr)
		return err
	})
	if err != nil {
		return "no answer: " + err.Error()
	}
	return mac.String()
}

// Accept_Mode: a no_accept master (vrrp_strict implies it) holds the VIP
// and answers ARP for it, but drops everything sent to it; with accept it
// answers ping. No nftables table is left after the daemon stops.
func TestAcceptMode(t *testing.T) {
	needRoot(t)
	l := lab.New(t, lab.Spec{Hosts: lab.Hosts("a", "client")})
	a, client := l.Host("a"), l.Host("client")
	vip := netip.MustParseAddr("192.168.1.6")
	aMAC := "02:00:00:00:01:02" // lab.Hosts gives host n the MAC 02:00:00:00:01:0n

	tests := []struct {
		name, global, extra string
		wantPing            bool
		wantTables          []string
	}{
		{"vrrp_strict implies no_accept", "vrrp_strict", "", false, []string{"ip keepalived"}},
		{"no_accept", "", "no_accept", false, []string{"ip keepalived"}},
		{"vrrp_strict with accept (version 3)", "vrrp_strict", "version 3\naccept", true, nil},
		{"default accept", "", "", true, nil},
		{"owner ignores no_accept", "", "no_accept\npriority 255", true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := newNode(t, a, fmt.Sprintf(acceptConf, tt.global, tt.extra))
			n.start(t)
			waitState(t, n, "MASTER", 20*time.Second)

			if got := arpResolve(t, client, vip); got != aMAC {
				t.Errorf("ARP for %s from the client: %s, want %s", vip, got, aMAC)
			}
			p := startPinger(t, client, vip, 200*time.Millisecond)
			time.Sleep(2 * time.Second)
			sent, rcvd := p.stop()
			if got := rcvd > 0; got != tt.wantPing || sent == 0 {
				t.Errorf("ping %s from the client: %d of %d answered; want answers: %v", vip, rcvd, sent, tt.wantPing)
			}
			if diff := cmp.Diff(tt.wantTables, nftTables(t, a)); diff != "" {
				t.Errorf("nftables tables while master (-want +got):\n%s", diff)
			}

			n.signal(t, 15) // SIGTERM
			n.wait(t, 15*time.Second)
			if got := nftTables(t, a); len(got) != 0 {
				t.Errorf("nftables tables left after stop: %v", got)
			}
			if hasAddr(t, a, vip) {
				t.Errorf("VIP %s left on a after stop", vip)
			}
		})
	}
}
