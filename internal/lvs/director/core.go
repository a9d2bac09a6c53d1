package director

import (
	"fmt"
	"net/netip"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/healthcheck"
	"github.com/gokeepalived/gokeepalived/internal/lvs"
)

// Notice is what a state change announces: one LVS FIFO line and, when
// the configuration names one, a script (notify_up, notify_down,
// quorum_up or quorum_down).
type Notice struct {
	Line   string         // keepalived's FIFO line, without the newline
	Script *config.Script `json:",omitempty"`
	Alert  *Alert         `json:",omitempty"` // the smtp_alert mail, when on
}

// Alert is an smtp_alert mail of the checker: real server RS of virtual
// server VS went up or down, or (RS empty) VS gained or lost its quorum.
// Names are keepalived's, Body its text.
type Alert struct {
	RS, VS string
	Up     bool
	Body   string
}

// smtpAlert is a virtual or real server's smtp_alert (set), else
// global_defs smtp_alert (g), else def (keepalived: on for real servers,
// off for virtual servers).
func smtpAlert(set, g *bool, def bool) bool {
	switch {
	case set != nil:
		return *set
	case g != nil:
		return *g
	}
	return def
}

// server is one real server of the configuration, at the index the
// health-check engine knows it by.
type server struct {
	key  lvs.RSKey
	vs   *config.VirtualServer
	rs   *config.RealServer
	name string // keepalived's "[IP]:proto:port"
	// carried is set for a server that survived a reload with what its
	// checkers had found.
	carried bool
}

// core is the pure half of the Director: what the checkers found, the
// quorum states, the addresses held, and the balancer state they give.
type core struct {
	conf    *config.Config
	servers []server
	byVS    map[string]*config.VirtualServer
	health  map[lvs.RSKey]lvs.Health
	quorum  map[string]bool
	addrs   map[netip.Addr]bool // nil: every address is held
	state   lvs.State
}

// newCore builds the core for conf, whose real servers (as FromConfig
// lists them) are hcs. With prev (a reload), real servers present in both
// keep their health, virtual servers their quorum state, and hcs is
// changed so that the new engine starts each survivor in the state it
// had (alpha when it was down). The result has not been computed yet:
// call recompute.
func newCore(conf *config.Config, hcs []healthcheck.RealServer, prev *core) *core {
	c := &core{conf: conf, byVS: map[string]*config.VirtualServer{}, health: map[lvs.RSKey]lvs.Health{},
		quorum: map[string]bool{}}
	for _, v := range conf.VirtualServers {
		c.byVS[v.String()] = v
		for _, rs := range v.RealServers {
			i := len(c.servers)
			s := server{key: lvs.RSKey{VS: v.String(), Addr: netip.AddrPortFrom(rs.Addr, uint16(rs.Port))}, vs: v, rs: rs}
			if i < len(hcs) {
				s.name = hcs[i].Name
			}
			c.servers = append(c.servers, s)
		}
	}
	if prev != nil {
		c.addrs = prev.addrs
		for name, up := range prev.quorum {
			if c.byVS[name] != nil {
				c.quorum[name] = up
			}
		}
	}
	for i := range c.servers {
		s := &c.servers[i]
		var checks []healthcheck.Check
		if i < len(hcs) {
			checks = hcs[i].Checks
		}
		h, ok := lvs.Health{}, false
		if prev != nil {
			h, ok = prev.health[s.key]
		}
		if ok {
			s.carried = true
			for j := range checks {
				checks[j].Timing.Alpha = !h.Alive
			}
			h.Weight = s.rs.Weight // the new engine starts from the configured weight
		} else {
			h = lvs.Health{Alive: true, Weight: s.rs.Weight}
			for _, ch := range checks {
				h.Alive = h.Alive && !ch.Timing.Alpha
			}
		}
		c.health[s.key] = h
	}
	return c
}

// serverState records that real server i went up or down. initial marks
// an alpha server's first failure, which keepalived announces although
// the server started down.
func (c *core) serverState(i int, up, initial bool) []Notice {
	s := &c.servers[i]
	h := c.health[s.key]
	if h.Alive == up && !(initial && !s.carried) {
		return nil
	}
	h.Alive = up
	c.health[s.key] = h
	sc := s.rs.NotifyDown
	if up {
		sc = s.rs.NotifyUp
	}
	n := Notice{Line: fmt.Sprintf("RS %s %s %s", s.name, fifoVS(s.vs), upDown(up)), Script: sc}
	if smtpAlert(s.rs.SMTPAlert, c.conf.Global.SMTPAlert, true) {
		body := "=> CHECK failed on service <="
		if up {
			body = "=> CHECK succeed on service <="
		}
		n.Alert = &Alert{RS: s.name, VS: fifoVS(s.vs), Up: up, Body: body}
	}
	return []Notice{n}
}

// weight records real server i's effective weight.
func (c *core) weight(i, w int) {
	s := &c.servers[i]
	h := c.health[s.key]
	h.Weight = w
	c.health[s.key] = h
}

// setAddrs records the addresses this host holds (nil: all of them).
func (c *core) setAddrs(addrs map[netip.Addr]bool) { c.addrs = addrs }

// recompute computes the balancer state and returns the quorum notices.
func (c *core) recompute() []Notice {
	in := lvs.Input{Config: c.conf, Health: c.health, Quorum: c.quorum}
	if addrs := c.addrs; addrs != nil {
		in.HasAddr = func(a netip.Addr) bool { return addrs[a] }
	}
	out := lvs.Desired(in)
	c.quorum, c.state = out.Quorum, out.State
	var ns []Notice
	for _, ev := range out.Events {
		name := ev.VS
		v := c.byVS[ev.VS]
		if v != nil {
			name = fifoVS(v)
		}
		n := Notice{Line: fmt.Sprintf("VS %s %s", name, upDown(ev.Up)), Script: ev.Script}
		if v != nil && smtpAlert(v.SMTPAlert, c.conf.Global.SMTPAlert, false) {
			n.Alert = &Alert{VS: name, Up: ev.Up, Body: quorumBody(v, ev)}
		}
		ns = append(ns, n)
	}
	return ns
}

// weightSum is the live weight of virtual server v (what quorum weighs).
func (c *core) weightSum(v *config.VirtualServer) int {
	sum := 0
	for _, rs := range v.RealServers {
		if h := c.health[lvs.RSKey{VS: v.String(), Addr: netip.AddrPortFrom(rs.Addr, uint16(rs.Port))}]; h.Alive {
			sum += h.Weight
		}
	}
	return sum
}

// fifoVS names a virtual server as keepalived's FIFO lines do: the
// "[IP]:proto:port" trio, "FWM N", or "[GROUP]:PORT" for a group.
func fifoVS(v *config.VirtualServer) string {
	switch {
	case v.Group != "":
		return fmt.Sprintf("[%s]:%d", v.Group, v.Port)
	case v.Fwmark != 0:
		return fmt.Sprintf("FWM %d", v.Fwmark)
	}
	return fmt.Sprintf("[%s]:%s:%d", v.Addr, v.Protocol, v.Port)
}

// quorumBody is keepalived's text of a quorum mail: what happened, then
// quorum+hysteresis=threshold and the live weight.
func quorumBody(v *config.VirtualServer, ev lvs.QuorumEvent) string {
	what := map[[2]bool]string{{true, true}: "Starting with quorum up", {true, false}: "Gained quorum",
		{false, true}: "Starting with quorum down", {false, false}: "Lost quorum"}[[2]bool{ev.Up, ev.Init}]
	return fmt.Sprintf("=> %s %d+%d=%d <= %d <=", what, v.Quorum, v.Hysteresis, ev.Threshold, ev.WeightSum)
}

func upDown(up bool) string {
	if up {
		return "UP"
	}
	return "DOWN"
}
