package demux

import (
	"errors"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/system"
	"github.com/gokeepalived/gokeepalived/internal/vinst"
)

// The receive path: each socket's reader goroutine reads what is queued
// with one recvmmsg (system.BatchReader) into a preallocated Batch and
// hands the whole batch to the loop, which checks every packet (Receive)
// and gives the batch back (Release). Each socket has a few batches, so the
// reader fills one while the loop works through others, and nothing is
// allocated per packet; when the loop is behind, packets wait in the
// socket's receive buffer (sized by rxBufBytes), not in goroutines.
const (
	batchLen     = 16   // packets per recvmmsg
	batchesInUse = 4    // batches per socket: up to 64 packets read ahead of the loop
	minSlot      = 1500 // bytes per packet buffer (at least the MTU)
)

// Batch is what one reader read in one go: packets of one socket.
type Batch struct {
	key  vinst.ConnKey
	ah   bool
	msgs []system.RxMessage
	n    int
	free chan *Batch // where Release hands it back to its reader
}

// Len is the number of packets in the batch.
func (b *Batch) Len() int { return b.n }

// Packet returns packet i; its Data stays valid until Release.
func (b *Batch) Packet(i int) Packet {
	m := &b.msgs[i]
	return Packet{Key: b.key, Meta: m.Meta, Data: m.Data, AH: b.ah}
}

// Batches is where the readers hand over what they read; the loop
// hands each batch back with Release once it has received its packets.
func (t *Table) Batches() <-chan *Batch { return t.ch }

// Release gives a batch back to its reader.
func (t *Table) Release(b *Batch) {
	select {
	case b.free <- b:
	default: // cannot happen: free holds every batch of its socket
	}
}

// newBatches makes the batches of one socket, with packet buffers of
// slot bytes each.
func newBatches(ce *vinst.Socket, slot int) chan *Batch {
	free := make(chan *Batch, batchesInUse)
	for range batchesInUse {
		b := &Batch{key: ce.Key, ah: ce.AH, msgs: make([]system.RxMessage, batchLen), free: free}
		for i := range b.msgs {
			b.msgs[i].Buf = make([]byte, slot)
		}
		free <- b
	}
	return free
}

// readLoop reads one socket until it is closed or the table's context
// ends, a batch at a time.
func (t *Table) readLoop(ce *vinst.Socket, slot int) {
	free := newBatches(ce, slot)
	br, batched := ce.Conn.(system.BatchReader)
	for {
		var b *Batch
		select {
		case b = <-free:
		case <-t.ctx.Done():
			return
		}
		var err error
		if batched {
			b.n, err = br.ReadBatch(b.msgs)
		} else {
			b.n, err = readOne(ce.Conn, &b.msgs[0])
		}
		if err != nil {
			free <- b
			if errors.Is(err, system.ErrClosed) {
				return
			}
			t.log.Debug("read", "err", err)
			time.Sleep(10 * time.Millisecond)
			continue
		}
		select {
		case t.ch <- b:
		case <-t.ctx.Done():
			return
		}
	}
}

// readOne reads one packet with Conn.Read, for Conns that cannot batch.
func readOne(c system.Conn, m *system.RxMessage) (int, error) {
	n, meta, err := c.Read(m.Buf)
	if err != nil {
		return 0, err
	}
	m.Data, m.Meta = m.Buf[:n], meta
	return 1, nil
}
