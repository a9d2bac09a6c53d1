package half

import (
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"sync"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/control"
	"github.com/gokeepalived/gokeepalived/internal/lvs/director"
	"github.com/gokeepalived/gokeepalived/internal/notify"
	"github.com/gokeepalived/gokeepalived/internal/notify/policy"
	"github.com/gokeepalived/gokeepalived/internal/track"
)

// Deps is what the LVS half takes from the daemon.
type Deps struct {
	Log  *slog.Logger
	Exec track.Execer
	// Gate returns the script gate of a configuration (MISC_CHECKs).
	Gate func(*config.Config) *track.Gate
	// Check passes a notify or quorum script through the script gate.
	Check func(track.Spec, config.Pos) (track.Checked, error)
	// NotifyFIFOs are the daemon's open notify FIFOs: the LVS lines go to
	// notify_fifo too, as keepalived's checker writes them.
	NotifyFIFOs []*notify.FIFO
	// FollowAddrs: ha_suspend follows the VIPs given to SetAddrs.
	FollowAddrs bool
	// KeepOnStop leaves the balancer state in the kernel at stop (-I).
	KeepOnStop bool
}

// Half is the running LVS half.
type Half struct {
	deps Deps
	dir  *director.Director
	fifo *notify.FIFO // lvs_notify_fifo; nil when not configured

	// cur holds the gated notify and quorum scripts of the running
	// configuration, prev those of the one before (for its last events).
	mu        sync.Mutex
	cur, prev map[*config.Script]track.Checked
	mailer    *notify.Mailer // the checker's smtp_alert mails; nil: none
}

// Halves drops the half that -C (checkersOnly) or -P (vrrpOnly) does not
// run from conf, as keepalived runs only that child process.
func Halves(conf *config.Config, checkersOnly, vrrpOnly bool) *config.Config {
	if conf == nil || (!checkersOnly && !vrrpOnly) {
		return conf
	}
	c := *conf
	if checkersOnly {
		c.Instances, c.SyncGroups = nil, nil
		c.StaticAddresses, c.StaticRoutes, c.StaticRules = nil, nil, nil
	}
	if vrrpOnly {
		c.VirtualServers, c.VirtualServerGroups = nil, nil
	}
	return &c
}

// Start starts the LVS half when conf has virtual servers (nil, nil when
// it has none). A data plane that cannot be opened stops the start, as
// keepalived's checker exits when IPVS cannot be initialised.
func Start(conf *config.Config, deps Deps) (*Half, error) {
	if len(conf.VirtualServers) == 0 {
		return nil, nil
	}
	plane, backend, err := director.OpenPlane(conf.Global.LVSBackend)
	if err != nil {
		return nil, fmt.Errorf("LVS half cannot start: %w", err)
	}
	h := &Half{deps: deps}
	if f := conf.Global.LVSNotifyFifo; f != nil && f.Path != "" {
		if h.fifo, err = notify.OpenFIFO(f.Path, nil, deps.Log); err != nil {
			deps.Log.Error("lvs_notify_fifo", "path", f.Path, "err", err)
		}
	}
	h.gateScripts(conf)
	h.configureMail(conf)
	h.dir = director.Start(director.Config{
		Conf: conf, Plane: plane, Backend: backend, Log: deps.Log.With("half", "lvs"),
		Gate:        deps.Gate(conf),
		Exec:        deps.Exec,
		Script:      h.script,
		FIFO:        h.fifoWriter(conf),
		FollowAddrs: deps.FollowAddrs,
		Seed:        uint64(time.Now().UnixNano()),
		KeepOnStop:  deps.KeepOnStop,
		Alert:       h.alert,
	})
	deps.Log.Info("LVS half started", "backend", backend, "virtual_servers", len(conf.VirtualServers))
	return h, nil
}

// gateScripts passes the notify and quorum scripts of conf through the
// gate (on the loop), keeping those of the previous one for events still
// on their way.
func (h *Half) gateScripts(conf *config.Config) {
	m := map[*config.Script]track.Checked{}
	add := func(s *config.Script) {
		if s == nil {
			return
		}
		if c, err := h.deps.Check(track.Spec{Kind: track.KindNotify, Name: "notify", Argv: s.Cmd, User: s.User, Group: s.Group}, s.Pos); err == nil {
			m[s] = c
		}
	}
	for _, v := range conf.VirtualServers {
		add(v.QuorumUp)
		add(v.QuorumDown)
		for _, rs := range v.RealServers {
			add(rs.NotifyUp)
			add(rs.NotifyDown)
		}
	}
	h.mu.Lock()
	h.prev, h.cur = h.cur, m
	h.mu.Unlock()
}

// script is director.Config.Script: only scripts the gate passed run.
func (h *Half) script(s *config.Script) (track.Checked, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if c, ok := h.cur[s]; ok {
		return c, true
	}
	c, ok := h.prev[s]
	return c, ok
}

// fifoWriter writes the LVS lines to lvs_notify_fifo and to notify_fifo,
// as keepalived's checker does.
func (h *Half) fifoWriter(conf *config.Config) func(string) {
	var outs []*notify.FIFO
	if h.fifo != nil {
		outs = append(outs, h.fifo)
	}
	if g := conf.Global.NotifyFifo; g != nil {
		for _, f := range h.deps.NotifyFIFOs {
			if f.Path() == g.Path {
				outs = append(outs, f)
			}
		}
	}
	return func(line string) {
		for _, f := range outs {
			f.WriteLine(line + "\n")
		}
	}
}

// SetAddrs tells the director which VIPs this host holds now.
func (h *Half) SetAddrs(held map[netip.Addr]bool) { h.dir.SetAddrs(held) }

// Reload moves the LVS half to conf.
func (h *Half) Reload(conf *config.Config) {
	h.gateScripts(conf)
	h.configureMail(conf)
	h.dir.Reload(conf)
}

// Stop stops the checkers (omega notifications) and removes what the
// data plane installed.
func (h *Half) Stop() {
	h.dir.Stop(3 * time.Second)
	h.setMailer(nil, 3*time.Second, true)
	if h.fifo != nil {
		h.fifo.Close()
	}
}

// Status is the LVS half's part of the snapshot.
func (h *Half) Status() *control.LVS {
	st := h.dir.Status()
	out := &control.LVS{Backend: st.Backend, PlaneError: st.PlaneError, VirtualServers: []control.VirtualServer{}}
	for _, v := range st.VirtualServers {
		cv := control.VirtualServer{Name: v.Name, QuorumUp: v.QuorumUp, WeightSum: v.WeightSum, Quorum: v.Quorum,
			Hysteresis: v.Hysteresis, Services: v.Services, RealServers: []control.RealServer{}}
		for _, r := range v.RealServers {
			cr := control.RealServer{Name: r.Name, Addr: r.Addr, Up: r.Up, Weight: r.Weight}
			for _, c := range r.Checkers {
				cr.Checkers = append(cr.Checkers, control.Checker{Kind: c.Kind, LastOK: c.OK, LastReason: c.Reason,
					LastLatency: control.Duration(c.Latency), LastRun: c.At})
			}
			cv.RealServers = append(cv.RealServers, cr)
		}
		out.VirtualServers = append(out.VirtualServers, cv)
	}
	return out
}

// configureMail (re)starts the checker's smtp_alert mailer, the same
// Mailer VRRP's alerts use, when global_defs names an smtp_server and a
// notification_email.
func (h *Half) configureMail(conf *config.Config) {
	var m *notify.Mailer
	if g := conf.Global; g.SMTPServer != "" && len(g.NotificationEmail) > 0 {
		var err error
		if m, err = notify.NewMailer(policy.MailConfig(g, h.deps.Log)); err != nil {
			h.deps.Log.Error("checker smtp_alert disabled", "err", err)
		}
	}
	h.setMailer(m, 30*time.Second, false)
}

// setMailer replaces the mailer; the old one sends what it has queued
// for up to grace, in the background unless wait (at stop).
func (h *Half) setMailer(m *notify.Mailer, grace time.Duration, wait bool) {
	h.mu.Lock()
	old := h.mailer
	h.mailer = m
	h.mu.Unlock()
	if old == nil {
		return
	}
	closeOld := func() {
		ctx, cancel := context.WithTimeout(context.Background(), grace)
		defer cancel()
		old.Close(ctx)
	}
	if wait {
		closeOld()
	} else {
		go closeOld()
	}
}

// alert is director.Config.Alert: it queues the mail and returns at once.
func (h *Half) alert(a director.Alert) {
	h.mu.Lock()
	m := h.mailer
	h.mu.Unlock()
	if m != nil {
		m.Send(m.CheckerMail(a.RS, a.VS, a.Up, a.Body))
	}
}
