package bgp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/netip"
	"slices"
	"sync"
	"time"

	"github.com/osrg/gobgp/v4/api"
	"github.com/osrg/gobgp/v4/pkg/apiutil"
	"github.com/osrg/gobgp/v4/pkg/server"

	"github.com/gokeepalived/gokeepalived/internal/config"
)

// connectRetry is how often a neighbor that is not up is tried again
// (GoBGP's default, 120 s, would keep a restarted router without our
// routes for two minutes).
const connectRetry = 5 * time.Second

// Config is what a Speaker runs with.
type Config struct {
	// Speaker is the bgp_speaker block.
	Speaker *config.BGPSpeaker
	// RouterID overrides Speaker.RouterID; one of them must be set (the
	// daemon passes the node's primary IPv4 address when neither is).
	RouterID netip.Addr
	// ListenPort is the TCP port passive neighbors connect to: 0 means
	// 179 when a neighbor is passive and no listening otherwise; -1 never
	// listens.
	ListenPort int
	Logger     *slog.Logger
}

// Speaker is one node's BGP speaker: an embedded GoBGP server with the
// configured neighbors, announcing the routes it was last given. Its
// methods are safe for concurrent use and, but for Start, Close and
// GracefulShutdown, never wait for the network.
type Speaker struct {
	cfg Config
	log *slog.Logger
	srv *server.BgpServer

	mu        sync.Mutex
	want      []Route            // newest wanted set
	wantGen   uint64             // bumped by every SetAnnounced
	gshut     bool               // graceful shutdown asked: mark, then withdraw
	pending   *config.BGPSpeaker // a reloaded block for run to apply (Update)
	status    Status
	installed map[netip.Prefix]installed // owned by run

	wake   chan struct{}
	cancel context.CancelFunc
	done   chan struct{}
}

// installed is a route as given to GoBGP.
type installed struct {
	route Route
	gshut bool
	path  *apiutil.Path
}

// New returns a Speaker for cfg; Start runs it.
func New(cfg Config) (*Speaker, error) {
	if cfg.Speaker == nil {
		return nil, errors.New("bgp: no bgp_speaker configured")
	}
	if !cfg.RouterID.IsValid() {
		cfg.RouterID = cfg.Speaker.RouterID
	}
	if !cfg.RouterID.Is4() {
		return nil, errors.New("bgp: no IPv4 router id (set router_id)")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Speaker{cfg: cfg, log: cfg.Logger, wake: make(chan struct{}, 1), done: make(chan struct{}),
		installed: map[netip.Prefix]installed{}}
	s.status.LocalAS, s.status.RouterID = cfg.Speaker.LocalAS, cfg.RouterID
	for _, nb := range cfg.Speaker.Neighbors {
		s.status.Neighbors = append(s.status.Neighbors, NeighborStatus{Addr: nb.Addr, RemoteAS: nb.RemoteAS, State: "idle"})
	}
	return s, nil
}

// Start starts the GoBGP server and adds the neighbors. It only sets up
// local state (sessions come up in the background), bounded by ctx.
func (s *Speaker) Start(ctx context.Context) error {
	lvl := &slog.LevelVar{}
	lvl.Set(slog.LevelWarn)
	s.srv = server.NewBgpServer(server.LoggerOption(s.log.With("component", "gobgp"), lvl))
	go s.srv.Serve()
	errc := make(chan error, 1)
	go func() { errc <- s.setup(ctx) }()
	select {
	case err := <-errc:
		if err != nil {
			s.srv.Stop()
			return err
		}
	case <-ctx.Done():
		go s.srv.Stop()
		return fmt.Errorf("bgp: start: %w", ctx.Err())
	}
	runCtx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	if err := s.srv.WatchEvent(runCtx, server.WatchEventMessageCallbacks{OnPeerUpdate: s.onPeer}, server.WatchPeer()); err != nil {
		cancel()
		s.srv.Stop()
		return fmt.Errorf("bgp: watch peers: %w", err)
	}
	s.mu.Lock()
	s.status.Running = true
	s.mu.Unlock()
	go s.run(runCtx)
	return nil
}

// setup starts BGP and adds the neighbors. Routes the neighbors send stay
// in GoBGP's table and go nowhere: the speaker has no zebra or kernel
// connection. (GoBGP's global import policy would also drop our own
// paths, so it is left at accept.)
func (s *Speaker) setup(ctx context.Context) error {
	port := int32(s.cfg.ListenPort)
	if port == 0 {
		port = -1
		for _, nb := range s.cfg.Speaker.Neighbors {
			if nb.Passive {
				port = config.DefaultBGPPort
			}
		}
	}
	err := s.srv.StartBgp(ctx, &api.StartBgpRequest{Global: &api.Global{
		Asn: s.cfg.Speaker.LocalAS, RouterId: s.cfg.RouterID.String(), ListenPort: port,
	}})
	if err != nil {
		return fmt.Errorf("bgp: start: %w", err)
	}
	for _, nb := range s.cfg.Speaker.Neighbors {
		if err := s.srv.AddPeer(ctx, &api.AddPeerRequest{Peer: peer(nb)}); err != nil {
			return fmt.Errorf("bgp: add neighbor %s: %w", nb.Addr, err)
		}
	}
	return nil
}

// peer maps a neighbor block to GoBGP's peer; the session carries the
// unicast family of the neighbor's address.
func peer(nb *config.BGPNeighbor) *api.Peer {
	afi := api.Family_AFI_IP
	if nb.Addr.Is6() {
		afi = api.Family_AFI_IP6
	}
	p := &api.Peer{
		Conf: &api.PeerConf{NeighborAddress: nb.Addr.String(), PeerAsn: nb.RemoteAS, AuthPassword: nb.Password},
		Timers: &api.Timers{Config: &api.TimersConfig{
			HoldTime: uint64(nb.HoldTime / time.Second), KeepaliveInterval: uint64(nb.KeepaliveTime / time.Second),
			ConnectRetry: uint64(connectRetry / time.Second),
		}},
		Transport: &api.Transport{PassiveMode: nb.Passive, RemotePort: uint32(nb.Port)},
		AfiSafis: []*api.AfiSafi{{Config: &api.AfiSafiConfig{
			Family: &api.Family{Afi: afi, Safi: api.Family_SAFI_UNICAST}, Enabled: true,
		}}},
	}
	if nb.SourceAddress.IsValid() {
		p.Transport.LocalAddress = nb.SourceAddress.String()
	}
	if nb.Multihop > 0 {
		p.EbgpMultihop = &api.EbgpMultihop{Enabled: true, MultihopTtl: uint32(nb.Multihop)}
	}
	return p
}

// SetAnnounced makes routes the announced set, replacing the previous
// one. It returns at once; the routes reach GoBGP in the background.
func (s *Speaker) SetAnnounced(routes []Route) {
	s.mu.Lock()
	s.want = slices.Clone(routes)
	s.wantGen++
	s.mu.Unlock()
	s.poke()
}

// Withdraw withdraws every route; it returns at once.
func (s *Speaker) Withdraw() { s.SetAnnounced(nil) }

func (s *Speaker) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// run owns the GoBGP paths: it converges them to the newest wanted set
// each time it is woken.
func (s *Speaker) run(ctx context.Context) {
	defer close(s.done)
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.wake:
		}
		s.mu.Lock()
		want, gen, gshut, spc := s.want, s.wantGen, s.gshut, s.pending
		s.pending = nil
		s.mu.Unlock()
		var uerr error
		if spc != nil {
			uerr = s.applyUpdate(spc)
		}
		err := errors.Join(uerr, s.converge(want, gshut))
		s.publish(gen, err)
	}
}

// converge adds, changes and withdraws paths so GoBGP holds want.
func (s *Speaker) converge(want []Route, gshut bool) error {
	var errs []error
	keep := map[netip.Prefix]bool{}
	for _, r := range want {
		keep[r.Prefix] = true
		old, ok := s.installed[r.Prefix]
		if ok && old.gshut == gshut && routeEqual(old.route, r) {
			continue
		}
		p, err := path(r, s.cfg.Speaker.LocalAS, gshut)
		if err == nil {
			_, err = s.srv.AddPath(apiutil.AddPathRequest{Paths: []*apiutil.Path{p}})
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("announce %s: %w", r.Prefix, err))
			continue
		}
		s.installed[r.Prefix] = installed{route: r, gshut: gshut, path: p}
		s.log.Info("announcing", "prefix", r.Prefix, "group", r.Group, "instance", r.Instance, "graceful_shutdown", gshut)
	}
	for pfx, in := range s.installed {
		if keep[pfx] {
			continue
		}
		if err := s.srv.DeletePath(apiutil.DeletePathRequest{Paths: []*apiutil.Path{in.path}}); err != nil {
			errs = append(errs, fmt.Errorf("withdraw %s: %w", pfx, err))
			continue
		}
		delete(s.installed, pfx)
		s.log.Info("withdrawn", "prefix", pfx, "group", in.route.Group, "instance", in.route.Instance)
	}
	return errors.Join(errs...)
}

// publish records the installed routes in the status.
func (s *Speaker) publish(gen uint64, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old := map[netip.Prefix]PrefixStatus{}
	for _, p := range s.status.Prefixes {
		old[p.Prefix] = p
	}
	s.status.Prefixes = s.status.Prefixes[:0]
	for _, pfx := range slices.SortedFunc(maps.Keys(s.installed), comparePrefix) {
		in := s.installed[pfx]
		ps := PrefixStatus{Prefix: pfx, Group: in.route.Group, Instance: in.route.Instance, Attrs: in.route.Attrs,
			GracefulShutdown: in.gshut, Since: time.Now()}
		if o, ok := old[pfx]; ok && routeEqual(routeOf(o), in.route) {
			ps.Since = o.Since
		}
		s.status.Prefixes = append(s.status.Prefixes, ps)
	}
	s.status.AppliedGen = gen
	s.status.LastError = ""
	if err != nil {
		s.status.LastError = err.Error()
		s.log.Warn("bgp announcement failed", "err", err)
	}
}

// onPeer records a neighbor's session state.
func (s *Speaker) onPeer(ev *apiutil.WatchEventMessage_PeerEvent, at time.Time) {
	if ev.Type != apiutil.PEER_EVENT_STATE {
		return
	}
	st := sessionState(ev.Peer.State.SessionState)
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.status.Neighbors {
		n := &s.status.Neighbors[i]
		if n.Addr != ev.Peer.State.NeighborAddress.Unmap() || n.State == st {
			continue
		}
		if n.State == "established" || st == "established" {
			s.log.Info("bgp neighbor "+st, "neighbor", n.Addr, "was", n.State, "reason", ev.Peer.State.DisconnectMessage)
		}
		n.State, n.Since = st, at
		if st == "established" {
			n.Flaps++
		}
		if m := ev.Peer.State.DisconnectMessage; m != "" {
			n.LastError = m
		}
	}
}

// GracefulShutdown does RFC 8326's graceful shutdown: it re-announces
// every route with the GRACEFUL_SHUTDOWN community (routers that honour
// it move traffic to other paths while ours still work), waits for the
// bgp_speaker's graceful_shutdown time or until ctx is done, then
// withdraws everything. It returns when the withdrawal is handed to GoBGP
// or ctx is done.
func (s *Speaker) GracefulShutdown(ctx context.Context) error {
	s.mu.Lock()
	s.gshut = true
	s.wantGen++
	gen := s.wantGen
	s.mu.Unlock()
	s.poke()
	if err := s.waitApplied(ctx, gen); err != nil {
		return err
	}
	s.mu.Lock()
	wait := s.cfg.Speaker.GracefulShutdown
	s.mu.Unlock()
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
	s.Withdraw()
	s.mu.Lock()
	gen = s.wantGen
	s.mu.Unlock()
	// The withdrawal gets a second even when ctx is done.
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
	defer cancel()
	return s.waitApplied(wctx, gen)
}

// waitApplied waits until the routes of generation gen are handed to
// GoBGP, or ctx is done.
func (s *Speaker) waitApplied(ctx context.Context, gen uint64) error {
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		s.mu.Lock()
		applied := s.status.AppliedGen >= gen
		s.mu.Unlock()
		if applied {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("bgp: waiting for the routes: %w", ctx.Err())
		case <-tick.C:
		case <-s.done:
			return errors.New("bgp: speaker closed")
		}
	}
}

// Close stops the speaker: the sessions are closed (each router drops our
// routes at once), and the GoBGP server is stopped. It waits at most
// until ctx is done.
func (s *Speaker) Close(ctx context.Context) error {
	if s.cancel == nil {
		return nil
	}
	s.cancel()
	stopped := make(chan struct{})
	go func() {
		<-s.done
		s.srv.Stop()
		close(stopped)
	}()
	s.mu.Lock()
	s.status.Running = false
	s.mu.Unlock()
	select {
	case <-stopped:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("bgp: close: %w", ctx.Err())
	}
}
