package bgp

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"

	"github.com/osrg/gobgp/v4/api"

	"github.com/gokeepalived/gokeepalived/internal/config"
)

// Update takes a reloaded bgp_speaker block and returns at once. It
// returns false when the speaker cannot take it in place (local_as,
// router_id or the listening port changed: GoBGP's global settings are
// fixed once it runs); the caller then closes it and starts a new one.
// Otherwise, in the background, neighbors that were removed or changed
// are deleted (their sessions close), new or changed ones are added, and
// every unchanged neighbor keeps its session; hold_down is the caller's,
// graceful_shutdown takes effect for the next GracefulShutdown.
func (s *Speaker) Update(spc *config.BGPSpeaker, routerID netip.Addr) bool {
	if !routerID.IsValid() {
		routerID = spc.RouterID
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if spc.LocalAS != s.cfg.Speaker.LocalAS || routerID != s.cfg.RouterID || listens(spc) != listens(s.cfg.Speaker) {
		return false
	}
	s.pending = spc
	s.poke()
	return true
}

// listens says whether some neighbor of spc is passive, so that GoBGP
// listens on the BGP port.
func listens(spc *config.BGPSpeaker) bool {
	return slices.ContainsFunc(spc.Neighbors, func(nb *config.BGPNeighbor) bool { return nb.Passive })
}

// applyUpdate runs on the speaker's goroutine: it moves GoBGP's peers to
// the neighbors of spc.
func (s *Speaker) applyUpdate(spc *config.BGPSpeaker) error {
	ctx := context.Background()
	old := map[netip.Addr]*config.BGPNeighbor{}
	for _, nb := range s.cfg.Speaker.Neighbors {
		old[nb.Addr] = nb
	}
	var errs []error
	keep := map[netip.Addr]bool{}
	for _, nb := range spc.Neighbors {
		o, ok := old[nb.Addr]
		if ok && sameNeighbor(o, nb) {
			keep[nb.Addr] = true
			continue
		}
		if ok {
			if err := s.srv.DeletePeer(ctx, &api.DeletePeerRequest{Address: nb.Addr.String()}); err != nil {
				errs = append(errs, fmt.Errorf("delete neighbor %s: %w", nb.Addr, err))
			}
		}
		if err := s.srv.AddPeer(ctx, &api.AddPeerRequest{Peer: peer(nb)}); err != nil {
			errs = append(errs, fmt.Errorf("add neighbor %s: %w", nb.Addr, err))
		}
		s.log.Info("bgp neighbor configured", "neighbor", nb.Addr, "changed", ok)
	}
	for addr := range old {
		if keep[addr] || slices.ContainsFunc(spc.Neighbors, func(nb *config.BGPNeighbor) bool { return nb.Addr == addr }) {
			continue
		}
		if err := s.srv.DeletePeer(ctx, &api.DeletePeerRequest{Address: addr.String()}); err != nil {
			errs = append(errs, fmt.Errorf("delete neighbor %s: %w", addr, err))
		}
		s.log.Info("bgp neighbor removed", "neighbor", addr)
	}
	s.mu.Lock()
	s.cfg.Speaker = spc
	var ns []NeighborStatus
	for _, nb := range spc.Neighbors {
		st := NeighborStatus{Addr: nb.Addr, RemoteAS: nb.RemoteAS, State: "idle"}
		if keep[nb.Addr] {
			if i := slices.IndexFunc(s.status.Neighbors, func(n NeighborStatus) bool { return n.Addr == nb.Addr }); i >= 0 {
				st = s.status.Neighbors[i]
			}
		}
		ns = append(ns, st)
	}
	s.status.Neighbors = ns
	s.mu.Unlock()
	return errors.Join(errs...)
}

// sameNeighbor says whether two neighbor blocks configure the same
// session (their positions aside).
func sameNeighbor(a, b *config.BGPNeighbor) bool {
	x, y := *a, *b
	x.Pos, y.Pos = config.Pos{}, config.Pos{}
	return x == y
}
