package systemtest

import (
	"fmt"
	"sync"

	"github.com/gokeepalived/gokeepalived/internal/system"
)

// BatchConn is a fake Conn that reads in batches (system.BatchReader)
// and has a receive buffer (system.RxBuffer): Deliver queues packets as
// the kernel would, WaitReadable reports them, ReadBatch and TryReadBatch
// take them. Writes are dropped.
type BatchConn struct {
	mu        sync.Mutex
	q         []Packet
	notify    chan struct{}
	closed    chan struct{}
	closeOnce sync.Once

	// Base is what ReadBuffer reports (the kernel's figure: twice the
	// size asked), Sets the sizes SetReadBuffer was asked for and Drops
	// what KernelDrops reports. Set them before the Conn is used.
	Base  int
	Sets  []int
	Drops uint64
}

var (
	_ system.BatchReader = (*BatchConn)(nil)
	_ system.RxBuffer    = (*BatchConn)(nil)
)

// NewBatchConn returns an empty BatchConn with Linux's usual default
// receive buffer.
func NewBatchConn() *BatchConn {
	return &BatchConn{q: make([]Packet, 0, 64), notify: make(chan struct{}, 1), closed: make(chan struct{}), Base: 2 * 212992}
}

// Deliver queues packets; it does not allocate while the queue has room.
func (c *BatchConn) Deliver(ps ...Packet) {
	c.mu.Lock()
	c.q = append(c.q, ps...)
	c.mu.Unlock()
	select {
	case c.notify <- struct{}{}:
	default:
	}
}

// take moves up to len(ms) queued packets into ms.
func (c *BatchConn) take(ms []system.RxMessage) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := min(len(ms), len(c.q))
	for i, p := range c.q[:n] {
		if p.Err != nil {
			c.q = c.q[:copy(c.q, c.q[i+1:])]
			return i, p.Err
		}
		l := copy(ms[i].Buf, p.Payload)
		ms[i].Data, ms[i].Meta = ms[i].Buf[:l], p.Meta
	}
	c.q = c.q[:copy(c.q, c.q[n:])]
	return n, nil
}

// WaitReadable waits until a packet is queued, or the Conn is closed.
func (c *BatchConn) WaitReadable() error {
	for {
		c.mu.Lock()
		n := len(c.q)
		c.mu.Unlock()
		if n > 0 {
			return nil
		}
		select {
		case <-c.notify:
		case <-c.closed:
			return fmt.Errorf("fake batch conn: %w", system.ErrClosed)
		}
	}
}

// ReadBatch waits for a packet, then takes what is queued.
func (c *BatchConn) ReadBatch(ms []system.RxMessage) (int, error) {
	if err := c.WaitReadable(); err != nil {
		return 0, err
	}
	return c.take(ms)
}

// TryReadBatch takes what is queued, if anything.
func (c *BatchConn) TryReadBatch(ms []system.RxMessage) (int, error) {
	select {
	case <-c.closed:
		return 0, fmt.Errorf("fake batch conn: %w", system.ErrClosed)
	default:
	}
	return c.take(ms)
}

// Read reads one packet as ReadBatch would.
func (c *BatchConn) Read(b []byte) (int, system.Meta, error) {
	ms := []system.RxMessage{{Buf: b}}
	if _, err := c.ReadBatch(ms); err != nil {
		return 0, system.Meta{}, err
	}
	return len(ms[0].Data), ms[0].Meta, nil
}

// Write drops the message.
func (c *BatchConn) Write(system.Message) error { return nil }

// Close makes waits and reads return system.ErrClosed.
func (c *BatchConn) Close() error {
	c.closeOnce.Do(func() { close(c.closed) })
	return nil
}

// SetReadBuffer records the size and reports the kernel's double.
func (c *BatchConn) SetReadBuffer(n int) (int, error) {
	c.Sets = append(c.Sets, n)
	return 2 * n, nil
}

// ReadBuffer reports Base.
func (c *BatchConn) ReadBuffer() (int, error) { return c.Base, nil }

// KernelDrops reports Drops.
func (c *BatchConn) KernelDrops() uint64 { return c.Drops }
