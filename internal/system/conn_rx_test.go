package system

import (
	"bytes"
	"errors"
	"net/netip"
	"os"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gokeepalived/gokeepalived/internal/lab"
)

// rxMessages returns n messages with MTU-sized buffers.
func rxMessages(n int) []RxMessage {
	ms := make([]RxMessage, n)
	for i := range ms {
		ms[i].Buf = make([]byte, 1500)
	}
	return ms
}

// readQueued reads with ReadBatch until nothing comes for 300 ms and
// returns every message read and the largest batch.
func readQueued(t *testing.T, c *RawConn, ms []RxMessage) (got []RxMessage, largest int) {
	t.Helper()
	for {
		c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
		n, err := c.ReadBatch(ms)
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return got, largest
		}
		if err != nil {
			t.Fatalf("ReadBatch: %v", err)
		}
		largest = max(largest, n)
		for _, m := range ms[:n] {
			m.Data = bytes.Clone(m.Data)
			got = append(got, m)
		}
	}
}

// TestReadBatch sends 200 adverts from a to b, whose receive buffer is
// shrunk to a few packets, before b reads: b reads what was queued with
// recvmmsg (more than one per call, each payload and its metadata as Read
// gives them), and the kernel's drop count reported with the next packet
// is exactly what did not fit. SetReadBuffer goes past rmem_max (forced),
// TryReadBatch does not wait, WaitReadable waits without reading, and
// none of them allocates.
func TestReadBatch(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: builds network namespaces")
	}
	l := lab.New(t, lab.Spec{Hosts: lab.Hosts("a", "b")})
	src4 := netip.MustParseAddr("192.168.1.2")
	const sent = 200
	for _, fam := range []Family{IPv4, IPv6} {
		a := openConn(t, l.Host("a"), fam, ConnConfig{})
		b := openConn(t, l.Host("b"), fam, ConnConfig{})
		if got, err := b.SetReadBuffer(4 << 20); err != nil || got != 8<<20 {
			t.Fatalf("%s: SetReadBuffer(4 MiB) = %d, %v; want the kernel's doubled 8 MiB (forced past rmem_max)", fam, got, err)
		}
		if _, err := b.SetReadBuffer(4096); err != nil {
			t.Fatal(err)
		}
		ms := make([]Message, sent)
		for i := range ms {
			m := Message{Dst: GroupIPv6, Payload: make([]byte, 24)}
			if fam == IPv4 {
				m = Message{Src: src4, Dst: GroupIPv4, ID: uint16(i), Payload: make([]byte, 20)}
			}
			m.Payload[0], m.Payload[1], m.Payload[2] = 0x31, byte(i), 100
			ms[i] = m
		}
		if n, err := a.WriteBatch(ms); err != nil || n != sent {
			t.Fatalf("%s: WriteBatch = %d, %v", fam, n, err)
		}
		rx := rxMessages(64)
		got, largest := readQueued(t, b, rx)
		if len(got) == 0 || len(got) == sent || largest < 2 {
			t.Fatalf("%s: read %d of %d (largest batch %d); want some queued, some dropped, several per call", fam, len(got), sent, largest)
		}
		for i, m := range got {
			if fam == IPv6 && len(m.Data) > 7 {
				m.Data[6], m.Data[7] = 0, 0 // the kernel's checksum
			}
			want := ms[m.Data[1]].Payload
			if !bytes.Equal(m.Data, want) || m.Meta.TTL != 255 || m.Meta.Ifindex != b.cfg.Ifindex ||
				(fam == IPv4 && (m.Meta.Src != src4 || m.Meta.Dst != GroupIPv4)) || (fam == IPv6 && m.Meta.Dst != GroupIPv6) {
				t.Errorf("%s packet %d: % x %+v; want % x from a with TTL 255", fam, i, m.Data, m.Meta, want)
			}
		}
		if d := b.KernelDrops(); d != 0 {
			t.Errorf("%s: %d drops reported before any packet after the overflow", fam, d)
		}
		if _, err := b.SetReadBuffer(1 << 20); err != nil {
			t.Fatal(err)
		}
		if err := a.Write(ms[0]); err != nil {
			t.Fatal(err)
		}
		if after, _ := readQueued(t, b, rx); len(after) != 1 {
			t.Fatalf("%s: read %d after the overflow, want 1", fam, len(after))
		}
		if d := b.KernelDrops(); d != uint64(sent-len(got)) {
			t.Errorf("%s: KernelDrops = %d, want %d (sent %d, read %d)", fam, d, sent-len(got), sent, len(got))
		}
		// Without waiting: nothing queued reads nothing; WaitReadable
		// returns once a packet is queued and leaves it for the read.
		if n, err := b.TryReadBatch(rx); n != 0 || err != nil {
			t.Errorf("%s: TryReadBatch with nothing queued = %d, %v", fam, n, err)
		}
		b.SetReadDeadline(time.Now().Add(5 * time.Second))
		if err := a.Write(ms[1]); err != nil {
			t.Fatal(err)
		}
		if err := b.WaitReadable(); err != nil {
			t.Fatalf("%s: WaitReadable: %v", fam, err)
		}
		if err := b.WaitReadable(); err != nil {
			t.Fatalf("%s: WaitReadable with the packet still queued: %v", fam, err)
		}
		if n, err := b.TryReadBatch(rx); n != 1 || err != nil || rx[0].Data[1] != 1 {
			t.Errorf("%s: TryReadBatch after WaitReadable = %d, %v; want VRID 1's advert", fam, n, err)
		}
		b.SetReadDeadline(time.Time{})
		if allocs := testing.AllocsPerRun(50, func() { a.Write(ms[0]); b.WaitReadable(); b.TryReadBatch(rx) }); allocs != 0 {
			t.Errorf("%s: %v allocations per send, wait and read without waiting, want 0", fam, allocs)
		}
		if allocs := testing.AllocsPerRun(50, func() { a.Write(ms[0]); b.ReadBatch(rx) }); allocs != 0 {
			t.Errorf("%s: %v allocations per send and batch read, want 0", fam, allocs)
		}
	}
}

// TestSendSocketQueuesNothing: the adverts a receives are not queued on
// its send socket, which is never read.
func TestSendSocketQueuesNothing(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: builds network namespaces")
	}
	l := lab.New(t, lab.Spec{Hosts: lab.Hosts("a", "b")})
	for _, fam := range []Family{IPv4, IPv6} {
		a := openConn(t, l.Host("a"), fam, ConnConfig{})
		b := openConn(t, l.Host("b"), fam, ConnConfig{})
		m := Message{Dst: GroupIPv6, Payload: make([]byte, 24)}
		if fam == IPv4 {
			m = Message{Src: netip.MustParseAddr("192.168.1.3"), Dst: GroupIPv4, Payload: make([]byte, 20)}
		}
		m.Payload[0], m.Payload[1] = 0x31, 7
		for range 20 {
			if err := b.Write(m); err != nil {
				t.Fatal(err)
			}
		}
		if got, _ := readQueued(t, a, rxMessages(32)); len(got) != 20 {
			t.Fatalf("%s: a received %d of 20", fam, len(got))
		}
		var queued int
		rc, err := a.send.SyscallConn()
		if err != nil {
			t.Fatal(err)
		}
		rc.Control(func(fd uintptr) { queued, _ = unix.IoctlGetInt(int(fd), unix.SIOCINQ) })
		if queued != 0 {
			t.Errorf("%s: a's send socket has %d bytes queued, want none", fam, queued)
		}
	}
}
