package vinst

import (
	"time"
)

// LogLimiter lets the first log line of each cause through once a minute
// and counts the ones it holds back, so that a flood of one kind of packet
// (10,000 a second) writes one line a minute, saying how many it stands
// for. The zero value is ready to use.
type LogLimiter[K comparable] struct {
	last map[K]time.Time
	held map[K]uint64
}

// allow reports whether a line for cause k may be logged at now; if so,
// held is the "suppressed" attribute to add (none when nothing was held).
func (l *LogLimiter[K]) Allow(k K, now time.Time) (ok bool, held []any) {
	if l.last == nil {
		l.last, l.held = map[K]time.Time{}, map[K]uint64{}
	}
	if last, seen := l.last[k]; seen && now.Sub(last) < time.Minute && !now.Before(last) {
		l.held[k]++
		return false, nil
	}
	l.last[k] = now
	if n := l.held[k]; n > 0 {
		held = []any{"suppressed", n}
	}
	l.held[k] = 0
	return true, held
}
