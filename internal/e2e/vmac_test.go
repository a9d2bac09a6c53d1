package e2e

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/mdlayher/packet"

	"github.com/gokeepalived/gokeepalived/internal/control"
	"github.com/gokeepalived/gokeepalived/internal/lab"
	"github.com/gokeepalived/gokeepalived/internal/vectors"
)

// vmCapture records every frame a host's LAN interface receives, on a
// packet socket opened inside the host (the observer of the vectors' lab).
type vmCapture struct {
	conn *packet.Conn
	done chan struct{}

	mu  sync.Mutex
	raw [][]byte
}

func vmStartCapture(t *testing.T, h *lab.Host) *vmCapture {
	t.Helper()
	return vmStartCaptureOn(t, h, h.Ifname)
}

// vmStartCaptureOn records every frame arriving on ifname in h.
func vmStartCaptureOn(t *testing.T, h *lab.Host, ifname string) *vmCapture {
	t.Helper()
	c := &vmCapture{done: make(chan struct{})}
	err := h.Do(func() error {
		ifi, err := net.InterfaceByName(ifname)
		if err != nil {
			return err
		}
		const ethPAll = 0x0003
		c.conn, err = packet.Listen(ifi, packet.Raw, ethPAll, nil)
		return err
	})
	if err != nil {
		t.Fatalf("capture on %s of %s: %v", ifname, h.Name, err)
	}
	go func() {
		defer close(c.done)
		buf := make([]byte, 65536)
		for {
			n, _, err := c.conn.ReadFrom(buf)
			if err != nil {
				return // closed (os.ErrClosed, not net.ErrClosed) or broken
			}
			c.mu.Lock()
			c.raw = append(c.raw, append([]byte(nil), buf[:n]...))
			c.mu.Unlock()
		}
	}()
	t.Cleanup(func() { c.conn.Close(); <-c.done })
	return c
}

// vmFrame is one captured advert or gratuitous ARP, summarised.
type vmFrame struct {
	Kind   string // advert or garp
	SrcMAC string
	Src    string // advert: IP source; garp: the announced address
	Prio   int    // advert only
	Raw    []byte
}

func (c *vmCapture) frames2() []vmFrame {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []vmFrame
	for _, b := range c.raw {
		if a, ok := ioParseAdvert(b); ok && a.Src.Is4() {
			out = append(out, vmFrame{Kind: "advert", SrcMAC: a.SrcMAC, Src: a.Src.String(), Prio: a.Priority(), Raw: b})
		} else if g, ok := ioParseAnnouncement(b); ok {
			out = append(out, vmFrame{Kind: "garp", SrcMAC: g.SrcMAC, Src: g.Addr.String(), Raw: b})
		}
	}
	return out
}

// first returns the first frame of kind from src with priority prio
// (-1: any), or nil.
func (c *vmCapture) first(kind, src string, prio int) []byte {
	for _, f := range c.frames2() {
		if f.Kind == kind && f.Src == src && (prio < 0 || f.Prio == prio) {
			return f.Raw
		}
	}
	return nil
}

// vmIfaceAddrs returns "dev addr" for every IPv4 address in h except lo.
func vmIfaceAddrs(t *testing.T, h *lab.Host) []string {
	t.Helper()
	return vmAddrs(t, h, "-4")
}

// vmLinks returns "name mac mode" for every macvlan in h.
func vmLinks(t *testing.T, h *lab.Host) []string {
	t.Helper()
	out, err := h.Exec(context.Background(), "ip", "-d", "-o", "link", "show", "type", "macvlan")
	if err != nil {
		t.Fatalf("%s: ip link: %v", h.Name, err)
	}
	var got []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		name, _, _ := strings.Cut(strings.TrimSuffix(f[1], ":"), "@")
		var mac, mode string
		for i := 0; i+1 < len(f); i++ {
			switch f[i] {
			case "link/ether":
				mac = f[i+1]
			case "mode":
				if mode == "" && f[i-1] == "macvlan" {
					mode = f[i+1]
				}
			}
		}
		got = append(got, name+" "+mac+" "+mode)
	}
	return got
}

// vmSysctls reads the sysctls use_vmac changes, inside h.
func vmSysctls(t *testing.T, h *lab.Host) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, k := range []string{"all/rp_filter", "default/rp_filter", "eth1/rp_filter", "lo/rp_filter", "eth1/arp_ignore", "eth1/arp_filter"} {
		v, err := h.Exec(context.Background(), "cat", "/proc/sys/net/ipv4/conf/"+k)
		if err != nil {
			t.Fatalf("%s: %s: %v", h.Name, k, err)
		}
		out[k] = strings.TrimSpace(v)
	}
	return out
}

// vmNormalizeID zeroes the IPv4 identification and header checksum of an
// Ethernet frame: repeated adverts differ only there.
func vmNormalizeID(b []byte) []byte {
	b = append([]byte(nil), b...)
	if len(b) >= 26 {
		b[18], b[19], b[24], b[25] = 0, 0, 0, 0
	}
	return b
}

// TestVMAC runs two gokeepalived nodes with use_vmac, node a on the
// configuration keepalived ran for the c11 vectors and node b the same at
// a lower priority, and a silent observer c capturing on its packet
// socket. The master's adverts and GARPs leave from 00:00:5e:00:01:57 on
// vrrp.87 byte for byte as keepalived's, the backup holds a VMAC too but
// no address, the observer reaches the VIP at the virtual MAC before and
// after a failover, and after both stop no macvlan and no sysctl change is
// left behind (all.rp_filter starts at 1 to exercise keepalived's
// rp_filter dance).
func TestVMAC(t *testing.T) {
	needRoot(t)
	vs := vectors.LoadT(t, vectors.File227)
	want := map[string][]byte{}
	for _, v := range vs {
		if v.Case == "c11-v2-use-vmac" {
			want[v.Name[len(v.Case)+1:]] = v.Frame
		}
	}
	if len(want) != 3 {
		t.Fatalf("want 3 c11 vectors, found %d", len(want))
	}
	confA, err := os.ReadFile(filepath.Join(filepath.Dir(vectors.Path(t, vectors.File227)), "configs", "c11-v2-use-vmac", "a.conf"))
	if err != nil {
		t.Fatal(err)
	}
	confB := strings.NewReplacer("VEC_A", "VEC_B", "state MASTER", "state BACKUP", "priority 100", "priority 50").Replace(string(confA))

	l := lab.New(t, lab.Spec{Hosts: lab.Hosts("a", "b", "c")})
	a, b, c := l.Host("a"), l.Host("b"), l.Host("c")
	for _, h := range []*lab.Host{a, b} {
		sh(t, h, "sysctl -q -w net.ipv4.conf.all.rp_filter=1")
	}
	before := map[string]map[string]string{"a": vmSysctls(t, a), "b": vmSysctls(t, b)}
	capt := vmStartCapture(t, c)
	vip := netip.MustParseAddr("192.168.1.30")
	const vmacMAC = "00:00:5e:00:01:57"

	ga, gb := newGK(t, a, string(confA)), newGK(t, b, confB)
	ga.start(t)
	eventually(t, 20*time.Second, "a holds the VIP on vrrp.87", func() (bool, string) {
		got := vmIfaceAddrs(t, a)
		return ioContains(got, "vrrp.87 192.168.1.30/32"), fmt.Sprint(got)
	})
	gb.start(t)
	gb.waitBackup(t, 20*time.Second)

	// Both hold the VMAC interface; only the master has the address.
	for _, h := range []*lab.Host{a, b} {
		if diff := cmp.Diff([]string{"vrrp.87 " + vmacMAC + " private"}, vmLinks(t, h)); diff != "" {
			t.Errorf("%s macvlans (-want +got):\n%s", h.Name, diff)
		}
	}
	if diff := cmp.Diff([]string{"eth1 192.168.1.3/24"}, vmIfaceAddrs(t, b)); diff != "" {
		t.Errorf("backup b addresses (-want +got):\n%s", diff)
	}
	if got := instanceOf(t, ga.status(t), "VI_VMAC"); got.VMACInterface != "vrrp.87" || got.State != control.StateMaster {
		t.Errorf("a status: vmac_interface %q state %s, want vrrp.87 MASTER", got.VMACInterface, got.State)
	}
	held := map[string]string{"all/rp_filter": "0", "default/rp_filter": "1", "eth1/rp_filter": "1",
		"lo/rp_filter": "1", "eth1/arp_ignore": "1", "eth1/arp_filter": "1"}
	if diff := cmp.Diff(held, vmSysctls(t, a)); diff != "" {
		t.Errorf("a sysctls while running (-want +got):\n%s", diff)
	}

	// The observer resolves the VIP to the virtual MAC and reaches it.
	vmReach(t, c, vip, vmacMAC)

	// Byte for byte as keepalived: the first advert (IP id 1) and a GARP.
	eventually(t, 10*time.Second, "a's advert and GARP captured", func() (bool, string) {
		return capt.first("advert", "192.168.1.2", 100) != nil && capt.first("garp", vip.String(), -1) != nil,
			fmt.Sprint(len(capt.frames2()), " frames")
	})
	if diff := cmp.Diff(ioHex(want["01-advert-a-vmac-v2-vrid87-prio100"]), ioHex(capt.first("advert", "192.168.1.2", 100))); diff != "" {
		t.Errorf("a's first advert frame (-keepalived +gokeepalived):\n%s", diff)
	}
	if diff := cmp.Diff(ioHex(want["02-garp-a-vmac-192.168.1.30"]), ioHex(capt.first("garp", vip.String(), -1))); diff != "" {
		t.Errorf("a's GARP frame (-keepalived +gokeepalived):\n%s", diff)
	}

	// Failover: a stops (priority 0 from the VMAC), b takes the VIP onto
	// its own vrrp.87 and announces it from the same MAC.
	ga.stop(t)
	eventually(t, 20*time.Second, "b holds the VIP on vrrp.87", func() (bool, string) {
		got := vmIfaceAddrs(t, b)
		return ioContains(got, "vrrp.87 192.168.1.30/32"), fmt.Sprint(got)
	})
	if diff := cmp.Diff(ioHex(vmNormalizeID(want["03-advert-a-vmac-v2-vrid87-prio0"])), ioHex(vmNormalizeID(capt.first("advert", "192.168.1.2", 0)))); diff != "" {
		t.Errorf("a's priority-0 advert frame, IP id and checksum aside (-keepalived +gokeepalived):\n%s", diff)
	}
	eventually(t, 10*time.Second, "b's advert and GARP from the VMAC", func() (bool, string) {
		return capt.first("advert", "192.168.1.3", 50) != nil && vmGARPCount(capt, vmacMAC) > 5, ""
	})
	if got := vmLinks(t, a); len(got) != 0 {
		t.Errorf("a still has macvlans after stopping: %v", got)
	}
	if diff := cmp.Diff(before["a"], vmSysctls(t, a)); diff != "" {
		t.Errorf("a sysctls after stopping (-before +after):\n%s", diff)
	}
	vmReach(t, c, vip, vmacMAC)

	// Every VRRP advert and GARP seen came from the virtual MAC.
	for _, f := range capt.frames2() {
		if f.SrcMAC != vmacMAC {
			t.Errorf("%s from %s (want every one from %s)", f.Kind, f.SrcMAC, vmacMAC)
		}
	}

	gb.stop(t)
	for _, h := range []*lab.Host{a, b} {
		if got := vmLinks(t, h); len(got) != 0 {
			t.Errorf("%s: macvlans left after stop: %v", h.Name, got)
		}
		if got := vmIfaceAddrs(t, h); ioContains(got, "vrrp.87 192.168.1.30/32") {
			t.Errorf("%s: VIP left after stop: %v", h.Name, got)
		}
		if diff := cmp.Diff(before[h.Name], vmSysctls(t, h)); diff != "" {
			t.Errorf("%s sysctls after stop (-before +after):\n%s", h.Name, diff)
		}
	}
}

// vmGARPCount counts the GARPs from mac (a's first burst is 5, so more
// means the new master announced too).
func vmGARPCount(c *vmCapture, mac string) int {
	n := 0
	for _, f := range c.frames2() {
		if f.Kind == "garp" && f.SrcMAC == mac {
			n++
		}
	}
	return n
}

// vmReach checks that h reaches vip: a TCP connection to a closed port is
// refused (the holder answered) and h's neighbour entry for vip is mac.
func vmReach(t *testing.T, h *lab.Host, vip netip.Addr, mac string) {
	t.Helper()
	eventually(t, 10*time.Second, h.Name+" reaches "+vip.String(), func() (bool, string) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		conn, err := h.DialContext(ctx, "tcp", netip.AddrPortFrom(vip, 9).String())
		if err == nil {
			conn.Close()
			return true, ""
		}
		if !errors.Is(err, syscall.ECONNREFUSED) {
			return false, err.Error()
		}
		out, _ := h.Exec(context.Background(), "ip", "neigh", "show", vip.String())
		return strings.Contains(out, "lladdr "+mac), "neighbour: " + strings.TrimSpace(out)
	})
}

// vmVariantConf is one use_vmac instance; %s are the extra instance
// lines and the VIP, %d the priority.
const vmVariantConf = `
vrrp_instance VM {
    state BACKUP
    interface eth1
    virtual_router_id %d
    priority %d
    advert_int 1
    use_vmac %s
    %s
    virtual_ipaddress {
        %s
    }
}
`

// TestVMACVariants runs two nodes in the other use_vmac shapes: IPv6
// (VMAC 00:00:5e:00:02:VRID, the parent's link-local on it, adverts from
// it) and vmac_xmit_base (adverts from the parent's own MAC, GARPs from
// the VMAC), with a named VMAC. The backup must hear the master (one
// master), the VIP moves on failover, and nothing is left after stop.
func TestVMACVariants(t *testing.T) {
	needRoot(t)
	tests := []struct {
		name, vmac, extra, vip string
		vrid                   int
		ip                     string // "-4" or "-6" for `ip addr`
		advertMAC              map[string]string
		announceMAC            string
	}{
		{
			name: "ipv6", vrid: 9, vip: "2001:db8::30/64", ip: "-6",
			advertMAC:   map[string]string{"a": "00:00:5e:00:02:09", "b": "00:00:5e:00:02:09"},
			announceMAC: "00:00:5e:00:02:09",
		},
		{
			name: "xmit_base", vrid: 10, vmac: "vip10", extra: "vmac_xmit_base", vip: "192.168.1.40", ip: "-4",
			advertMAC:   map[string]string{"a": "02:00:00:00:01:02", "b": "02:00:00:00:01:03"},
			announceMAC: "00:00:5e:00:01:0a",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ifname := tt.vmac
			if ifname == "" {
				ifname = fmt.Sprintf("vrrp.%d", tt.vrid)
			}
			l := lab.New(t, lab.Spec{Hosts: lab.Hosts("a", "b", "c")})
			a, b, c := l.Host("a"), l.Host("b"), l.Host("c")
			before := map[string]map[string]string{"a": vmSysctls(t, a), "b": vmSysctls(t, b)}
			capt := vmStartCapture(t, c)
			ga := newGK(t, a, fmt.Sprintf(vmVariantConf, tt.vrid, 100, tt.vmac, tt.extra, tt.vip))
			gb := newGK(t, b, fmt.Sprintf(vmVariantConf, tt.vrid, 50, tt.vmac, tt.extra, tt.vip))
			want := tt.vip
			if !strings.Contains(want, "/") {
				want += "/32"
			}
			onVMAC := func(h *lab.Host) (bool, string) {
				got := vmAddrs(t, h, tt.ip)
				return ioContains(got, ifname+" "+want), fmt.Sprint(got)
			}
			ga.start(t)
			eventually(t, 20*time.Second, "a holds the VIP on "+ifname, func() (bool, string) { return onVMAC(a) })
			gb.start(t)
			gb.waitBackup(t, 20*time.Second)
			ga.stop(t)
			eventually(t, 20*time.Second, "b holds the VIP on "+ifname, func() (bool, string) { return onVMAC(b) })
			gb.stop(t)

			// Adverts per sender MAC and announcement MACs, from the wire.
			got := map[string]string{}
			var announcers []string
			srcs := map[string]string{"a": "192.168.1.2", "b": "192.168.1.3"}
			if tt.ip == "-6" {
				srcs = map[string]string{"a": "fe80::2", "b": "fe80::3"}
			}
			for _, f := range capt.frames() {
				if adv, ok := ioParseAdvert(f); ok && adv.VRID() == tt.vrid {
					for h, src := range srcs {
						if adv.Src.String() == src {
							got[h] = adv.SrcMAC
						}
					}
				} else if an, ok := ioParseAnnouncement(f); ok && strings.HasPrefix(tt.vip, an.Addr.String()) {
					if !ioContains(announcers, an.SrcMAC) {
						announcers = append(announcers, an.SrcMAC)
					}
				}
			}
			if diff := cmp.Diff(tt.advertMAC, got); diff != "" {
				t.Errorf("advert source MAC per node (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]string{tt.announceMAC}, announcers); diff != "" {
				t.Errorf("GARP/NA source MACs (-want +got):\n%s", diff)
			}
			for _, h := range []*lab.Host{a, b} {
				if got := vmLinks(t, h); len(got) != 0 {
					t.Errorf("%s: macvlans left after stop: %v", h.Name, got)
				}
				if diff := cmp.Diff(before[h.Name], vmSysctls(t, h)); diff != "" {
					t.Errorf("%s sysctls after stop (-before +after):\n%s", h.Name, diff)
				}
			}
		})
	}
}

// vmAddrs returns "dev addr" for every address of family flag ("-4",
// "-6") in h except on lo.
func vmAddrs(t *testing.T, h *lab.Host, flag string) []string {
	t.Helper()
	out, err := h.Exec(context.Background(), "ip", "-o", flag, "addr", "show")
	if err != nil {
		t.Fatalf("%s: ip addr: %v", h.Name, err)
	}
	var got []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.Fields(line)
		if len(f) >= 4 && f[1] != "lo" {
			got = append(got, f[1]+" "+f[3])
		}
	}
	return got
}

// frames returns a copy of every frame captured so far.
func (c *vmCapture) frames() [][]byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([][]byte(nil), c.raw...)
}

// With -V (dont-release-vrrp) a stopping master leaves its VMAC and the
// VIP on it, as keepalived does, so a restart takes over without a gap.
func TestVMACKeptWithDontRelease(t *testing.T) {
	needRoot(t)
	l := lab.New(t, lab.Spec{Hosts: lab.Hosts("a")})
	a := l.Host("a")
	n := newNode(t, a, fmt.Sprintf(vmVariantConf, 88, 100, "", "", "192.168.1.31/32"))
	n.extras = []string{"-V"}
	n.start(t)
	waitInstance(t, n, "VM", control.StateMaster, 100, 15*time.Second)
	n.signal(t, syscall.SIGTERM)
	n.wait(t, 10*time.Second)
	if diff := cmp.Diff([]string{"vrrp.88 00:00:5e:00:01:58 private"}, vmLinks(t, a)); diff != "" {
		t.Errorf("macvlans after a -V stop (-want +got):\n%s", diff)
	}
	if got := vmIfaceAddrs(t, a); !ioContains(got, "vrrp.88 192.168.1.31/32") {
		t.Errorf("addresses after a -V stop: %v, want the VIP still on vrrp.88", got)
	}
	sh(t, a, "ip link del vrrp.88") // the lab would remove it anyway
}
