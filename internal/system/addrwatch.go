//go:build linux

package system

import (
	"context"
	"fmt"
	"log/slog"
	"net/netip"

	"github.com/vishvananda/netlink"
)

// AddrEvent is one address added to or removed from an interface, as seen
// by WatchAddrs.
type AddrEvent struct {
	// Ifindex is the interface the address is on.
	Ifindex int
	// Prefix is the address and its prefix length.
	Prefix netip.Prefix
	// New is true when the address was added (or changed), false when it
	// was removed.
	New bool
}

// WatchAddrs subscribes to address changes in the calling thread's network
// namespace and sends one AddrEvent per change until ctx is done; then the
// channel is closed. Existing addresses are not reported: consumers read
// the current state (Links.PrimaryIPv4, LinkLocalIPv6) after subscribing
// and on every event for an interface they care about.
func WatchAddrs(ctx context.Context, log *slog.Logger) (<-chan AddrEvent, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	updates := make(chan netlink.AddrUpdate, 64)
	sub := newSubscription()
	err := netlink.AddrSubscribeWithOptions(updates, sub.done, netlink.AddrSubscribeOptions{ErrorCallback: sub.onError})
	if err != nil {
		return nil, fmt.Errorf("subscribe to address changes: %w", err)
	}
	return relay(ctx, sub, log, "address watch", updates, func(u netlink.AddrUpdate) AddrEvent {
		return AddrEvent{Ifindex: u.LinkIndex, Prefix: toPrefix(&u.LinkAddress), New: u.NewAddr}
	}), nil
}
