package difft

import (
	"context"
	"fmt"
	"sync"
)

// Tally counts agreement over many results.
type Tally struct {
	// Cases is the number of configurations compared.
	Cases int
	// Hung counts configurations keepalived's -t never finished on; they
	// are not compared.
	Hung int
	// ExitAgree counts those where both exit statuses are equal.
	ExitAgree int
	// Named counts those where keepalived names at least one line, and
	// LinesAgree those of them where ours names every line it does.
	Named, LinesAgree int
	// KALines counts the lines keepalived names, Missed those ours does not.
	KALines, Missed int
}

// Add counts one result.
func (t *Tally) Add(r Result) {
	if r.Keepalived.Exit == Hung {
		t.Hung++
		return
	}
	t.Cases++
	if r.ExitAgrees() {
		t.ExitAgree++
	}
	if n := len(r.Keepalived.Locs); n > 0 {
		t.Named++
		t.KALines += n
		missed := len(r.Missed())
		t.Missed += missed
		if missed == 0 {
			t.LinesAgree++
		}
	}
}

// Agrees says whether r agrees on exit status and on every line
// keepalived names.
func Agrees(r Result) bool { return r.ExitAgrees() && len(r.Missed()) == 0 }

// ExitRate is the share of cases whose exit statuses agree.
func (t Tally) ExitRate() float64 { return rate(t.ExitAgree, t.Cases) }

// LineRate is the share of lines keepalived names that ours names too.
func (t Tally) LineRate() float64 { return rate(t.KALines-t.Missed, t.KALines) }

func rate(n, d int) float64 {
	if d == 0 {
		return 1
	}
	return float64(n) / float64(d)
}

// String is a one-line summary.
func (t Tally) String() string {
	return fmt.Sprintf("%d configs (and %d keepalived hung on): exit status agrees on %d (%.2f%%); keepalived names lines in %d, ours names all of them in %d; lines named %d, missed %d (%.2f%% agree)",
		t.Cases, t.Hung, t.ExitAgree, 100*t.ExitRate(), t.Named, t.LinesAgree, t.KALines, t.Missed, 100*t.LineRate())
}

// RunMany generates cases [0, n) of seed and runs them on r with the
// given number of workers, calling each (from one goroutine at a time) with
// every result. It stops at the first error.
func (r *Runner) RunMany(ctx context.Context, seeds []Seed, seed uint64, n, workers int, each func(i int, res Result)) (Tally, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	idx := make(chan int)
	var (
		mu    sync.Mutex
		tally Tally
		first error
		wg    sync.WaitGroup
	)
	for range max(workers, 1) {
		wg.Go(func() {
			for i := range idx {
				res, err := r.RunCase(ctx, i, Generate(seeds, seed, i))
				mu.Lock()
				if err != nil && first == nil {
					first = fmt.Errorf("case %d (%s): %w", i, res.Case, err)
					cancel()
				}
				if err == nil {
					tally.Add(res)
					if each != nil {
						each(i, res)
					}
				}
				mu.Unlock()
			}
		})
	}
feed:
	for i := range n {
		select {
		case idx <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(idx)
	wg.Wait()
	return tally, first
}
