package systemtest

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"net/netip"
	"slices"
	"sync"

	"github.com/gokeepalived/gokeepalived/internal/system"
)

// Call is one recorded call: the method name and its arguments.
type Call struct {
	Method string
	Args   []any
}

// String renders the call as `Method(arg, ...)`.
func (c Call) String() string { return fmt.Sprintf("%s%v", c.Method, c.Args) }

// recorder records calls and hands out injected errors.
type recorder struct {
	mu    sync.Mutex
	calls []Call
	errs  map[string][]error
}

func (r *recorder) record(method string, args ...any) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, Call{Method: method, Args: args})
	q := r.errs[method]
	if len(q) == 0 {
		return nil
	}
	r.errs[method] = q[1:]
	return q[0]
}

// Fail makes the next len(errs) calls of method return errs in order (a
// nil entry lets one call succeed).
func (r *recorder) Fail(method string, errs ...error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.errs == nil {
		r.errs = map[string][]error{}
	}
	r.errs[method] = append(r.errs[method], errs...)
}

// Calls returns a copy of the calls so far.
func (r *recorder) Calls() []Call {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.calls)
}

// Reset forgets recorded calls and pending errors.
func (r *recorder) Reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls, r.errs = nil, nil
}

// Addresser is a fake system.Addresser and system.AddrLister that keeps
// the address set per interface, so List reflects Add and Del.
type Addresser struct {
	recorder
	mu    sync.Mutex
	addrs map[int][]netip.Prefix
}

var (
	_ system.Addresser  = (*Addresser)(nil)
	_ system.AddrLister = (*Addresser)(nil)
)

// Add records the call and, unless an error is injected, adds v.
func (a *Addresser) Add(v system.VIP) error {
	if err := a.record("Add", v); err != nil {
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.addrs == nil {
		a.addrs = map[int][]netip.Prefix{}
	}
	if !slices.Contains(a.addrs[v.Ifindex], v.Prefix) {
		a.addrs[v.Ifindex] = append(a.addrs[v.Ifindex], v.Prefix)
	}
	return nil
}

// Del records the call and, unless an error is injected, removes v.
func (a *Addresser) Del(v system.VIP) error {
	if err := a.record("Del", v); err != nil {
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.addrs[v.Ifindex] = slices.DeleteFunc(a.addrs[v.Ifindex], func(p netip.Prefix) bool { return p.Addr() == v.Prefix.Addr() })
	return nil
}

// List records the call and returns the current addresses of ifindex, of
// every interface (in ifindex order) when ifindex is 0.
func (a *Addresser) List(ifindex int, fam system.Family) ([]netip.Prefix, error) {
	if err := a.record("List", ifindex, fam); err != nil {
		return nil, err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	idx := []int{ifindex}
	if ifindex == 0 {
		idx = slices.Sorted(maps.Keys(a.addrs))
	}
	var out []netip.Prefix
	for _, i := range idx {
		for _, p := range a.addrs[i] {
			if fam == 0 || system.FamilyOf(p.Addr()) == fam {
				out = append(out, p)
			}
		}
	}
	return out, nil
}

// Set replaces the addresses of ifindex without recording a call (test setup).
func (a *Addresser) Set(ifindex int, ps ...netip.Prefix) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.addrs == nil {
		a.addrs = map[int][]netip.Prefix{}
	}
	a.addrs[ifindex] = slices.Clone(ps)
}

// Close records the call.
func (a *Addresser) Close() error { return a.record("Close") }

// Announcer is a fake system.Announcer.
type Announcer struct{ recorder }

var _ system.Announcer = (*Announcer)(nil)

// Close records the call.
func (a *Announcer) Close() error { return a.record("Close") }

// Gratuitous records the call.
func (a *Announcer) Gratuitous(ifindex int, addr netip.Addr) error {
	return a.record("Gratuitous", ifindex, addr)
}

// Packet is one packet delivered to a fake Conn's reader.
type Packet struct {
	Payload []byte
	Meta    system.Meta
	Err     error
}

// Conn is a fake system.Conn: Write records messages (payload copied),
// Read returns what Deliver queued, Close unblocks Read.
type Conn struct {
	recorder
	in        chan Packet
	closeOnce sync.Once
	closed    chan struct{}
}

var _ system.Conn = (*Conn)(nil)

// NewConn returns a fake Conn with room for 64 queued packets.
func NewConn() *Conn {
	return &Conn{in: make(chan Packet, 64), closed: make(chan struct{})}
}

// Deliver queues a packet for Read.
func (c *Conn) Deliver(p Packet) { c.in <- p }

// Read returns the next delivered packet, or system.ErrClosed after Close.
func (c *Conn) Read(b []byte) (int, system.Meta, error) {
	select {
	case p := <-c.in:
		if p.Err != nil {
			return 0, system.Meta{}, p.Err
		}
		return copy(b, p.Payload), p.Meta, nil
	case <-c.closed:
		return 0, system.Meta{}, fmt.Errorf("fake conn: %w", system.ErrClosed)
	}
}

// Write records the message with a copy of its payload.
func (c *Conn) Write(m system.Message) error {
	m.Payload = slices.Clone(m.Payload)
	return c.record("Write", m)
}

var _ system.BatchWriter = (*Conn)(nil)

// WriteBatch records one WriteBatch call (the number of messages) and
// then each message as a Write, so Writes lists batched adverts too and
// Fail("Write", ...) makes a message of a batch fail: the batch stops
// there, as sendmmsg does.
func (c *Conn) WriteBatch(ms []system.Message) (int, error) {
	if err := c.record("WriteBatch", len(ms)); err != nil {
		return 0, err
	}
	for i, m := range ms {
		if err := c.Write(m); err != nil {
			return i, err
		}
	}
	return len(ms), nil
}

// Batches returns the sizes of the WriteBatch calls so far.
func (c *Conn) Batches() []int {
	var out []int
	for _, call := range c.Calls() {
		if call.Method == "WriteBatch" {
			out = append(out, call.Args[0].(int))
		}
	}
	return out
}

// Writes returns the messages written so far.
func (c *Conn) Writes() []system.Message {
	var out []system.Message
	for _, call := range c.Calls() {
		if call.Method == "Write" {
			out = append(out, call.Args[0].(system.Message))
		}
	}
	return out
}

// Close records the call and unblocks Read.
func (c *Conn) Close() error {
	c.closeOnce.Do(func() { close(c.closed) })
	return c.record("Close")
}

// LinkWatcher is a fake system.LinkWatcher and system.LinkResolver:
// Lookup and ByIndex answer from the links it knows, Watch returns a
// channel that Send feeds, and the source address pickers answer from
// Addrs (an interface's addresses in the order they went on, as the
// kernel lists them).
type LinkWatcher struct {
	recorder
	// Addrs holds the interfaces' addresses; nil means none.
	Addrs  system.AddrLister
	mu     sync.Mutex
	links  map[string]system.Link
	events chan system.LinkEvent
}

var (
	_ system.LinkWatcher  = (*LinkWatcher)(nil)
	_ system.LinkResolver = (*LinkWatcher)(nil)
)

// NewLinkWatcher returns a fake that knows links.
func NewLinkWatcher(links ...system.Link) *LinkWatcher {
	w := &LinkWatcher{links: map[string]system.Link{}, events: make(chan system.LinkEvent, 64)}
	for _, l := range links {
		w.links[l.Name] = l
	}
	return w
}

// Lookup records the call and returns the named link, or an error wrapping
// system.ErrNoInterface.
func (w *LinkWatcher) Lookup(name string) (system.Link, error) {
	if err := w.record("Lookup", name); err != nil {
		return system.Link{}, err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	l, ok := w.links[name]
	if !ok {
		return system.Link{}, fmt.Errorf("interface %s: %w", name, system.ErrNoInterface)
	}
	return l, nil
}

// ByIndex records the call and returns link ifindex, or an error wrapping
// system.ErrNoInterface.
func (w *LinkWatcher) ByIndex(ifindex int) (system.Link, error) {
	if err := w.record("ByIndex", ifindex); err != nil {
		return system.Link{}, err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, l := range w.links {
		if l.Index == ifindex {
			return l, nil
		}
	}
	return system.Link{}, fmt.Errorf("interface %d: %w", ifindex, system.ErrNoInterface)
}

// PrimaryIPv4 records the call and returns the first IPv4 address of
// ifindex in Addrs that is not excluded.
func (w *LinkWatcher) PrimaryIPv4(ifindex int, exclude ...netip.Addr) (netip.Addr, error) {
	return w.pick("PrimaryIPv4", ifindex, system.IPv4, func(netip.Addr) bool { return true }, exclude)
}

// LinkLocalIPv6 records the call and returns the first IPv6 link-local
// address of ifindex in Addrs that is not excluded.
func (w *LinkWatcher) LinkLocalIPv6(ifindex int, exclude ...netip.Addr) (netip.Addr, error) {
	return w.pick("LinkLocalIPv6", ifindex, system.IPv6, netip.Addr.IsLinkLocalUnicast, exclude)
}

func (w *LinkWatcher) pick(method string, ifindex int, fam system.Family, ok func(netip.Addr) bool, exclude []netip.Addr) (netip.Addr, error) {
	if err := w.record(method, ifindex); err != nil {
		return netip.Addr{}, err
	}
	if w.Addrs != nil {
		ps, err := w.Addrs.List(ifindex, fam)
		if err != nil {
			return netip.Addr{}, err
		}
		for _, p := range ps {
			if a := p.Addr(); ok(a) && !slices.Contains(exclude, a) {
				return a, nil
			}
		}
	}
	return netip.Addr{}, fmt.Errorf("interface %d: %w", ifindex, system.ErrNoAddress)
}

// Close records the call.
func (w *LinkWatcher) Close() error { return w.record("Close") }

// Watch records the call and returns the event channel, closed when ctx is done.
func (w *LinkWatcher) Watch(ctx context.Context) (<-chan system.LinkEvent, error) {
	if err := w.record("Watch"); err != nil {
		return nil, err
	}
	return relay(ctx, w.events), nil
}

// Send updates the known link and queues an event for Watch.
func (w *LinkWatcher) Send(ev system.LinkEvent) {
	w.mu.Lock()
	if ev.Deleted {
		delete(w.links, ev.Name)
	} else {
		w.links[ev.Name] = ev.Link
	}
	w.mu.Unlock()
	w.events <- ev
}

// AddrWatcher fakes system.WatchAddrs: Watch returns a channel that Send
// feeds.
type AddrWatcher struct {
	events chan system.AddrEvent
}

// NewAddrWatcher returns a fake with room for 64 queued events.
func NewAddrWatcher() *AddrWatcher {
	return &AddrWatcher{events: make(chan system.AddrEvent, 64)}
}

// Watch has system.WatchAddrs' signature: it returns a channel that
// carries what Send queues and is closed when ctx is done.
func (w *AddrWatcher) Watch(ctx context.Context, _ *slog.Logger) (<-chan system.AddrEvent, error) {
	return relay(ctx, w.events), nil
}

// Send queues an event for Watch.
func (w *AddrWatcher) Send(ev system.AddrEvent) { w.events <- ev }

// relay copies in to the returned channel until ctx is done, then closes it.
func relay[T any](ctx context.Context, in <-chan T) <-chan T {
	out := make(chan T)
	go func() {
		defer close(out)
		for {
			select {
			case <-ctx.Done():
				return
			case ev := <-in:
				select {
				case out <- ev:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return out
}
