package vrrp

import (
	"encoding/hex"
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// cmpOpts compares netip.Addr by value.
var cmpOpts = cmp.Options{cmp.Comparer(func(a, b netip.Addr) bool { return a == b })}

func mustHex(tb testing.TB, s string) []byte {
	tb.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		tb.Fatalf("hex %q: %v", s, err)
	}
	return b
}

func ips(ss ...string) []netip.Addr {
	out := make([]netip.Addr, len(ss))
	for i, s := range ss {
		out[i] = netip.MustParseAddr(s)
	}
	return out
}

func ip(s string) netip.Addr { return netip.MustParseAddr(s) }

func pass(s string) (b [8]byte) {
	copy(b[:], s)
	return b
}
