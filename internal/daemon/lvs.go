package daemon

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

// The LVS half (virtual_server blocks) runs in a director.Director beside
// the VRRP loop: the daemon opens the data plane and the lvs_notify_fifo,
// passes the notify and quorum scripts through the script gate, tells the
// director which VIPs this host holds (ha_suspend follows VRRP), reloads
// and stops it, and reads its status. Everything here runs on the loop.

// lvsHalf is the running LVS half; the Daemon's lvs field is nil when it
// does not run (no virtual_server, or -P).
type lvsHalf struct {
	dir  *director.Director
	fifo *notify.FIFO // lvs_notify_fifo; nil when not configured

	// cur holds the gated notify and quorum scripts of the running
	// configuration, prev those of the one before (for its last events).
	mu        sync.Mutex
	cur, prev map[*config.Script]track.Checked
	mailer    *notify.Mailer // the checker's smtp_alert mails; nil: none
}

// halves drops the half that -C (checkers only) or -P (VRRP only) does
// not run from conf, as keepalived runs only that child process.
func halves(conf *config.Config, cfg Config) *config.Config {
	if conf == nil || (!cfg.CheckersOnly && !cfg.VRRPOnly) {
		return conf
	}
	c := *conf
	if cfg.CheckersOnly {
		c.Instances, c.SyncGroups = nil, nil
		c.StaticAddresses, c.StaticRoutes, c.StaticRules = nil, nil, nil
	}
	if cfg.VRRPOnly {
		c.VirtualServers, c.VirtualServerGroups = nil, nil
	}
	return &c
}

// startLVS starts the LVS half when the configuration has virtual
// servers. A data plane that cannot be opened stops the start, as
// keepalived's checker exits when IPVS cannot be initialised.
func (d *Daemon) startLVS() error {
	if len(d.conf.VirtualServers) == 0 {
		return nil
	}
	plane, backend, err := director.OpenPlane(d.conf.Global.LVSBackend)
	if err != nil {
		return fmt.Errorf("LVS half cannot start: %w", err)
	}
	h := &lvsHalf{}
	if f := d.conf.Global.LVSNotifyFifo; f != nil && f.Path != "" {
		if h.fifo, err = notify.OpenFIFO(f.Path, nil, d.log); err != nil {
			d.log.Error("lvs_notify_fifo", "path", f.Path, "err", err)
		}
	}
	d.gateLVSScripts(h)
	h.configureMail(d.conf, d.log)
	h.dir = director.Start(director.Config{
		Conf: d.conf, Plane: plane, Backend: backend, Log: d.log.With("half", "lvs"),
		Gate:        d.trk.gate.For(d.conf),
		Exec:        d.sys.Exec,
		Script:      h.script,
		FIFO:        d.lvsFIFO(h),
		FollowAddrs: !d.cfg.CheckersOnly && len(d.conf.Instances) > 0,
		Seed:        uint64(time.Now().UnixNano()),
		KeepOnStop:  d.cfg.DontReleaseIPVS,
		Alert:       h.alert,
	})
	d.fx.lvs = h
	d.lvsAddrsChanged()
	d.log.Info("LVS half started", "backend", backend, "virtual_servers", len(d.conf.VirtualServers))
	return nil
}

// gateLVSScripts passes the notify and quorum scripts of the running
// configuration through the gate (on the loop), keeping those of the
// previous one for events still on their way.
func (d *Daemon) gateLVSScripts(h *lvsHalf) {
	m := map[*config.Script]track.Checked{}
	add := func(s *config.Script) {
		if s == nil {
			return
		}
		if c, err := d.checkScript(track.Spec{Kind: track.KindNotify, Name: "notify", Argv: s.Cmd, User: s.User, Group: s.Group}, s.Pos); err == nil {
			m[s] = c
		}
	}
	for _, v := range d.conf.VirtualServers {
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
func (h *lvsHalf) script(s *config.Script) (track.Checked, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if c, ok := h.cur[s]; ok {
		return c, true
	}
	c, ok := h.prev[s]
	return c, ok
}

// lvsFIFO writes the LVS lines to lvs_notify_fifo and to notify_fifo, as
// keepalived's checker does.
func (d *Daemon) lvsFIFO(h *lvsHalf) func(string) {
	var outs []*notify.FIFO
	if h.fifo != nil {
		outs = append(outs, h.fifo)
	}
	if g := d.conf.Global.NotifyFifo; g != nil {
		for _, f := range d.ann.fifos {
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

// lvsAddrsChanged tells the LVS half which VIPs this host holds now.
func (d *Daemon) lvsAddrsChanged() {
	if d.fx.lvs == nil {
		return
	}
	held := map[netip.Addr]bool{}
	for _, vi := range d.insts {
		for i, v := range vi.VIPs {
			if vi.Present[i] {
				held[v.Prefix.Addr()] = true
			}
		}
	}
	d.fx.lvs.dir.SetAddrs(held)
}

// reloadLVS moves the LVS half to the configuration just loaded,
// starting it when the reload brought the first virtual server.
func (d *Daemon) reloadLVS() {
	if d.fx.lvs == nil {
		if err := d.startLVS(); err != nil {
			d.log.Error("reload", "err", err)
		}
		return
	}
	d.gateLVSScripts(d.fx.lvs)
	d.fx.lvs.configureMail(d.conf, d.log)
	d.fx.lvs.dir.Reload(d.conf)
	d.lvsAddrsChanged()
}

// stopLVS stops the checkers (omega notifications) and removes what the
// data plane installed.
func (d *Daemon) stopLVS() {
	if d.fx.lvs == nil {
		return
	}
	d.fx.lvs.dir.Stop(3 * time.Second)
	d.fx.lvs.setMailer(nil, 3*time.Second, true)
	if d.fx.lvs.fifo != nil {
		d.fx.lvs.fifo.Close()
	}
	d.fx.lvs = nil
}

// lvsStatus is the LVS half's part of the snapshot.
func (d *Daemon) lvsStatus() *control.LVS {
	if d.fx.lvs == nil {
		return nil
	}
	st := d.fx.lvs.dir.Status()
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

// dumpLVS writes the checker part of the SIGUSR1 dump, to the file
// keepalived's checker process writes, when the LVS half runs.
func (d *Daemon) dumpLVS() {
	if d.fx.lvs != nil {
		d.dump(control.CheckDataFile, control.WriteCheckData)
	}
}

// configureMail (re)starts the checker's smtp_alert mailer, the same
// Mailer VRRP's alerts use, when global_defs names an smtp_server and a
// notification_email.
func (h *lvsHalf) configureMail(conf *config.Config, log *slog.Logger) {
	var m *notify.Mailer
	if g := conf.Global; g.SMTPServer != "" && len(g.NotificationEmail) > 0 {
		var err error
		if m, err = notify.NewMailer(policy.MailConfig(g, log)); err != nil {
			log.Error("checker smtp_alert disabled", "err", err)
		}
	}
	h.setMailer(m, 30*time.Second, false)
}

// setMailer replaces the mailer; the old one sends what it has queued
// for up to grace, in the background unless wait (at stop).
func (h *lvsHalf) setMailer(m *notify.Mailer, grace time.Duration, wait bool) {
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
func (h *lvsHalf) alert(a director.Alert) {
	h.mu.Lock()
	m := h.mailer
	h.mu.Unlock()
	if m != nil {
		m.Send(m.CheckerMail(a.RS, a.VS, a.Up, a.Body))
	}
}
