package updown

import (
	"log/slog"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/config"
)

// Debouncer holds every interface's raw state and the state instances
// see. Only the loop calls it; Later brings delayed changes back there.
type Debouncer struct {
	ifs map[string]*state
	// Log receives keepalived's "Netlink reports" line and the delays.
	Log *slog.Logger
	// Set makes the instances on name see up; it runs on the loop.
	Set func(name string, up bool)
	// Later runs f on the loop after d; Applied is called there after a
	// delayed change went through.
	Later   func(d time.Duration, f func())
	Applied func()
}

// state is one interface's raw link state and the state instances see.
type state struct {
	raw, eff bool
	gen      int // bumped on every raw change; a timer of an older gen is stale
}

// Event records name's raw state up, after delay (none when now). seen is
// the state the instances on name saw at start, asked on name's first
// event: the state before it, so that a first flap is delayed too.
func (b *Debouncer) Event(name string, up, now bool, delay time.Duration, seen func() (bool, bool)) {
	if b.ifs == nil {
		b.ifs = map[string]*state{}
	}
	st := b.ifs[name]
	if st == nil {
		prev := up
		if s, ok := seen(); ok {
			prev = s
		}
		st = &state{raw: prev, eff: prev}
		b.ifs[name] = st
		b.Set(name, prev)
	}
	if up == st.raw {
		return
	}
	st.raw = up
	st.gen++
	b.Log.Info("Netlink reports "+name+" "+UpDown(up), "iface", name)
	if delay <= 0 || now {
		st.eff = up
		b.Set(name, up)
		return
	}
	gen := st.gen
	b.Log.Info("interface change delayed", "iface", name, "up", up, "delay", delay)
	b.Later(delay, func() {
		if st.gen != gen || st.eff == st.raw {
			return
		}
		st.eff = st.raw
		b.Log.Info("interface change applied after delay", "iface", name, "up", st.eff)
		b.Set(name, st.eff)
		b.Applied()
	})
}

// Up returns the state instances see for name, and whether any event
// about name was seen.
func (b *Debouncer) Up(name string) (up, known bool) {
	if st := b.ifs[name]; st != nil {
		return st.eff, true
	}
	return false, false
}

// Delay is the configured delay before name going up (or down) reaches
// the instances.
func Delay(delays []config.UpDownDelay, name string, up bool) time.Duration {
	for _, dl := range delays {
		if dl.Interface == name {
			if up {
				return dl.Up
			}
			return dl.Down
		}
	}
	return 0
}

// UpDown is keepalived's word for a link state.
func UpDown(up bool) string {
	if up {
		return "up"
	}
	return "down"
}

// Seed records name's state as up when no event about name was seen yet:
// what a lookup found, until the link watcher reports a change. The
// instances on name are not told (they read their own interface at
// start).
func (b *Debouncer) Seed(name string, up bool) {
	if b.ifs == nil {
		b.ifs = map[string]*state{}
	}
	if b.ifs[name] == nil {
		b.ifs[name] = &state{raw: up, eff: up}
	}
}

// Forget drops what is known about name (an interface renamed away from
// it), telling no instance: the next Up reports it unknown.
func (b *Debouncer) Forget(name string) { delete(b.ifs, name) }
