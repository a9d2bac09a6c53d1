package daemon

import (
	"time"

	"github.com/gokeepalived/gokeepalived/internal/instance"
	"github.com/gokeepalived/gokeepalived/internal/system"
	"github.com/gokeepalived/gokeepalived/internal/vinst"
)

// batchSlack is how early a master's timer may be served to join the
// wake-up of one that is due: it then keeps that offset round after
// round (its schedule runs from when it was due, not when it was served),
// so intervals stay exact while the wake-ups are shared.
const batchSlack = 500 * time.Microsecond

// txBatch holds the adverts of one timer pass, so that each socket sends
// them with one WriteBatch (sendmmsg) at the end of the pass. Its slices
// are reused: a pass allocates nothing once they have grown.
type txBatch struct {
	on    bool
	items []txItem
	bufs  [][]byte
	msgs  []system.Message
	idx   []int
}

type txItem struct {
	vi   *vinst.Instance
	ce   *vinst.Socket // nil once sent
	msg  system.Message
	prio uint8
}

// fireTimers steps every unit whose deadline has passed — and every
// master due within batchSlack — reading the clock again for each, so
// units falling due while earlier ones send are served in the same pass
// instead of after another wake-up; the adverts of the pass go out
// together, one WriteBatch per socket.
func (d *Daemon) fireTimers(time.Time) {
	for _, u := range d.units {
		dl := u.Deadline()
		if dl.IsZero() {
			continue
		}
		now := time.Now()
		if now.Before(dl) {
			if dl.Sub(now) > batchSlack || u.GroupState() != instance.Master {
				continue
			}
			now = dl // served early: the machine sees its own deadline
		}
		d.stepDue(now, u)
	}
	d.flushAdverts()
}

// stepDue steps u's timer. When it only sends adverts they join the
// batch; anything else (a transition, addresses, GARPs) goes out in the
// order the machine gave, after what is batched so far.
func (d *Daemon) stepDue(now time.Time, u *vinst.Unit) {
	acts := u.Step(now, -1, instance.Timeout{})
	d.loop.tx.on = true
	for _, ma := range acts {
		if _, ok := ma.Action.(instance.SendAdvert); !ok {
			d.flushAdverts()
			break
		}
	}
	for _, ma := range acts {
		d.execute(now, u.Members[ma.Member], ma.Action)
	}
	d.groupNotify(u)
}

// WriteAdvert is vinst.Writer: it sends m for vi now, or queues it in the
// pass's batch (AH adverts always go at once: each is sealed as it is
// built).
func (t *txBatch) WriteAdvert(vi *vinst.Instance, m system.Message, prio uint8) {
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
	t.items = append(t.items, txItem{vi: vi, ce: vi.Conn, msg: m, prio: prio})
}

// flushAdverts sends the batch, socket by socket in the order each first
// appears, and ends batching.
func (d *Daemon) flushAdverts() {
	t := &d.loop.tx
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
func writeBatch(c system.Conn, items []txItem, msgs []system.Message, idx []int) {
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
