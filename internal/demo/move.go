package demo

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// probeInterval is how often the client asks 192.168.1.6.
const probeInterval = 50 * time.Millisecond

// failover stops the web server on A and follows .6 to B.
func (r *run) failover(ctx context.Context) error {
	r.p.step(4, steps, fmt.Sprintf("Stopping %s on A; the client asks http://192.168.1.6/ every %s", r.res.Service, ms(probeInterval)))
	r.p.line("A's check fails, its priority for VRID 80 drops to 100-20 = 80 < 90, and B takes .6")
	o, err := r.move(ctx, r.a, r.b, func() error { return r.a.svc.stop() },
		fmt.Sprintf("%s on A stopped", r.res.Service))
	r.res.Failover = o
	return err
}

// failback starts the web server on A again and follows .6 back.
func (r *run) failback(ctx context.Context) error {
	r.p.step(5, steps, fmt.Sprintf("Starting %s on A again; A's priority returns to 100 and it takes .6 back", r.res.Service))
	o, err := r.move(ctx, r.b, r.a, func() error { return r.a.svc.start(ctx) },
		fmt.Sprintf("%s on A answers again", r.res.Service))
	r.res.Failback = o
	if err == nil {
		err = r.vipTable(ctx)
	}
	return err
}

// move runs act, then waits until .6 is on to and the client got an answer
// from to, printing what happened when, and returns the client's outage.
func (r *run) move(ctx context.Context, from, to *server, act func() error, what string) (Outage, error) {
	pctx, stop := context.WithCancel(ctx)
	pr := &prober{client: r.client.HTTPClient(500 * time.Millisecond), url: "http://192.168.1.6/", interval: probeInterval}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); pr.run(pctx) }()
	defer func() { stop(); wg.Wait() }()

	// Let the client see the current owner first.
	begin := time.Now()
	time.Sleep(3 * probeInterval)
	if err := act(); err != nil {
		return Outage{From: from.name, To: to.name}, err
	}
	r.p.start = time.Now()
	r.p.event(r.p.start, "%s", what)

	deadline := time.Now().Add(30 * time.Second)
	var movedAt time.Time
	for {
		if movedAt.IsZero() {
			if h, err := r.holder(ctx, vipX); err != nil {
				return Outage{}, err
			} else if h == to.name {
				movedAt = time.Now()
			}
		}
		if o, ok := MeasureOutage(pr.since(begin), from.name, to.name); ok && !movedAt.IsZero() {
			// The two are seen by different pollers; print them in order.
			lines := []struct {
				at   time.Time
				text string
			}{
				{movedAt, fmt.Sprintf("192.168.1.6 is on %s now (it sent gratuitous ARPs)", to.name)},
				{o.FirstNew, fmt.Sprintf("client: first answer from %s", to.name)},
			}
			if lines[1].at.Before(lines[0].at) {
				lines[0], lines[1] = lines[1], lines[0]
			}
			for _, l := range lines {
				r.p.event(l.at, "%s", l.text)
			}
			if o.Failed == 0 {
				r.p.ok("no failed request: the client never noticed (%s between the last answer from %s and the first from %s)", ms(o.Duration()), from.name, to.name)
			} else {
				r.p.ok("outage %s: %d of %d requests failed, then %s answered", ms(o.Duration()), o.Failed, o.Requests, to.name)
			}
			return o, nil
		}
		if time.Now().After(deadline) {
			h, _ := r.holder(ctx, vipX)
			return Outage{From: from.name, To: to.name}, fmt.Errorf("192.168.1.6 did not move from %s to %s within 30 s (held by %s)", from.name, to.name, h)
		}
		select {
		case <-ctx.Done():
			return Outage{}, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}
