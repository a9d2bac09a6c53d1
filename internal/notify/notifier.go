package notify

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/track"
)

// Defaults for Config.
const (
	DefaultScriptTimeout = 30 * time.Second
	DefaultQueueLen      = 64
)

// Config configures a Notifier.
type Config struct {
	Log  *slog.Logger
	Exec track.Execer // track.OSExec in production
	// ScriptTimeout bounds each notify script run (keepalived has none;
	// a hanging script would otherwise stall its instance's queue forever).
	ScriptTimeout time.Duration
	// QueueLen bounds the pending events per instance or group; when full,
	// the oldest pending event is dropped and counted (see Notifier).
	QueueLen int
	// FIFOs receive every event's line, in Notify order.
	FIFOs []*FIFO
}

// Notifier delivers Events: FIFO lines at once, scripts through one queue
// per instance or group, each drained by one worker that runs the scripts
// one after another, so an instance's scripts always run in the order its
// transitions happened (keepalived starts them all at once, in no order).
//
// Notify never blocks. When a queue is full (its scripts are slower than
// its transitions, e.g. a script hangs until its timeout), the oldest
// pending event is dropped and counted: what is delivered is still in
// order, and the latest state is never lost.
type Notifier struct {
	cfg     Config
	mu      sync.Mutex
	scripts map[key]Scripts
	queues  map[key]*queue
	closed  bool
	wg      sync.WaitGroup
	ctx     context.Context
	cancel  context.CancelFunc
	dropped atomic.Uint64
}

type key struct {
	kind Kind
	name string
}

type queue struct {
	pending []Event
	wake    chan struct{} // capacity 1
}

// New returns a Notifier.
func New(cfg Config) *Notifier {
	if cfg.Exec == nil {
		cfg.Exec = track.OSExec
	}
	if cfg.ScriptTimeout <= 0 {
		cfg.ScriptTimeout = DefaultScriptTimeout
	}
	if cfg.QueueLen <= 0 {
		cfg.QueueLen = DefaultQueueLen
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Notifier{cfg: cfg, scripts: map[key]Scripts{}, queues: map[key]*queue{}, ctx: ctx, cancel: cancel}
}

// SetScripts sets the notify scripts of one instance or group (replacing
// any set before, e.g. on reload).
func (n *Notifier) SetScripts(kind Kind, name string, s Scripts) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.scripts[key{kind, name}] = s
}

// Dropped returns how many events were dropped from full queues.
func (n *Notifier) Dropped() uint64 { return n.dropped.Load() }

// Notify announces ev: it writes the FIFO lines and queues the scripts,
// and returns at once.
func (n *Notifier) Notify(ev Event) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return
	}
	k := key{ev.Kind, ev.Name}
	s := n.scripts[k]
	ev = s.Normalize(ev)
	line := ev.FIFOLine()
	for _, f := range n.cfg.FIFOs {
		f.WriteLine(line)
	}
	if len(s.Commands(ev)) == 0 {
		return
	}
	q := n.queues[k]
	if q == nil {
		q = &queue{wake: make(chan struct{}, 1)}
		n.queues[k] = q
		n.wg.Go(func() { n.work(k, q) })
	}
	if len(q.pending) >= n.cfg.QueueLen {
		q.pending = q.pending[1:]
		if d := n.dropped.Add(1); d == 1 || d%100 == 0 {
			n.cfg.Log.Warn("notify queue full, dropping the oldest pending notification",
				"kind", k.kind, "name", k.name, "dropped_total", d)
		}
	}
	q.pending = append(q.pending, ev)
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

func (n *Notifier) work(k key, q *queue) {
	log := n.cfg.Log.With("kind", k.kind, "name", k.name)
	for n.ctx.Err() == nil {
		n.mu.Lock()
		if len(q.pending) == 0 {
			closed := n.closed
			n.mu.Unlock()
			if closed {
				return
			}
			select {
			case <-q.wake:
			case <-n.ctx.Done():
			}
			continue
		}
		ev := q.pending[0]
		q.pending = q.pending[1:]
		cmds := n.scripts[k].Commands(ev)
		n.mu.Unlock()
		for _, c := range cmds {
			n.run(log, ev, c)
		}
	}
}

func (n *Notifier) run(log *slog.Logger, ev Event, s Script) {
	o := n.cfg.Exec.Exec(n.ctx, track.Command{Script: s, Timeout: n.cfg.ScriptTimeout})
	switch {
	case o.Err != nil:
		log.Warn("notify script cannot run", "state", ev.State, "err", o.Err)
	case !o.OK():
		log.Warn("notify script failed", "state", ev.State, "script", s.Path(), "result", o.String(), "output", string(o.Output))
	default:
		log.Debug("notify script done", "state", ev.State, "script", s.Path())
	}
}

// Close stops accepting events, lets the queued scripts run until ctx is
// done, then kills what is still running and returns when every worker
// has ended. It does not close the FIFOs.
func (n *Notifier) Close(ctx context.Context) {
	n.mu.Lock()
	n.closed = true
	for _, q := range n.queues {
		select {
		case q.wake <- struct{}{}:
		default:
		}
	}
	n.mu.Unlock()
	done := make(chan struct{})
	go func() { n.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		n.cancel()
		<-done
	}
	n.cancel()
}
