package demux

import (
	"errors"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/system"
	"github.com/gokeepalived/gokeepalived/internal/vinst"
)

// The receive path. Each socket has a waiter goroutine that only waits
// until a packet is queued (system.BatchReader.WaitReadable) and then
// tells the loop (Ready). The loop reads: every queued packet, with
// recvmmsg, into one set of buffers it owns (Read), checks and feeds them,
// and then lets the waiter wait again (Rearm). Before its timers fire it
// reads every socket without waiting (Read on each of Sockets), so an
// advert that arrived before a Master_Down_Timer's deadline is seen even
// when the loop was held up past it: a late loop is never a reason to
// take over. Nothing is allocated per packet, packets wait in the
// socket's receive buffer (sized by rxbuf.go), and the loop's buffers
// are BatchLen packets whatever the number of sockets.
const (
	// BatchLen is the most packets one Read returns; fewer means the
	// socket had no more queued.
	BatchLen = 16
	minSlot  = 1500 // bytes per packet buffer (at least the MTU)
)

// Sock is one socket as the receive path sees it.
type Sock struct {
	ce  *vinst.Socket
	br  system.BatchReader // nil: the Conn only has Read (test fakes)
	one system.RxMessage   // without br: the packet the waiter read
	has bool
	ack chan struct{} // Rearm: the waiter may wait again
}

// Ready is where the waiters say that a socket has packets queued; the
// loop then reads them (Read) and calls Rearm.
func (t *Table) Ready() <-chan *Sock { return t.ch }

// Read reads packets queued on s, without waiting, into the loop's
// buffers and returns how many (0: none left); Packet(i) returns them
// until the next Read.
func (t *Table) Read(s *Sock) int {
	t.rxKey, t.rxAH = s.ce.Key, s.ce.AH
	if s.br == nil {
		if !s.has {
			return 0
		}
		s.has = false
		t.msgs[0].Data, t.msgs[0].Meta = s.one.Data, s.one.Meta
		return 1
	}
	n, err := s.br.TryReadBatch(t.msgs)
	if err != nil {
		if !errors.Is(err, system.ErrClosed) {
			t.log.Debug("read", "err", err)
		}
		return 0
	}
	return n
}

// Packet returns packet i of the last Read.
func (t *Table) Packet(i int) Packet {
	m := &t.msgs[i]
	return Packet{Key: t.rxKey, Meta: m.Meta, Data: m.Data, AH: t.rxAH}
}

// Rearm lets s's waiter wait for the next packet.
func (t *Table) Rearm(s *Sock) {
	select {
	case s.ack <- struct{}{}:
	default: // already rearmed
	}
}

// Sockets returns the open sockets that can be read without waiting
// (all but test fakes), for reading each before the timers fire. The
// slice is reused: it is valid until the next call.
func (t *Table) Sockets() []*Sock {
	t.socks = t.socks[:0]
	for _, conns := range []map[vinst.ConnKey]*vinst.Socket{t.conns, t.ahConns} {
		for _, ce := range conns {
			if s := t.rx[ce]; s != nil && s.br != nil {
				t.socks = append(t.socks, s)
			}
		}
	}
	return t.socks
}

// watch starts the receive path of a new socket whose interface has the
// given MTU.
func (t *Table) watch(ce *vinst.Socket, mtu int) {
	s := &Sock{ce: ce, ack: make(chan struct{}, 1)}
	s.br, _ = ce.Conn.(system.BatchReader)
	slot := max(mtu, minSlot)
	if len(t.msgs) == 0 || len(t.msgs[0].Buf) < slot {
		t.msgs = make([]system.RxMessage, BatchLen)
		for i := range t.msgs {
			t.msgs[i].Buf = make([]byte, slot)
		}
	}
	if s.br == nil {
		s.one.Buf = make([]byte, slot)
	}
	t.rx[ce] = s
	go t.wait(s)
}

// wait is s's waiter: it tells the loop each time s has packets and
// waits for the loop to have read them, until s is closed or the
// table's context ends.
func (t *Table) wait(s *Sock) {
	for {
		var err error
		if s.br != nil {
			err = s.br.WaitReadable()
		} else {
			err = readOne(s.ce.Conn, &s.one)
			s.has = err == nil
		}
		if err != nil {
			if errors.Is(err, system.ErrClosed) {
				return
			}
			t.log.Debug("read", "err", err)
			time.Sleep(10 * time.Millisecond)
			continue
		}
		select {
		case t.ch <- s:
		case <-t.ctx.Done():
			return
		}
		select {
		case <-s.ack:
		case <-t.ctx.Done():
			return
		}
	}
}

// readOne reads one packet with Conn.Read, for Conns that cannot batch.
func readOne(c system.Conn, m *system.RxMessage) error {
	n, meta, err := c.Read(m.Buf)
	if err != nil {
		return err
	}
	m.Data, m.Meta = m.Buf[:n], meta
	return nil
}
