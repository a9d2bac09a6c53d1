package systemtest

import (
	"context"
	"errors"
	"net/netip"
	"testing"

	"github.com/gokeepalived/gokeepalived/internal/system"
	"github.com/google/go-cmp/cmp"
)

var cmpAddr = cmp.Comparer(func(a, b netip.Addr) bool { return a == b })
var cmpPrefix = cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })

func TestAddresserRecordsAndFails(t *testing.T) {
	var a Addresser
	boom := errors.New("boom")
	v := system.VIP{Prefix: netip.MustParsePrefix("192.168.1.6/32"), Ifindex: 2}
	a.Fail("Add", boom)
	if err := a.Add(v); !errors.Is(err, boom) {
		t.Fatalf("first Add: err = %v, want boom", err)
	}
	if err := a.Add(v); err != nil {
		t.Fatalf("second Add: %v", err)
	}
	got, _ := a.List(2, system.IPv4)
	if diff := cmp.Diff([]netip.Prefix{v.Prefix}, got, cmpPrefix); diff != "" {
		t.Errorf("List after Add (-want +got):\n%s", diff)
	}
	removed, err := system.RemoveStale(&a, &a, []system.VIP{v, {Prefix: netip.MustParsePrefix("192.168.1.7/32"), Ifindex: 2}})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]system.VIP{v}, removed, cmpAddr, cmpPrefix); diff != "" {
		t.Errorf("RemoveStale (-want +got):\n%s", diff)
	}
	wantCalls := []string{"Add", "Add", "List", "List", "Del"}
	var gotCalls []string
	for _, c := range a.Calls() {
		gotCalls = append(gotCalls, c.Method)
	}
	if diff := cmp.Diff(wantCalls, gotCalls); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
}

func TestConnDeliverWriteClose(t *testing.T) {
	c := NewConn()
	c.Deliver(Packet{Payload: []byte{1, 2, 3}, Meta: system.Meta{TTL: 255}})
	b := make([]byte, 10)
	n, m, err := c.Read(b)
	if err != nil || n != 3 || m.TTL != 255 {
		t.Fatalf("Read = %d, %+v, %v", n, m, err)
	}
	p := []byte{9}
	if err := c.Write(system.Message{Payload: p}); err != nil {
		t.Fatal(err)
	}
	p[0] = 0
	if got := c.Writes()[0].Payload[0]; got != 9 {
		t.Errorf("recorded payload aliased the caller's buffer: %d", got)
	}
	c.Close()
	if _, _, err := c.Read(b); !errors.Is(err, system.ErrClosed) {
		t.Errorf("Read after Close: %v, want ErrClosed", err)
	}
}

func TestLinkWatcher(t *testing.T) {
	w := NewLinkWatcher(system.Link{Index: 2, Name: "eth1", Up: true})
	if _, err := w.Lookup("eth9"); !errors.Is(err, system.ErrNoInterface) {
		t.Errorf("Lookup(eth9): %v, want ErrNoInterface", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch, err := w.Watch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := system.LinkEvent{Link: system.Link{Index: 2, Name: "eth1"}}
	w.Send(want)
	got := <-ch
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("event (-want +got):\n%s", diff)
	}
	if l, _ := w.Lookup("eth1"); l.Up {
		t.Errorf("Lookup after down event: still up")
	}
}

// TestLinkWatcherResolves: ByIndex finds a known link, and the source
// pickers answer from Addrs in the order addresses went on, skipping
// excluded ones and the other family.
func TestLinkWatcherResolves(t *testing.T) {
	var a Addresser
	w := NewLinkWatcher(system.Link{Index: 2, Name: "eth1", Up: true})
	w.Addrs = &a
	if l, err := w.ByIndex(2); err != nil || l.Name != "eth1" {
		t.Errorf("ByIndex(2) = %+v, %v; want eth1", l, err)
	}
	if _, err := w.ByIndex(9); !errors.Is(err, system.ErrNoInterface) {
		t.Errorf("ByIndex(9): %v, want ErrNoInterface", err)
	}
	if _, err := w.PrimaryIPv4(2); !errors.Is(err, system.ErrNoAddress) {
		t.Errorf("PrimaryIPv4 with no addresses: %v, want ErrNoAddress", err)
	}
	pp := netip.MustParsePrefix
	a.Set(2, pp("2001:db8::1/64"), pp("fe80::1/64"), pp("10.0.0.1/24"), pp("10.0.0.2/24"))
	ma := netip.MustParseAddr
	tests := []struct {
		name string
		pick func(int, ...netip.Addr) (netip.Addr, error)
		excl []netip.Addr
		want netip.Addr
	}{
		{"ipv4", w.PrimaryIPv4, nil, ma("10.0.0.1")},
		{"ipv4 excluded", w.PrimaryIPv4, []netip.Addr{ma("10.0.0.1")}, ma("10.0.0.2")},
		{"ipv6 link-local", w.LinkLocalIPv6, nil, ma("fe80::1")},
	}
	for _, tt := range tests {
		got, err := tt.pick(2, tt.excl...)
		if err != nil || got != tt.want {
			t.Errorf("%s: %v, %v; want %v", tt.name, got, err, tt.want)
		}
	}
}

func TestAddrWatcher(t *testing.T) {
	w := NewAddrWatcher()
	ctx, cancel := context.WithCancel(context.Background())
	ch, err := w.Watch(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := system.AddrEvent{Ifindex: 2, Prefix: netip.MustParsePrefix("10.0.0.1/24"), New: true}
	w.Send(want)
	if got := <-ch; got != want {
		t.Errorf("event %+v, want %+v", got, want)
	}
	cancel()
	if _, ok := <-ch; ok {
		t.Error("channel still open after ctx is done")
	}
}

// TestAddresserListAll: ifindex 0 lists every interface's addresses, as
// the netlink Addresses does.
func TestAddresserListAll(t *testing.T) {
	var a Addresser
	a.Set(2, netip.MustParsePrefix("192.168.1.2/24"), netip.MustParsePrefix("fe80::2/64"))
	a.Set(1, netip.MustParsePrefix("10.9.9.9/32"))
	got, _ := a.List(0, system.IPv4)
	want := []netip.Prefix{netip.MustParsePrefix("10.9.9.9/32"), netip.MustParsePrefix("192.168.1.2/24")}
	if diff := cmp.Diff(want, got, cmpPrefix); diff != "" {
		t.Errorf("List(0, IPv4) (-want +got):\n%s", diff)
	}
}
