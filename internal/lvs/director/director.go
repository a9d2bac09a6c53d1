package director

import (
	"context"
	"log/slog"
	"net/netip"
	"sync"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/healthcheck"
	"github.com/gokeepalived/gokeepalived/internal/healthcheck/probe"
	"github.com/gokeepalived/gokeepalived/internal/healthcheck/runner"
	"github.com/gokeepalived/gokeepalived/internal/lvs"
	"github.com/gokeepalived/gokeepalived/internal/track"
)

// ScriptTimeout bounds a notify or quorum script (keepalived sets none;
// a hung script must not hold a process forever).
const ScriptTimeout = time.Minute

// Config configures a Director.
type Config struct {
	Conf  *config.Config
	Plane lvs.DataPlane
	// Backend names the plane in Status ("nftables", "ipvs").
	Backend string
	// Gate passes MISC_CHECK scripts (nil: the probe refuses them).
	Gate *track.Gate
	// NewProber, when set, replaces probe.New (tests).
	NewProber func(rs *healthcheck.RealServer, c *healthcheck.Check) healthcheck.Prober
	// Script passes a notify or quorum script through the script gate;
	// nil or false: it is not run.
	Script func(s *config.Script) (track.Checked, bool)
	// Exec runs the scripts and MISC_CHECKs; nil: track.OSExec.
	Exec track.Execer
	// FIFO writes one LVS FIFO line (without newline); nil: none.
	FIFO func(line string)
	// FollowAddrs makes ha_suspend follow SetAddrs (VRRP runs); starting
	// with no address held. Otherwise every address counts as held.
	FollowAddrs bool
	Log         *slog.Logger
	// Seed drives the checkers' warmup spread.
	Seed uint64
}

// Director runs the LVS half of one configuration; see the package doc.
type Director struct {
	cfg  Config
	log  *slog.Logger
	exec track.Execer

	addrCh   chan map[netip.Addr]bool
	reloadCh chan *config.Config
	cancel   context.CancelFunc
	done     chan struct{}
	scripts  sync.WaitGroup

	mu     sync.Mutex
	status Status
}

// Start starts checking and programs the plane; Stop ends it.
func Start(cfg Config) *Director {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	d := &Director{cfg: cfg, log: cfg.Log, exec: cfg.Exec, addrCh: make(chan map[netip.Addr]bool, 1),
		reloadCh: make(chan *config.Config, 1), done: make(chan struct{})}
	if d.exec == nil {
		d.exec = track.OSExec
	}
	ctx, cancel := context.WithCancel(context.Background())
	d.cancel = cancel
	var addrs map[netip.Addr]bool
	if cfg.FollowAddrs {
		addrs = map[netip.Addr]bool{}
	}
	go d.run(ctx, addrs)
	return d
}

// SetAddrs tells the Director which addresses this host holds now (for
// ha_suspend). It never blocks: only the latest set counts.
func (d *Director) SetAddrs(addrs map[netip.Addr]bool) {
	latest(d.addrCh, addrs)
}

// Reload moves the Director to conf. It never blocks.
func (d *Director) Reload(conf *config.Config) {
	latest(d.reloadCh, conf)
}

// latest puts v in the one-slot channel ch, replacing what is there.
func latest[T any](ch chan T, v T) {
	for {
		select {
		case ch <- v:
			return
		default:
		}
		select {
		case <-ch:
		default:
		}
	}
}

// Stop stops the checkers (real servers of omega virtual servers are
// announced down), removes what the plane installed and waits, up to
// grace, for the scripts still running.
func (d *Director) Stop(grace time.Duration) {
	d.cancel()
	<-d.done
	ch := make(chan struct{})
	go func() { d.scripts.Wait(); close(ch) }()
	select {
	case <-ch:
	case <-time.After(grace):
		d.log.Warn("LVS notify scripts still running at stop")
	}
}

// gen is one generation of the running configuration: its core and the
// runner checking its real servers.
type gen struct {
	core    *core
	hcs     []healthcheck.RealServer
	results *results
	run     *runner.Runner
	cancel  context.CancelFunc
	stopped chan struct{}
}

func (d *Director) start(ctx context.Context, conf *config.Config, prev *core) *gen {
	hcs, warns := healthcheck.FromConfig(conf)
	for _, w := range warns {
		d.log.Warn("checker", "warning", w)
	}
	g := &gen{core: newCore(conf, hcs, prev), hcs: hcs}
	g.results = newResults(hcs)
	probers := make([][]healthcheck.Prober, len(hcs))
	for i := range hcs {
		for j := range hcs[i].Checks {
			var p healthcheck.Prober
			if d.cfg.NewProber != nil {
				p = d.cfg.NewProber(&hcs[i], &hcs[i].Checks[j])
			} else {
				var err error
				if p, err = probe.New(&hcs[i].Checks[j], probe.Env{Gate: d.cfg.Gate, Exec: d.exec}); err != nil {
					d.log.Warn("checker cannot run", "rs", hcs[i].Name, "vs", hcs[i].VS,
						"checker", hcs[i].Checks[j].Kind.String(), "err", err)
				}
			}
			probers[i] = append(probers[i], g.results.record(i, j, p))
		}
	}
	r, _ := runner.New(runner.Config{Servers: hcs, Probers: probers, Seed: d.cfg.Seed, Log: d.log})
	rctx, cancel := context.WithCancel(ctx)
	g.run, g.cancel, g.stopped = r, cancel, make(chan struct{})
	go func() { defer close(g.stopped); r.Run(rctx) }()
	return g
}

// retire stops g's runner, dropping its last events (a reload: its real
// servers live on in the next generation).
func (g *gen) retire() {
	g.cancel()
	go func() {
		for range g.run.Events() {
		}
	}()
}

func (d *Director) run(ctx context.Context, addrs map[netip.Addr]bool) {
	defer close(d.done)
	g := d.start(ctx, d.cfg.Conf, &core{addrs: addrs})
	d.settle(g, nil)
	for {
		select {
		case <-ctx.Done():
			d.stop(g)
			return
		case ev := <-g.run.Events():
			d.settle(g, d.event(g, ev))
		case a := <-d.addrCh:
			g.core.setAddrs(a)
			d.settle(g, nil)
		case conf := <-d.reloadCh:
			next := d.start(ctx, conf, g.core)
			g.retire()
			g = next
			d.log.Info("LVS configuration reloaded", "virtual_servers", len(conf.VirtualServers), "real_servers", len(g.hcs))
			d.settle(g, nil)
		}
	}
}

// event applies one runner event to the core.
func (d *Director) event(g *gen, ev runner.Event) []Notice {
	switch o := ev.Output.(type) {
	case healthcheck.ServerState:
		return g.core.serverState(o.RS, o.Up, o.Initial)
	case healthcheck.Weight:
		g.core.weight(o.RS, o.Weight)
	}
	return nil
}

// settle recomputes the balancer state, installs it, announces ns and the
// quorum changes, and refreshes Status.
func (d *Director) settle(g *gen, ns []Notice) {
	ns = append(ns, g.core.recompute()...)
	err := d.cfg.Plane.Apply(g.core.state)
	if err != nil {
		d.log.Error("LVS data plane refused the state, keeping the previous one", "err", err)
	}
	d.announce(ns)
	d.publish(g, err)
}

// stop ends the runner, applies the omega events it sends while stopping
// and removes the plane's state.
func (d *Director) stop(g *gen) {
	<-g.stopped
	var ns []Notice
	for ev := range g.run.Events() {
		ns = append(ns, d.event(g, ev)...)
	}
	if len(ns) > 0 {
		ns = append(ns, g.core.recompute()...)
	}
	d.announce(ns)
	if err := d.cfg.Plane.Close(); err != nil {
		d.log.Error("LVS data plane: remove state", "err", err)
	}
	d.publish(g, nil)
}

// announce writes the FIFO lines and starts the scripts of ns, in order.
func (d *Director) announce(ns []Notice) {
	for _, n := range ns {
		d.log.Info("LVS state", "event", n.Line)
		if d.cfg.FIFO != nil {
			d.cfg.FIFO(n.Line)
		}
		if n.Script == nil || d.cfg.Script == nil {
			continue
		}
		sc, ok := d.cfg.Script(n.Script)
		if !ok {
			continue
		}
		d.scripts.Go(func() {
			o := d.exec.Exec(context.Background(), track.Command{Script: sc, Timeout: ScriptTimeout})
			if o.Err != nil || !o.OK() {
				d.log.Warn("LVS notify script failed", "script", sc.String(), "outcome", o.String())
			}
		})
	}
}
