package e2e

import (
	"fmt"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/ipv4"

	"github.com/gokeepalived/gokeepalived/internal/control"
	"github.com/gokeepalived/gokeepalived/internal/lab"
	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

// floodConf is a lone master (so nothing else advertises) that logs
// adverts for unknown VRIDs.
var floodConf = `
global_defs {
    router_id a
    log_unknown_vrids
}
` + masterInst("VI_1", 51, "192.168.1.6", "") + `
`

// flooder sends VRRP packets from a lab host to 224.0.0.18.
type flooder struct {
	pc *ipv4.PacketConn
}

func newFlooder(t *testing.T, h *lab.Host) *flooder {
	t.Helper()
	f := &flooder{}
	err := h.Do(func() error {
		c, err := net.ListenPacket("ip4:112", "0.0.0.0")
		if err != nil {
			return err
		}
		ifi, err := net.InterfaceByName("eth1")
		if err != nil {
			c.Close()
			return err
		}
		f.pc = ipv4.NewPacketConn(c)
		return f.pc.SetMulticastInterface(ifi)
	})
	if err != nil {
		t.Fatalf("flooder on %s: %v", h.Name, err)
	}
	t.Cleanup(func() { f.pc.Close() })
	return f
}

// flood sends data with ttl at rate packets a second for d, and returns
// how many it sent; it is bounded by both the count and the time.
func (f *flooder) flood(t *testing.T, data []byte, ttl int, rate int, d time.Duration) int {
	t.Helper()
	if err := f.pc.SetMulticastTTL(ttl); err != nil {
		t.Fatal(err)
	}
	dst := &net.IPAddr{IP: net.IPv4(224, 0, 0, 18)}
	n := rate * int(d/time.Millisecond) / 1000
	step := time.Second / time.Duration(rate)
	start := time.Now()
	sent := 0
	for i := range n {
		if _, err := f.pc.WriteTo(data, nil, dst); err == nil {
			sent++
		}
		if i%10 == 9 {
			if wait := time.Until(start.Add(time.Duration(i+1) * step)); wait > 0 {
				time.Sleep(wait)
			}
		}
		if time.Since(start) > 2*d {
			break
		}
	}
	return sent
}

// logLines is the daemon's output lines above DEBUG and their bytes.
func logLines(n *node) (lines, bytes int) {
	for _, l := range strings.Split(n.proc.Output(), "\n") {
		if l == "" || strings.Contains(l, "DEBUG") {
			continue
		}
		lines++
		bytes += len(l) + 1
	}
	return lines, bytes
}

// TestFloodBounded floods a master with 10,000 packets a second of each
// class for 3 s: valid lower-priority adverts, valid priority-0 adverts,
// adverts with a wrong TTL, and adverts for an unknown VRID. The master
// stays master, answers at most one advert and one gratuitous ARP burst
// per advertisement interval, and logs at most a few lines per class.
func TestFloodBounded(t *testing.T) {
	needRoot(t)
	const (
		rate = 10000
		dur  = 3 * time.Second
	)
	l := lab.New(t, lab.Spec{Hosts: lab.Hosts("a", "f")})
	a, fh := l.Host("a"), l.Host("f")
	na := newNode(t, a, floodConf)
	na.start(t)
	waitPlacement(t, 10*time.Second, map[netip.Addr]string{vip6: "a"}, a)
	ca := dialNode(t, na)
	time.Sleep(6 * time.Second) // both start-up gratuitous ARP bursts are over
	fl := newFlooder(t, fh)

	encode := func(vrid, prio uint8) []byte {
		adv := vrrp.Advertisement{Version: vrrp.V2, VRID: vrid, Priority: prio, Interval: time.Second, Addrs: []netip.Addr{vip6}}
		b, err := adv.Append(nil, vrrp.Sum{Form: vrrp.FormMessage})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	classes := []struct {
		name string
		data []byte
		ttl  int
	}{
		{"valid, lower priority", encode(51, 50), 255},
		{"valid, priority 0", encode(51, 0), 255},
		{"wrong TTL (dropped)", encode(51, 50), 64},
		{"unknown VRID", encode(99, 50), 255},
	}
	var table strings.Builder
	fmt.Fprintf(&table, "\n| packets (3 s at 10k/s) | sent | seen by a | log lines | log bytes/s | adverts sent | GARPs sent |\n|---|---|---|---|---|---|---|\n")
	for _, c := range classes {
		before := instanceOf(t, snap(t, ca), "VI_1")
		linesBefore, bytesBefore := logLines(na)
		start := time.Now()
		sent := fl.flood(t, c.data, c.ttl, rate, dur)
		time.Sleep(300 * time.Millisecond)
		took := time.Since(start)
		after := instanceOf(t, snap(t, ca), "VI_1")
		lines, bytes := logLines(na)
		lines, bytes = lines-linesBefore, bytes-bytesBefore
		s0, s1 := before.Stats, after.Stats
		seen := (s1.AdvertRcvd - s0.AdvertRcvd) + (s1.IPTTLErr - s0.IPTTLErr)
		adverts, garps := s1.AdvertSent-s0.AdvertSent, s1.GratuitousARPSent-s0.GratuitousARPSent
		secs := int(took.Seconds()) + 1
		fmt.Fprintf(&table, "| %s | %d | %d | %d | %.0f | %d | %d |\n", c.name, sent, seen, lines, float64(bytes)/took.Seconds(), adverts, garps)

		if after.State != control.StateMaster || s1.ReleaseMaster != s0.ReleaseMaster {
			t.Errorf("%s: a is %s after the flood (released master %d times), want MASTER throughout", c.name, after.State, s1.ReleaseMaster-s0.ReleaseMaster)
		}
		// Regular adverts (one a second) plus at most one answer a second.
		if limit := uint64(2*secs + 1); adverts > limit {
			t.Errorf("%s: %d adverts sent in %s, want at most %d", c.name, adverts, took, limit)
		}
		// One burst of 5 per second at most, and the delayed burst.
		if limit := uint64(5 * (secs + 1)); garps > limit {
			t.Errorf("%s: %d gratuitous ARPs sent in %s, want at most %d", c.name, garps, took, limit)
		}
		if lines > 3 {
			t.Errorf("%s: %d log lines above DEBUG, want at most 3", c.name, lines)
		}
		if sent < rate*int(dur/time.Second)*9/10 {
			t.Errorf("%s: the flooder sent only %d packets", c.name, sent)
		}
		time.Sleep(time.Second)
	}
	t.Log(table.String())
}
