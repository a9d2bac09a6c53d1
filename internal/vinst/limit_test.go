package vinst

import (
	"github.com/google/go-cmp/cmp"

	"testing"
	"time"
)

func TestLogLimiter(t *testing.T) {
	t0 := time.Unix(1000, 0)
	type ev struct {
		key string
		at  time.Duration
	}
	type out struct {
		OK   bool
		Held []any
	}
	tests := []struct {
		name string
		evs  []ev
		want []out
	}{
		{"first of each cause", []ev{{"a", 0}, {"b", 0}, {"a", time.Second}},
			[]out{{OK: true}, {OK: true}, {}}},
		{"a minute later with the count", []ev{{"a", 0}, {"a", time.Millisecond}, {"a", 2 * time.Millisecond}, {"a", time.Minute}},
			[]out{{OK: true}, {}, {}, {OK: true, Held: []any{"suppressed", uint64(2)}}}},
		{"count restarts", []ev{{"a", 0}, {"a", 1}, {"a", time.Minute}, {"a", 2 * time.Minute}},
			[]out{{OK: true}, {}, {OK: true, Held: []any{"suppressed", uint64(1)}}, {OK: true}}},
		{"clock stepped back", []ev{{"a", time.Hour}, {"a", 0}}, []out{{OK: true}, {OK: true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var l LogLimiter[string]
			var got []out
			for _, e := range tt.evs {
				ok, held := l.Allow(e.key, t0.Add(e.at))
				got = append(got, out{ok, held})
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("allow (-want +got):\n%s", diff)
			}
		})
	}
}
