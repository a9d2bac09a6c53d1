package e2e

import (
	"net"
	"net/netip"
	"os"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/icmp"
	"golang.org/x/net/ipv4"

	"github.com/gokeepalived/gokeepalived/internal/lab"
)

// pinger is client traffic: ICMP echo requests from a lab host to one
// address every interval, counting the replies (the machine has no ping).
type pinger struct {
	conn       *icmp.PacketConn
	dst        netip.Addr
	stopc      chan struct{}
	wg         sync.WaitGroup
	mu         sync.Mutex
	sent, rcvd int
	seen       map[int]bool
}

// startPinger pings dst from h every interval until stop.
func startPinger(t *testing.T, h *lab.Host, dst netip.Addr, interval time.Duration) *pinger {
	t.Helper()
	p := &pinger{dst: dst, stopc: make(chan struct{}), seen: map[int]bool{}}
	err := h.Do(func() error {
		var err error
		p.conn, err = icmp.ListenPacket("ip4:icmp", "0.0.0.0")
		return err
	})
	if err != nil {
		t.Fatalf("icmp socket in %s: %v", h.Name, err)
	}
	p.wg.Add(2)
	go p.send(interval)
	go p.receive()
	t.Cleanup(func() { p.stop() })
	return p
}

func (p *pinger) send(interval time.Duration) {
	defer p.wg.Done()
	tk := time.NewTicker(interval)
	defer tk.Stop()
	id := os.Getpid() & 0xffff
	for seq := 1; ; seq++ {
		select {
		case <-p.stopc:
			return
		case <-tk.C:
		}
		m := icmp.Message{Type: ipv4.ICMPTypeEcho, Body: &icmp.Echo{ID: id, Seq: seq & 0xffff, Data: []byte("gokeepalived")}}
		b, _ := m.Marshal(nil)
		if _, err := p.conn.WriteTo(b, &net.IPAddr{IP: p.dst.AsSlice()}); err == nil {
			p.mu.Lock()
			p.sent++
			p.mu.Unlock()
		}
	}
}

func (p *pinger) receive() {
	defer p.wg.Done()
	buf := make([]byte, 1500)
	for {
		n, from, err := p.conn.ReadFrom(buf)
		if err != nil {
			return
		}
		m, err := icmp.ParseMessage(1, buf[:n])
		if err != nil || m.Type != ipv4.ICMPTypeEchoReply {
			continue
		}
		e, ok := m.Body.(*icmp.Echo)
		if !ok || from.String() != p.dst.String() {
			continue
		}
		p.mu.Lock()
		if !p.seen[e.Seq] {
			p.seen[e.Seq] = true
			p.rcvd++
		}
		p.mu.Unlock()
	}
}

// stop stops sending, waits a second for the last replies and returns
// the counts.
func (p *pinger) stop() (sent, rcvd int) {
	select {
	case <-p.stopc:
	default:
		close(p.stopc)
		time.Sleep(time.Second)
		p.conn.Close()
		p.wg.Wait()
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.sent, p.rcvd
}
