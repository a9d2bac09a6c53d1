//go:build linux

package system

import (
	"context"
	"encoding/hex"
	"errors"
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/lab"
	"github.com/google/go-cmp/cmp"
)

func u32(v uint32) *uint32 { return &v }

func TestAddressesOptionsVisibleWithIP(t *testing.T) {
	l := newLab(t, lab.Hosts("a")...)
	a := l.Host("a")
	ctx := context.Background()
	var addrs *Addresses
	var idx int
	in(t, a, func() (err error) {
		addrs, err = NewAddresses(nil)
		if err != nil {
			return err
		}
		links, err := NewLinks(nil)
		if err != nil {
			return err
		}
		defer links.Close()
		lk, err := links.Lookup("eth1")
		idx = lk.Index
		return err
	})
	t.Cleanup(func() { addrs.Close() })

	tests := []struct {
		vip  VIP
		want string // substring of `ip -o addr show dev eth1`
	}{
		{VIP{Prefix: netip.MustParsePrefix("192.168.1.6/32")}, "inet 192.168.1.6/32 scope global eth1"},
		{VIP{Prefix: netip.MustParsePrefix("192.168.1.10/24"), Broadcast: netip.MustParseAddr("192.168.1.255"), Label: "eth1:vip"},
			"inet 192.168.1.10/24 brd 192.168.1.255 scope global secondary eth1:vip"},
		// The kernel wants a secondary's scope to equal its primary's: other subnets.
		{VIP{Prefix: netip.MustParsePrefix("192.168.2.11/24"), Scope: ScopeLink, NoPrefixRoute: true},
			"inet 192.168.2.11/24 scope link noprefixroute eth1"},
		{VIP{Prefix: netip.MustParsePrefix("192.168.3.1/32"), Scope: ScopeHost}, "inet 192.168.3.1/32 scope host eth1"},
		{VIP{Prefix: netip.MustParsePrefix("10.1.1.1/32"), Peer: netip.MustParsePrefix("10.1.1.2/32")},
			"inet 10.1.1.1 peer 10.1.1.2/32 scope global eth1"},
		{VIP{Prefix: netip.MustParsePrefix("2001:db8::10/64"), NoDAD: true, PreferredLft: u32(0)},
			"inet6 2001:db8::10/64 scope global nodad deprecated"},
		{VIP{Prefix: netip.MustParsePrefix("fe80::1/64"), Scope: ScopeLink, NoDAD: true}, "inet6 fe80::1/64 scope link nodad"},
		{VIP{Prefix: netip.MustParsePrefix("2001:db8:5::1/64"), NoDAD: true, Home: true, MngTmpAddr: true},
			"inet6 2001:db8:5::1/64 scope global nodad home mngtmpaddr"},
		{VIP{Prefix: netip.MustParsePrefix("239.1.2.3/32"), AutoJoin: true}, "inet 239.1.2.3/32 scope global autojoin eth1"},
	}
	for i := range tests {
		tests[i].vip.Ifindex = idx
		for range 2 { // the second Add is a no-op, not an error
			if err := addrs.Add(tests[i].vip); err != nil {
				t.Fatalf("Add(%s): %v", tests[i].vip, err)
			}
		}
	}
	out, err := a.Exec(ctx, "ip", "-o", "addr", "show", "dev", "eth1")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		if !strings.Contains(out, tt.want) {
			t.Errorf("after Add(%s): want %q in ip addr:\n%s", tt.vip, tt.want, out)
		}
	}

	// Stale VIPs: everything configured and present goes, the host's own stays.
	vips := []VIP{tests[0].vip, tests[5].vip, {Prefix: netip.MustParsePrefix("192.168.1.99/32"), Ifindex: idx}}
	removed, err := RemoveStale(addrs, addrs, vips)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(vips[:2], removed, cmpAddr, cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })); diff != "" {
		t.Errorf("RemoveStale (-want +got):\n%s", diff)
	}
	for _, tt := range tests {
		if err := addrs.Del(tt.vip); err != nil {
			t.Errorf("Del(%s): %v", tt.vip, err)
		}
	}
	got, err := addrs.List(idx, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []netip.Prefix{
		netip.MustParsePrefix("192.168.1.2/24"),
		netip.MustParsePrefix("2001:db8::2/64"),
		netip.MustParsePrefix("fe80::2/64"),
	}
	if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })); diff != "" {
		t.Errorf("List after Del (-want +got):\n%s", diff)
	}
	if err := addrs.Add(VIP{Prefix: netip.MustParsePrefix("192.168.1.6/32"), Ifindex: 999}); !errors.Is(err, ErrNoInterface) {
		t.Errorf("Add on ifindex 999: err = %v, want ErrNoInterface", err)
	}
}

// announcer opens Links and Announcements in h's namespace.
func announcer(t *testing.T, h *lab.Host) (*Announcements, int) {
	t.Helper()
	var an *Announcements
	var idx int
	in(t, h, func() error {
		links, err := NewLinks(nil)
		if err != nil {
			return err
		}
		t.Cleanup(func() { links.Close() })
		lk, err := links.Lookup("eth1")
		if err != nil {
			return err
		}
		idx = lk.Index
		an = NewAnnouncements(links, nil)
		t.Cleanup(func() { an.Close() })
		// Read forwarding here, inside the namespace.
		fwd := ipv6Forwarding("eth1")
		an.Router = func(string) bool { return fwd }
		return nil
	})
	return an, idx
}

func TestGratuitousMatchesKeepalivedOnTheWire(t *testing.T) {
	specs := lab.Hosts("a", "b", "c")
	specs[1].IPv6Forwarding = true // keepalived's b in c06: NAs with the Router flag
	l := newLab(t, specs...)
	tests := []struct {
		host, addr, vector string
	}{
		{"a", "192.168.1.6", "c01-v2-pass-blog/02-garp-a-192.168.1.6"},
		{"a", "fe80::1", "c06-v3-ipv6/02-unsolicited-na-a-fe80::1"},
		{"a", "2001:db8::10", "c06-v3-ipv6/03-unsolicited-na-a-2001:db8::10"},
		{"b", "2001:db8::10", "c06-v3-ipv6/07-unsolicited-na-b-2001:db8::10"},
	}
	pc := capture(t, l.Host("c"))
	for _, tt := range tests {
		t.Run(tt.vector, func(t *testing.T) {
			an, idx := announcer(t, l.Host(tt.host))
			addr := netip.MustParseAddr(tt.addr)
			var err error
			in(t, l.Host(tt.host), func() error { err = an.Gratuitous(idx, addr); return nil })
			if err != nil {
				t.Fatal(err)
			}
			want := vector(t, tt.vector)["frame"]
			got := nextFrame(t, pc, func(f []byte) bool {
				// ARP (not the kernel's own), or ICMPv6 type 136 to ff02::1.
				return (len(f) == GARPLen && f[12] == 0x08 && f[13] == 0x06 && f[21] == 1 && f[0] == 0xff) ||
					(len(f) == NALen && f[0] == 0x33 && f[54] == 136)
			})
			if diff := cmp.Diff(want, hex.EncodeToString(got)); diff != "" {
				t.Errorf("frame (-want +got):\n%s", diff)
			}
		})
	}
}

func TestGratuitousARPUpdatesNeighbour(t *testing.T) {
	l := newLab(t, lab.Hosts("a", "b")...)
	a, b := l.Host("a"), l.Host("b")
	ctx := context.Background()
	// b believes the VIP is elsewhere; allow updates right after that.
	if _, err := b.Exec(ctx, "ip", "neigh", "replace", "192.168.1.6", "lladdr", "02:00:00:00:09:09", "dev", "eth1", "nud", "stale"); err != nil {
		t.Fatal(err)
	}
	in(t, b, func() error { return os.WriteFile("/proc/sys/net/ipv4/neigh/eth1/locktime", []byte("0"), 0o644) })
	an, idx := announcer(t, a)
	var out string
	for range 50 { // bounded retries, not a timing assertion
		in(t, a, func() error { return an.Gratuitous(idx, netip.MustParseAddr("192.168.1.6")) })
		var err error
		out, err = b.Exec(ctx, "ip", "neigh", "show", "192.168.1.6", "dev", "eth1")
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(out, "02:00:00:00:01:02") {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Errorf("b's neighbour entry for 192.168.1.6 after GARPs from a: %q, want lladdr 02:00:00:00:01:02", out)
}

func TestLinksLookupAddressesAndWatch(t *testing.T) {
	l := newLab(t, lab.Hosts("a")...)
	a := l.Host("a")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var links *Links
	var events <-chan LinkEvent
	var eth1 Link
	in(t, a, func() (err error) {
		if links, err = NewLinks(nil); err != nil {
			return err
		}
		if eth1, err = links.Lookup("eth1"); err != nil {
			return err
		}
		events, err = links.Watch(ctx)
		return err
	})
	t.Cleanup(func() { links.Close() })

	if _, err := links.Lookup("eth9"); !errors.Is(err, ErrNoInterface) || !strings.Contains(err.Error(), "eth9") {
		t.Errorf("Lookup(eth9): err = %v, want ErrNoInterface naming eth9", err)
	}
	if !eth1.Up || eth1.MAC.String() != "02:00:00:00:01:02" {
		t.Errorf("Lookup(eth1) = %+v, want up with MAC 02:00:00:00:01:02", eth1)
	}
	// A /32 VIP added later must not become the advert source.
	if _, err := a.Exec(ctx, "ip", "addr", "add", "192.168.1.6/32", "dev", "eth1"); err != nil {
		t.Fatal(err)
	}
	p4, err := links.PrimaryIPv4(eth1.Index)
	if err != nil || p4 != netip.MustParseAddr("192.168.1.2") {
		t.Errorf("PrimaryIPv4 = %v, %v; want 192.168.1.2", p4, err)
	}
	ll, err := links.LinkLocalIPv6(eth1.Index)
	if err != nil || ll != netip.MustParseAddr("fe80::2") {
		t.Errorf("LinkLocalIPv6 = %v, %v; want fe80::2", ll, err)
	}
	if _, err := links.LinkLocalIPv6(1); !errors.Is(err, ErrNoAddress) {
		t.Errorf("LinkLocalIPv6(lo): err = %v, want ErrNoAddress", err)
	}

	// Down then up: the watcher reports both transitions for eth1.
	waitFor := func(up bool) {
		t.Helper()
		for {
			select {
			case ev, ok := <-events:
				if !ok {
					t.Fatalf("watch closed waiting for eth1 up=%v", up)
				}
				if ev.Index == eth1.Index && ev.Up == up {
					return
				}
			case <-ctx.Done():
				t.Fatalf("no event eth1 up=%v", up)
			}
		}
	}
	waitFor(true) // the initial listing
	if err := a.SetLink(ctx, false); err != nil {
		t.Fatal(err)
	}
	waitFor(false)
	if err := a.SetLink(ctx, true); err != nil {
		t.Fatal(err)
	}
	waitFor(true)
}
