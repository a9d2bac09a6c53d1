package vinst

import "github.com/gokeepalived/gokeepalived/internal/system"

// Batch is a Writer that holds the adverts of one timer pass, so that each socket sends
// them with one WriteBatch (sendmmsg) at the end of the pass. Its slices
// are reused: a pass allocates nothing once they have grown.
type Batch struct {
	on    bool
	items []batchItem
	bufs  [][]byte
	msgs  []system.Message
	idx   []int
}

type batchItem struct {
	vi   *Instance
	ce   *Socket // nil once sent
	msg  system.Message
	prio uint8
}

// Begin starts batching: WriteAdvert queues until Flush.
func (t *Batch) Begin() { t.on = true }

// WriteAdvert is Writer: it sends m for vi now, or queues it in the
// pass's batch after Begin (AH adverts always go at once: each is sealed as it is
// built).
func (t *Batch) WriteAdvert(vi *Instance, m system.Message, prio uint8) {
	if !t.on || m.AH != nil {
		vi.Sent(m.Dst, prio, vi.Conn.Conn.Write(m))
		return
	}
	i := len(t.items)
	if i == len(t.bufs) {
		t.bufs = append(t.bufs, nil)
	}
	t.bufs[i] = append(t.bufs[i][:0], m.Payload...)
	m.Payload = t.bufs[i]
	t.items = append(t.items, batchItem{vi: vi, ce: vi.Conn, msg: m, prio: prio})
}

// Flush sends the batch, socket by socket in the order each first
// appears, and ends batching.
func (t *Batch) Flush() {
	t.on = false
	for i := range t.items {
		ce := t.items[i].ce
		if ce == nil {
			continue
		}
		t.msgs, t.idx = t.msgs[:0], t.idx[:0]
		for j := i; j < len(t.items); j++ {
			if t.items[j].ce == ce {
				t.msgs = append(t.msgs, t.items[j].msg)
				t.idx = append(t.idx, j)
				t.items[j].ce = nil
			}
		}
		writeBatch(ce.Conn, t.items, t.msgs, t.idx)
	}
	clear(t.items) // drop the *vinst references
	t.items = t.items[:0]
}

// writeBatch sends msgs (items[idx[k]] each) on c, one WriteBatch when c
// has it and there is more than one, and accounts each.
func writeBatch(c system.Conn, items []batchItem, msgs []system.Message, idx []int) {
	bw, ok := c.(system.BatchWriter)
	for k := 0; k < len(msgs); {
		if !ok || len(msgs)-k == 1 {
			it := &items[idx[k]]
			it.vi.Sent(it.msg.Dst, it.prio, c.Write(msgs[k]))
			k++
			continue
		}
		n, err := bw.WriteBatch(msgs[k:])
		for _, j := range idx[k : k+n] {
			items[j].vi.Sent(items[j].msg.Dst, items[j].prio, nil)
		}
		if k += n; err != nil {
			it := &items[idx[k]]
			it.vi.Sent(it.msg.Dst, it.prio, err)
			k++
		}
	}
}
