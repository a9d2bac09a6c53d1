package bgp

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/config"
)

// quietSpeaker is a speaker that opens no socket: its one neighbor is
// passive and it does not listen, so it can run outside a lab.
func quietSpeaker(t testing.TB) *Speaker {
	t.Helper()
	sp, err := New(Config{
		Speaker: &config.BGPSpeaker{LocalAS: 65001, GracefulShutdown: 50 * time.Millisecond, Neighbors: []*config.BGPNeighbor{
			{Addr: netip.MustParseAddr("192.0.2.1"), RemoteAS: 65000, HoldTime: 9 * time.Second, KeepaliveTime: 3 * time.Second, Passive: true, Port: 179},
		}},
		RouterID:   netip.MustParseAddr("192.0.2.2"),
		ListenPort: -1,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := sp.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := sp.Close(context.Background()); err != nil {
			t.Error(err)
		}
	})
	return sp
}

// waitStatus polls Status until ok holds.
func waitStatus(t *testing.T, sp *Speaker, what string, ok func(Status) bool) Status {
	t.Helper()
	for range 500 {
		if st := sp.Status(); ok(st) {
			return st
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("%s: status %+v", what, sp.Status())
	return Status{}
}

func TestSpeakerAnnounceWithdrawShutdown(t *testing.T) {
	sp := quietSpeaker(t)
	v4 := Route{Prefix: netip.MustParsePrefix("10.99.0.1/32"), Group: "WEB", Attrs: config.BGPAttrs{MED: 10, HasMED: true, ASPathPrepend: 2}}
	v6 := Route{Prefix: netip.MustParsePrefix("2001:db8:99::1/128"), Group: "WEB"}
	sp.SetAnnounced([]Route{v6, v4})
	st := waitStatus(t, sp, "both announced", func(s Status) bool { return len(s.Prefixes) == 2 })
	if st.Prefixes[0].Prefix != v4.Prefix || st.Prefixes[1].Prefix != v6.Prefix || st.LastError != "" {
		t.Errorf("status %+v, want %s then %s, no error", st, v4.Prefix, v6.Prefix)
	}
	if n := st.Neighbors[0]; n.State == "established" || n.Addr != netip.MustParseAddr("192.0.2.1") {
		t.Errorf("neighbor %+v, want 192.0.2.1 not established", n)
	}
	sp.SetAnnounced([]Route{v4})
	waitStatus(t, sp, "v6 withdrawn", func(s Status) bool { return len(s.Prefixes) == 1 && s.Prefixes[0].Prefix == v4.Prefix })

	marked := make(chan bool, 1)
	go func() {
		waitStatus(t, sp, "marked", func(s Status) bool { return len(s.Prefixes) == 1 && s.Prefixes[0].GracefulShutdown })
		marked <- true
	}()
	if err := sp.GracefulShutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !<-marked {
		t.Error("the route never carried GRACEFUL_SHUTDOWN")
	}
	if st := sp.Status(); len(st.Prefixes) != 0 {
		t.Errorf("after graceful shutdown: %+v, want nothing announced", st.Prefixes)
	}
}

// BenchmarkSetAnnounced measures what a caller (the daemon's loop) pays
// to hand over a new set: it never waits for GoBGP or the network.
func BenchmarkSetAnnounced(b *testing.B) {
	sp := quietSpeaker(b)
	routes := []Route{{Prefix: netip.MustParsePrefix("10.99.0.1/32"), Group: "WEB"}}
	for b.Loop() {
		sp.SetAnnounced(routes)
	}
}
