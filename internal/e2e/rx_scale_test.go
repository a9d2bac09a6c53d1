package e2e

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/lab"
	"github.com/gokeepalived/gokeepalived/internal/system"
	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

const (
	rxScaleIfaces = 4
	rxScalePer    = 250 // VRIDs per interface: 1,000 in all
)

// rxScaleConf is b's configuration: 1,000 backups at 100 ms on v10..v13.
func rxScaleConf() string {
	var b strings.Builder
	b.WriteString("global_defs {\n router_id b\n vrrp_garp_master_repeat 1\n}\n")
	for i := range rxScaleIfaces {
		for v := 1; v <= rxScalePer; v++ {
			fmt.Fprintf(&b, "vrrp_instance V%d_%d {\n state BACKUP\n interface v%d\n virtual_router_id %d\n priority 100\n version 3\n advert_int 0.1\n virtual_ipaddress {\n  10.%d.%d.%d/32\n }\n}\n",
				i, v, 10+i, v, 100+i, v/250, v%250+1)
		}
	}
	return b.String()
}

// rxScaleLinks adds veth pairs v10..v13 between a and b, addressed
// 192.168.1x.2 (a) and .3 (b).
func rxScaleLinks(t *testing.T, a, b *lab.Host) {
	t.Helper()
	ctx := context.Background()
	for i := range rxScaleIfaces {
		name := fmt.Sprintf("v%d", 10+i)
		for _, cmd := range [][]string{
			{"link", "add", name, "type", "veth", "peer", "name", name, "netns", a.NS},
			{"addr", "add", fmt.Sprintf("192.168.%d.3/24", 10+i), "dev", name},
			{"link", "set", name, "up"},
		} {
			if out, err := b.Exec(ctx, "ip", cmd...); err != nil {
				t.Fatalf("ip %v on b: %v %s", cmd, err, out)
			}
		}
		for _, cmd := range [][]string{
			{"addr", "add", fmt.Sprintf("192.168.%d.2/24", 10+i), "dev", name},
			{"link", "set", name, "up"},
		} {
			if out, err := a.Exec(ctx, "ip", cmd...); err != nil {
				t.Fatalf("ip %v on a: %v %s", cmd, err, out)
			}
		}
	}
}

// advertiser sends, from a, every VRID's advert at priority 200 every
// 100 ms on each interface, spread over the interval, until ctx ends.
func advertiser(ctx context.Context, t *testing.T, a *lab.Host) <-chan int {
	var conns []*system.RawConn
	var batches [][]system.Message
	for i := range rxScaleIfaces {
		name := fmt.Sprintf("v%d", 10+i)
		src := netip.AddrFrom4([4]byte{192, 168, byte(10 + i), 2})
		err := a.Do(func() error {
			links, err := system.NewLinks(nil)
			if err != nil {
				return err
			}
			defer links.Close()
			l, err := links.Lookup(name)
			if err != nil {
				return err
			}
			c, err := system.OpenConn(system.ConnConfig{Ifindex: l.Index, Ifname: l.Name, Family: system.IPv4, NoMulticast: true})
			conns = append(conns, c)
			return err
		})
		if err != nil {
			t.Fatalf("advertiser on %s: %v", name, err)
		}
		t.Cleanup(func() { conns[i].Close() })
		var ms []system.Message
		for v := 1; v <= rxScalePer; v++ {
			adv := vrrp.Advertisement{Version: vrrp.V3, VRID: uint8(v), Priority: 200, Interval: 100 * time.Millisecond,
				Addrs: []netip.Addr{netip.AddrFrom4([4]byte{10, byte(100 + i), byte(v / 250), byte(v%250 + 1)})}}
			p, err := adv.Append(nil, vrrp.Sum{Form: vrrp.FormPseudo, Src: src, Dst: system.GroupIPv4})
			if err != nil {
				t.Fatal(err)
			}
			ms = append(ms, system.Message{Src: src, Dst: system.GroupIPv4, Payload: p})
		}
		batches = append(batches, ms)
	}
	sent := make(chan int, 1)
	go func() {
		// Ten slices of 25 VRIDs per interface, one every 10 ms.
		n := 0
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for k := 0; ; k++ {
			for i, c := range conns {
				s := k % 10 * rxScalePer / 10
				if m, err := c.WriteBatch(batches[i][s : s+rxScalePer/10]); err == nil {
					n += m
				}
			}
			select {
			case <-ctx.Done():
				sent <- n
				return
			case <-tick.C:
			}
		}
	}()
	return sent
}

// TestBackupHoldsAtScale: a backup of 1,000 instances on 4 interfaces at
// 100 ms, hearing a higher-priority master for every VRID, never
// advertises and never becomes master: it receives every advert in time
// (in batches, before its timers), however its loop is scheduled.
func TestBackupHoldsAtScale(t *testing.T) {
	needRoot(t)
	l := lab.New(t, lab.Spec{Hosts: lab.Hosts("a", "b")})
	a, b := l.Host("a"), l.Host("b")
	rxScaleLinks(t, a, b)
	ctx, stop := context.WithCancel(context.Background())
	sent := advertiser(ctx, t, a)
	defer stop()
	time.Sleep(500 * time.Millisecond) // the master is on before b starts
	nb := newNode(t, b, rxScaleConf())
	nb.start(t)
	cb := dialNode(t, nb)
	time.Sleep(10 * time.Second)
	s := snap(t, cb)
	stop()
	n := <-sent
	var rcvd, advSent, master uint64
	for _, in := range s.Instances {
		rcvd += in.Stats.AdvertRcvd
		advSent += in.Stats.AdvertSent
		master += in.Stats.BecomeMaster
	}
	t.Logf("a sent %d adverts; b: %d instances, %d adverts received, %d sent, became master %d times, %d kernel drops",
		n, len(s.Instances), rcvd, advSent, master, s.Daemon.RxKernelDrops)
	if len(s.Instances) != rxScaleIfaces*rxScalePer || rcvd == 0 {
		t.Fatalf("b runs %d instances and received %d adverts; want %d and some", len(s.Instances), rcvd, rxScaleIfaces*rxScalePer)
	}
	if advSent != 0 || master != 0 {
		t.Errorf("b sent %d adverts and became master %d times while the master advertised every VRID; want 0 and 0", advSent, master)
	}
}
