package system

import (
	"net/netip"
	"testing"
)

// TestVIPEqual: every option of an address counts, the lifetime by value.
func TestVIPEqual(t *testing.T) {
	base := VIP{Prefix: netip.MustParsePrefix("10.0.0.1/32"), Ifindex: 2}
	lft, same := uint32(30), uint32(30)
	for name, w := range map[string]VIP{
		"prefix":        {Prefix: netip.MustParsePrefix("10.0.0.2/32"), Ifindex: 2},
		"ifindex":       {Prefix: base.Prefix, Ifindex: 3},
		"brd":           {Prefix: base.Prefix, Ifindex: 2, Broadcast: netip.MustParseAddr("10.0.0.255")},
		"scope":         {Prefix: base.Prefix, Ifindex: 2, Scope: ScopeLink},
		"label":         {Prefix: base.Prefix, Ifindex: 2, Label: "eth1:1"},
		"peer":          {Prefix: base.Prefix, Ifindex: 2, Peer: netip.MustParsePrefix("10.1.0.1/32")},
		"preferred_lft": {Prefix: base.Prefix, Ifindex: 2, PreferredLft: &lft},
		"nodad":         {Prefix: base.Prefix, Ifindex: 2, NoDAD: true},
		"noprefixroute": {Prefix: base.Prefix, Ifindex: 2, NoPrefixRoute: true},
		"home":          {Prefix: base.Prefix, Ifindex: 2, Home: true},
		"mngtmpaddr":    {Prefix: base.Prefix, Ifindex: 2, MngTmpAddr: true},
		"autojoin":      {Prefix: base.Prefix, Ifindex: 2, AutoJoin: true},
	} {
		if base.Equal(w) {
			t.Errorf("%s changed, still Equal", name)
		}
	}
	if x, y := (VIP{PreferredLft: &lft}), (VIP{PreferredLft: &same}); !x.Equal(y) {
		t.Errorf("the same preferred_lft behind two pointers taken for a change")
	}
}
