package noaccept

import (
	"errors"
	"log/slog"
	"net/netip"
	"slices"
	"testing"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/system"
	"github.com/gokeepalived/gokeepalived/internal/vinst"
)

// fakeRules records the drop set.
type fakeRules struct {
	set    []netip.Addr
	closed bool
}

func (f *fakeRules) Drop(a []netip.Addr) error { f.set = append(f.set, a...); return nil }
func (f *fakeRules) Allow(a []netip.Addr) error {
	f.set = slices.DeleteFunc(f.set, func(x netip.Addr) bool { return slices.Contains(a, x) })
	return nil
}
func (f *fakeRules) Close() error { f.closed = true; return nil }

func vips(addrs ...string) []system.VIP {
	var out []system.VIP
	for _, a := range addrs {
		out = append(out, system.VIP{Prefix: netip.MustParsePrefix(a + "/32")})
	}
	return out
}

// TestDropFollowsVIPs: the drop set takes an instance's addresses before
// they go on, follows a changed list (reload) by difference, and empties
// on Release; the table is named by the globals and removed by Close.
func TestDropFollowsVIPs(t *testing.T) {
	rules := &fakeRules{}
	var opened []system.FirewallConfig
	fw := New(func(c system.FirewallConfig) (Rules, error) { opened = append(opened, c); return rules, nil }, slog.New(slog.DiscardHandler))
	g := &config.GlobalDefs{NFTablesTable: "mine"}
	vi := &vinst.Instance{Conf: &config.Instance{Name: "V", Priority: 100}, Log: slog.New(slog.DiscardHandler), VIPs: vips("10.0.0.1", "10.0.0.2")}

	fw.Drop(g, vi)
	if want := []netip.Addr{netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.2")}; !slices.Equal(rules.set, want) {
		t.Fatalf("drop set %v, want %v", rules.set, want)
	}
	if len(opened) != 1 || opened[0].Table != "mine" {
		t.Fatalf("opened %+v, want once with table mine", opened)
	}
	vi.VIPs = vips("10.0.0.2", "10.0.0.3")
	fw.Drop(g, vi)
	if want := []netip.Addr{netip.MustParseAddr("10.0.0.2"), netip.MustParseAddr("10.0.0.3")}; !slices.Equal(rules.set, want) {
		t.Fatalf("after the change: drop set %v, want %v", rules.set, want)
	}
	fw.Release(vi)
	if len(rules.set) != 0 || len(vi.Dyn.Dropped) != 0 {
		t.Fatalf("after Release: drop set %v, instance %v", rules.set, vi.Dyn.Dropped)
	}
	fw.Close()
	if !rules.closed {
		t.Error("Close left the table")
	}
}

// TestAcceptAndOwnerNeedNoRules: accept and an address owner never open
// the firewall; a firewall that cannot be opened is tried once.
func TestAcceptAndOwnerNeedNoRules(t *testing.T) {
	calls := 0
	fw := New(func(system.FirewallConfig) (Rules, error) { calls++; return nil, errors.New("no nftables") }, slog.New(slog.DiscardHandler))
	g := &config.GlobalDefs{}
	for _, ci := range []*config.Instance{{Name: "A", Priority: 100, Accept: true}, {Name: "O", Priority: 255}} {
		fw.Drop(g, &vinst.Instance{Conf: ci, Log: slog.New(slog.DiscardHandler), VIPs: vips("10.0.0.1")})
	}
	if calls != 0 {
		t.Fatalf("opened %d times for accept/owner instances", calls)
	}
	vi := &vinst.Instance{Conf: &config.Instance{Name: "V", Priority: 100}, Log: slog.New(slog.DiscardHandler), VIPs: vips("10.0.0.1")}
	fw.Drop(g, vi)
	fw.Drop(g, vi)
	if calls != 1 {
		t.Fatalf("a failing open was tried %d times, want 1", calls)
	}
}
