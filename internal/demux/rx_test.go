package demux

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/instance"
	"github.com/gokeepalived/gokeepalived/internal/system"
	"github.com/gokeepalived/gokeepalived/internal/system/systemtest"
	"github.com/gokeepalived/gokeepalived/internal/vinst"
	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

var testMeta = system.Meta{Src: netip.MustParseAddr("10.0.0.9"), Dst: netip.MustParseAddr("224.0.0.18"), TTL: 255, Ifindex: 2}

// testInstance returns an instance for VRID vrid on ifindex 2.
func testInstance(vrid int, conf *config.Instance) *vinst.Instance {
	if conf == nil {
		conf = &config.Instance{}
	}
	conf.Name, conf.VRID, conf.Version = fmt.Sprintf("V%d", vrid), vrid, 2
	cfg := instance.DefaultConfig()
	cfg.VRID, cfg.PrimaryAddr = uint8(vrid), netip.MustParseAddr("10.0.0.1")
	vi := &vinst.Instance{Conf: conf, Log: slog.New(slog.DiscardHandler), M: instance.New(cfg), Fam: vrrp.IPv4,
		Link:   system.Link{Index: 2, Name: "eth1", MTU: 1500},
		Expect: vrrp.Expect{Version: vrrp.V2, VRID: uint8(vrid), Interval: time.Second}}
	vi.Stats.Drops = map[string]uint64{}
	vinst.NewUnit("", []*vinst.Instance{vi})
	return vi
}

// advert returns a valid v2 advert for vrid, as testMeta's source sends it.
func advert(t *testing.T, vrid uint8) systemtest.Packet {
	t.Helper()
	adv := vrrp.Advertisement{Version: vrrp.V2, VRID: vrid, Priority: 50, Interval: time.Second}
	b, err := adv.Append(nil, vrrp.Sum{Form: vrrp.FormMessage, Src: testMeta.Src, Dst: testMeta.Dst})
	if err != nil {
		t.Fatal(err)
	}
	return systemtest.Packet{Payload: b, Meta: testMeta}
}

// newTable returns a started table whose sockets are c.
func newTable(t *testing.T, c system.Conn) *Table {
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	tb := New(func(system.ConnConfig) (system.Conn, error) { return c, nil }, slog.New(slog.DiscardHandler))
	tb.Start(ctx)
	t.Cleanup(tb.Close)
	return tb
}

// TestReadTakesWhatIsQueued: once a socket's waiter says it has
// packets, one Read returns every packet queued, each with its socket and
// metadata, and each still goes through every check of Receive (a VRID
// nobody has is counted unknown, an advert for the instance is counted);
// the next Read finds nothing.
func TestReadTakesWhatIsQueued(t *testing.T) {
	c := systemtest.NewBatchConn()
	tb := newTable(t, c)
	vi := testInstance(7, nil)
	if err := tb.Bind(vi); err != nil {
		t.Fatal(err)
	}
	c.Deliver(advert(t, 7), advert(t, 99), advert(t, 7))
	s := <-tb.Ready()
	if n := tb.Read(s); n != 3 {
		t.Fatalf("Read = %d packets, want the 3 queued", n)
	}
	for i, vrid := range []uint8{7, 99, 7} {
		p := tb.Packet(i)
		if !bytes.Equal(p.Data, advert(t, vrid).Payload) || p.Meta != testMeta || p.Key != (vinst.ConnKey{Ifindex: 2, Fam: vrrp.IPv4}) {
			t.Errorf("packet %d: %+v, want VRID %d's advert with its metadata", i, p, vrid)
		}
		if got := tb.Receive(p); (got == vi) != (vrid == 7) {
			t.Errorf("packet %d (VRID %d): Receive = %v", i, vrid, got)
		}
	}
	if n := tb.Read(s); n != 0 {
		t.Errorf("second Read = %d, want 0", n)
	}
	tb.Rearm(s)
	if vi.Stats.AdvertRcvd != 2 || tb.Unknown() != 1 {
		t.Errorf("advert_rcvd %d, unknown %d; want 2 and 1", vi.Stats.AdvertRcvd, tb.Unknown())
	}
	// Before the timers, the loop reads every socket without waiting for
	// its waiter.
	c.Deliver(advert(t, 7))
	socks := tb.Sockets()
	if len(socks) != 1 || tb.Read(socks[0]) != 1 {
		t.Errorf("Sockets = %d sockets; want 1 with the queued advert", len(socks))
	}
}

// TestReceiveSteadyStateAllocatesNothing: a packet's way from the
// socket through the waiter to the loop's Read and back allocates nothing
// once the socket is open.
func TestReceiveSteadyStateAllocatesNothing(t *testing.T) {
	c := systemtest.NewBatchConn()
	tb := newTable(t, c)
	if err := tb.Bind(testInstance(7, nil)); err != nil {
		t.Fatal(err)
	}
	a := advert(t, 7)
	allocs := testing.AllocsPerRun(200, func() {
		c.Deliver(a, a, a, a)
		s := <-tb.Ready()
		for tb.Read(s) > 0 {
		}
		tb.Rearm(s)
	})
	if allocs != 0 {
		t.Errorf("%v allocations per wake-up, want 0", allocs)
	}
}

// TestReadFallback: a Conn without BatchReader is read one packet per
// wake-up with Read, and is not read without its waiter.
func TestReadFallback(t *testing.T) {
	c := systemtest.NewConn()
	tb := newTable(t, c)
	if err := tb.Bind(testInstance(7, nil)); err != nil {
		t.Fatal(err)
	}
	meta := system.Meta{TTL: 255, Ifindex: 2}
	for i := range 3 {
		c.Deliver(systemtest.Packet{Payload: []byte{0x21, byte(i)}, Meta: meta})
	}
	for i := range 3 {
		s := <-tb.Ready()
		if n, p := tb.Read(s), tb.Packet(0); n != 1 || !bytes.Equal(p.Data, []byte{0x21, byte(i)}) || p.Meta != meta {
			t.Errorf("wake-up %d: %d packets, first %+v", i, n, p)
		}
		if n := tb.Read(s); n != 0 {
			t.Errorf("wake-up %d: second Read = %d", i, n)
		}
		tb.Rearm(s)
	}
	if n := len(tb.Sockets()); n != 0 {
		t.Errorf("Sockets lists %d sockets that cannot be read without waiting", n)
	}
}

// TestReceiveBufferSizing: a socket's receive buffer is the sum of its
// instances' shares — kernel_rx_buf_size, else the policy's (MTU or
// advert length × multiplier, or a size) — resized as instances come and
// go; without a policy it never goes below the system default, and the
// kernel's drops are summed over the sockets, closed ones included.
func TestReceiveBufferSizing(t *testing.T) {
	advLen := 20 + 8 + 8 + 4 // IPv4, VRRP header, v2 auth data, one address
	tests := []struct {
		name   string
		rx     config.RxBufs
		n      int
		kernel int // kernel_rx_buf_size of the first instance
		want   []int
	}{
		// 3 × 6144 is below the system default: left alone.
		{name: "default, few", n: 3, want: nil},
		// Grows once past the default (212,992), by each instance after.
		{name: "default, many", n: 100},
		{name: "mtu", rx: config.RxBufs{Policy: config.RxBufsMTU}, n: 2, want: []int{4500, 9000, 4500}},
		{name: "mtu ×5", rx: config.RxBufs{Policy: config.RxBufsMTU, Multiplier: 5}, n: 2, want: []int{7500, 15000, 7500}},
		{name: "advert", rx: config.RxBufs{Policy: config.RxBufsAdvert}, n: 2, want: []int{3 * advLen, 6 * advLen, 3 * advLen}},
		{name: "size", rx: config.RxBufs{Policy: config.RxBufsSize, Size: 100000}, n: 2, want: []int{100000, 200000, 100000}},
		{name: "kernel_rx_buf_size", rx: config.RxBufs{Policy: config.RxBufsSize, Size: 100000}, n: 2, kernel: 50000,
			want: []int{50000, 150000, 100000}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := systemtest.NewBatchConn()
			tb := newTable(t, c)
			tb.RxBufs = tt.rx
			var vis []*vinst.Instance
			for i := range tt.n {
				conf := &config.Instance{VIPs: []config.VIP{{Prefix: netip.MustParsePrefix("10.0.0.100/32")}}}
				if i == 0 {
					conf.KernelRxBufSize = tt.kernel
				}
				vi := testInstance(i+1, conf)
				// As vinst.New builds it: the advert carries the VIP.
				vi.SendTpl = vrrp.Advertisement{Version: vrrp.V2, VRID: uint8(i + 1), Addrs: []netip.Addr{conf.VIPs[0].Prefix.Addr()}}
				if err := tb.Bind(vi); err != nil {
					t.Fatal(err)
				}
				vis = append(vis, vi)
			}
			tb.Unbind(vis[0])
			want := tt.want
			if tt.name == "default, many" { // grows once past the default, by each instance after
				for i := 35; i <= tt.n; i++ {
					want = append(want, i*defaultShare)
				}
				want = append(want, (tt.n-1)*defaultShare)
			}
			if fmt.Sprint(c.Sets) != fmt.Sprint(want) {
				t.Errorf("SetReadBuffer calls %v, want %v", c.Sets, want)
			}
			c.Drops = 5
			if got := tb.KernelDrops(); got != 5 {
				t.Errorf("KernelDrops = %d, want 5", got)
			}
			for _, vi := range vis[1:] {
				tb.Unbind(vi)
			}
			if got := tb.KernelDrops(); got != 5 {
				t.Errorf("KernelDrops after the socket closed = %d, want 5", got)
			}
		})
	}
}
