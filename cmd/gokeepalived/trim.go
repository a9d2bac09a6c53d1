package main

import (
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/system"
)

// trimDelay is how long after start-up or a reload the daemon waits
// before it drops the code pages it used to get there: long enough for
// the first elections and announcements to have run.
const trimDelay = 10 * time.Second

// pageTrimmer drops start-up pages once the daemon has settled
// (system.ReleaseStartupPages); calls within trimDelay of each other make
// one release.
type pageTrimmer struct {
	log *slog.Logger
	// delay and releasePages are trimDelay and system.ReleaseStartupPages
	// when zero; tests set them.
	delay        time.Duration
	releasePages func() (int64, error)

	mu    sync.Mutex
	timer *time.Timer
}

func (p *pageTrimmer) soon() {
	p.mu.Lock()
	defer p.mu.Unlock()
	d := p.delay
	if d == 0 {
		d = trimDelay
	}
	if p.timer == nil {
		p.timer = time.AfterFunc(d, p.release)
		return
	}
	p.timer.Reset(d)
}

func (p *pageTrimmer) release() {
	// Start-up leaves megabytes of garbage (config, netlink lookups) that an
	// idle daemon, which allocates nothing, would keep until Go's forced GC
	// two minutes later: collect it now and give the memory back.
	debug.FreeOSMemory()
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
