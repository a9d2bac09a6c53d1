package main

import (
	"log/slog"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/system"
)

// trimDelay is how long after start-up or a reload the daemon waits
// before it drops the code pages it used to get there: long enough for
// the first elections and announcements to have run.
const trimDelay = 10 * time.Second

// burstBytes is how much the daemon must have allocated since the last
// release for a garbage collection to count as the end of a burst
// (transitions, a failover, a metrics scrape) worth releasing after.
const burstBytes = 1 << 20

// pageTrimmer drops start-up pages once the daemon has settled
// (system.ReleaseStartupPages); calls within trimDelay of each other make
// one release. With watchBursts it also gives the heap back after bursts
// of allocation.
type pageTrimmer struct {
	log *slog.Logger
	// delay, releasePages, freeHeap and allocated are trimDelay,
	// system.ReleaseStartupPages, debug.FreeOSMemory and heapAllocated
	// when zero; tests set them.
	delay        time.Duration
	releasePages func() (int64, error)
	freeHeap     func()
	allocated    func() uint64

	mu         sync.Mutex
	timer      *time.Timer // the release after start-up or a reload
	burstTimer *time.Timer // the heap release after a burst
	base       uint64      // allocated() at the last release
}

func (p *pageTrimmer) soon() { p.after(&p.timer, p.release) }

// after runs f once the delay has passed with no further call for the
// same timer.
func (p *pageTrimmer) after(t **time.Timer, f func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	d := p.delay
	if d == 0 {
		d = trimDelay
	}
	if *t == nil {
		*t = time.AfterFunc(d, f)
		return
	}
	(*t).Reset(d)
}

func (p *pageTrimmer) release() {
	// Start-up leaves megabytes of garbage (config, netlink lookups) that an
	// idle daemon, which allocates nothing, would keep until Go's forced GC
	// two minutes later: collect it now and give the memory back.
	p.releaseHeap()
	rel := p.releasePages
	if rel == nil {
		rel = system.ReleaseStartupPages
	}
	n, err := rel()
	if err != nil {
		p.log.Debug("start-up pages kept", "err", err)
		return
	}
	p.log.Debug("start-up pages released", "bytes", n)
}

// releaseHeap collects the garbage and gives every free page of the heap
// back to the kernel. The base is taken first, so that the collection it
// runs does not count as a burst of its own.
func (p *pageTrimmer) releaseHeap() {
	p.mu.Lock()
	p.base = p.heapAllocated()
	p.mu.Unlock()
	if p.freeHeap != nil {
		p.freeHeap()
		return
	}
	debug.FreeOSMemory()
}

// watchBursts makes every garbage collection that follows burstBytes of
// allocation since the last release schedule a heap release, the delay
// after the last such collection. Go keeps the heap it grew to in a burst
// (up to twice the live heap, GOGC) until its scavenger slowly returns
// what lies above the next goal; an idle daemon allocates nothing, so no
// collection comes and that memory stays. The watch costs nothing while
// the daemon is idle: it runs only when a collection does.
func (p *pageTrimmer) watchBursts() {
	onEachGC(func() {
		p.mu.Lock()
		grown := p.heapAllocated()-p.base >= burstBytes
		p.mu.Unlock()
		if grown {
			p.after(&p.burstTimer, p.releaseHeap)
		}
	})
}

func (p *pageTrimmer) heapAllocated() uint64 {
	if p.allocated != nil {
		return p.allocated()
	}
	return heapAllocated()
}

// heapAllocated is the total the program has allocated on the heap.
func heapAllocated() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}

// gcSentinel is garbage whose cleanup tells that a collection ran; it
// holds a pointer so that it is never one of the tiny allocations the
// runtime packs together.
type gcSentinel struct {
	_ *int
	_ [8]byte
}

// onEachGC calls f (on the runtime's cleanup goroutine) after every
// garbage collection cycle, for as long as the program runs.
func onEachGC(f func()) {
	s := new(gcSentinel)
	runtime.AddCleanup(s, func(f func()) { f(); onEachGC(f) }, f)
}
