package demo

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Sample is one request of the client to a VIP.
type Sample struct {
	// At is when the request started.
	At time.Time
	// Server is the name of the server that answered ("A", "B"), or ""
	// when the request failed.
	Server string
}

// Outage is what the client saw while a VIP moved from one server to
// another.
type Outage struct {
	// From and To name the old and the new owner.
	From, To string
	// LastOld is the last answer from From before the first answer from To.
	LastOld time.Time
	// FirstNew is the first answer from To.
	FirstNew time.Time
	// Failed counts the requests between the two that got no answer.
	Failed int
	// Requests counts every request between the two, failed or not.
	Requests int
}

// Duration is the client-side outage: from the last answer of the old
// owner to the first answer of the new one.
func (o Outage) Duration() time.Duration {
	if o.LastOld.IsZero() {
		return 0
	}
	return o.FirstNew.Sub(o.LastOld)
}

// MeasureOutage finds the first switch from server from to server to in
// samples (in time order) and returns it; ok is false when the client never
// got an answer from to after one from from.
func MeasureOutage(samples []Sample, from, to string) (o Outage, ok bool) {
	o = Outage{From: from, To: to}
	last := -1
	for i, s := range samples {
		switch s.Server {
		case from:
			last = i
		case to:
			if last < 0 {
				continue
			}
			o.LastOld, o.FirstNew = samples[last].At, s.At
			for _, m := range samples[last+1 : i] {
				o.Requests++
				if m.Server == "" {
					o.Failed++
				}
			}
			return o, true
		}
	}
	return o, false
}

// ServerOf reads the server's name from a page the demo's web servers
// serve ("server A (192.168.1.2)"); it returns "" for anything else.
func ServerOf(body string) string {
	f := strings.Fields(body)
	if len(f) < 2 || f[0] != "server" || len(f[1]) != 1 || f[1][0] < 'A' || f[1][0] > 'Z' {
		return ""
	}
	return f[1]
}

// prober asks a URL every interval and records who answered.
type prober struct {
	client   *http.Client
	url      string
	interval time.Duration

	mu      sync.Mutex
	samples []Sample
}

// run polls until ctx is done.
func (p *prober) run(ctx context.Context) {
	t := time.NewTicker(p.interval)
	defer t.Stop()
	for {
		p.once(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (p *prober) once(ctx context.Context) {
	s := Sample{At: time.Now()}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.url, nil)
	if err == nil {
		if resp, err := p.client.Do(req); err == nil {
			b, _ := io.ReadAll(io.LimitReader(resp.Body, 256))
			resp.Body.Close()
			s.Server = ServerOf(string(b))
		}
	}
	if ctx.Err() != nil {
		return
	}
	p.mu.Lock()
	p.samples = append(p.samples, s)
	p.mu.Unlock()
}

// since returns the samples taken at or after t.
func (p *prober) since(t time.Time) []Sample {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []Sample
	for _, s := range p.samples {
		if !s.At.Before(t) {
			out = append(out, s)
		}
	}
	return out
}
