package updown

import (
	"log/slog"
	"slices"
	"testing"
	"time"
)

// TestDebounce: the first flap is measured from the state the instances
// saw at start and delayed; a flap back before the delay makes the pending
// change stale; deletion (now) is never delayed.
func TestDebounce(t *testing.T) {
	var set []string
	var pending []func()
	applied := 0
	b := Debouncer{Log: slog.New(slog.DiscardHandler),
		Set:     func(name string, up bool) { set = append(set, name+" "+UpDown(up)) },
		Later:   func(_ time.Duration, f func()) { pending = append(pending, f) },
		Applied: func() { applied++ }}
	seenUp := func() (bool, bool) { return true, true }

	b.Event("eth1", false, false, time.Second, seenUp) // down, delayed
	if want := []string{"eth1 up"}; !slices.Equal(set, want) {
		t.Fatalf("after the first flap: set %v, want %v (the start state only)", set, want)
	}
	if up, ok := b.Up("eth1"); !ok || !up {
		t.Fatalf("Up = %v, %v during the delay, want true, true", up, ok)
	}
	b.Event("eth1", true, false, time.Second, seenUp) // back up before the delay ran out
	for _, f := range pending {
		f()
	}
	if len(set) != 1 || applied != 0 {
		t.Fatalf("a stale delayed change went through: set %v, applied %d", set, applied)
	}
	pending = nil
	b.Event("eth1", false, false, time.Second, seenUp)
	pending[0]()
	if want := []string{"eth1 up", "eth1 down"}; !slices.Equal(set, want) || applied != 1 {
		t.Fatalf("after the delay: set %v (applied %d), want %v", set, applied, want)
	}
	b.Event("eth2", false, true, time.Second, seenUp) // deleted: at once
	if want := []string{"eth1 up", "eth1 down", "eth2 up", "eth2 down"}; !slices.Equal(set, want) {
		t.Fatalf("deletion: set %v, want %v", set, want)
	}
	if got := Delay(nil, "eth1", true); got != 0 {
		t.Errorf("Delay without configuration = %v, want 0", got)
	}
}
