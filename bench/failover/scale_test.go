package main

import (
	"testing"
	"time"
)

// TestTakeovers: a VRID counts as taken over from b's first advert after
// a's last one, wherever in the capture a's last advert is; b's adverts
// before it (b also master) do not count; a VRID b never advertised after
// a is not taken over.
func TestTakeovers(t *testing.T) {
	macA, macB := [6]byte{2, 0, 0, 0, 1, 2}, [6]byte{2, 0, 0, 0, 1, 3}
	t0 := time.Unix(1000, 0)
	ev := func(ms int, mac [6]byte, vrid uint8) event {
		return event{at: t0.Add(time.Duration(ms) * time.Millisecond), frameInfo: frameInfo{Kind: kindAdvert, SrcMAC: mac, VRID: vrid}}
	}
	evs := []event{
		ev(0, macA, 1), ev(50, macA, 2), ev(60, macB, 2), ev(80, macA, 3), // b also master for 2
		ev(100, macA, 1), ev(150, macA, 2), // a's last: 1 at 100, 2 at 150, 3 at 80
		ev(400, macB, 1), ev(500, macB, 2), ev(600, macB, 1),
		ev(900, macB, 3), // beyond the bound
		ev(120, macA, 4), // never taken over
	}
	moved, inBound, p50, worst := takeovers(evs, macA, macB, 375*time.Millisecond)
	if moved != 3 || inBound != 2 || p50 != 350*time.Millisecond || worst != 820*time.Millisecond {
		t.Errorf("takeovers = %d moved, %d in bound, p50 %v, max %v; want 3, 2, 350ms, 820ms", moved, inBound, p50, worst)
	}
}

// TestParseRawDrops sums the drops column of the VRRP raw sockets only.
func TestParseRawDrops(t *testing.T) {
	in := `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
   1: 00000000:0070 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 1 2 0000000000000000 17
   2: 00000000:0070 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 2 2 0000000000000000 3
   3: 00000000:0033 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 3 2 0000000000000000 99
`
	if got := parseRawDrops(in); got != 20 {
		t.Errorf("parseRawDrops = %d, want 20", got)
	}
}
